/**
 * Admin pages of agents: the list (all groups or one), the form that adds or changes an
 * agent, and the confirmation before deleting one.
 */
import type { Agent, AgentPrivileges, AgentRole, Group } from '../../store/store.js';
import { escapeHtml } from '../html.js';
import {
  adminPage,
  checkboxField,
  csrfField,
  errorSummary,
  inputField,
  selectField,
  utcTime,
  type AdminViewer,
  type FieldErrors,
} from './admin-html.js';

const NO_ERRORS: FieldErrors = new Map();

const ROLE_TEXT: Readonly<Record<AgentRole, string>> = {
  admin: 'Administrator',
  agent: 'Agent',
  viewer: 'Viewer (view only)',
};

const PRIVILEGE_TEXT: Readonly<Record<keyof AgentPrivileges, string>> = {
  view: 'View sessions',
  remoteControl: 'Remote control',
  navigate: 'Navigate the visitor',
  screenShare: 'Share own screen',
};

const AGENT_LABELS: Readonly<Record<string, string>> = {
  groupId: 'Group',
  username: 'Username',
  displayName: 'Display name',
  email: 'Email',
  title: 'Title',
  partnerUserId: 'Partner user id',
  password: 'Password',
  role: 'Role',
  privileges: 'Privileges',
  disabled: 'Disabled',
  '': 'Form',
};

function privilegeSummary(agent: Agent): string {
  const names = (Object.keys(PRIVILEGE_TEXT) as (keyof AgentPrivileges)[])
    .filter((name) => agent.privileges[name])
    .map((name) => PRIVILEGE_TEXT[name]);
  return names.length ? names.join(', ') : 'None';
}

/** The list of agents, of one group or all. */
export function agentListPage(options: {
  viewer: AdminViewer;
  agents: Agent[];
  groups: Group[];
  groupId: string | undefined;
  notice?: string;
}): string {
  const groupName = new Map(options.groups.map((group) => [group.id, group.name]));
  const rows = options.agents
    .map(
      (agent) => `<tr>
<td><a href="/admin/agents/${agent.id}">${escapeHtml(agent.username)}</a></td>
<td>${escapeHtml(agent.displayName)}</td>
<td>${escapeHtml(agent.groupId)} ${escapeHtml(groupName.get(agent.groupId) ?? '')}</td>
<td>${ROLE_TEXT[agent.role]}</td>
<td>${escapeHtml(privilegeSummary(agent))}</td>
<td>${escapeHtml(agent.partnerUserId)}</td>
<td>${agent.disabled ? 'Disabled' : 'Active'}</td>
</tr>`,
    )
    .join('\n');
  const filter = options.groups
    .map(
      (group) =>
        `<option value="${escapeHtml(group.id)}"${group.id === options.groupId ? ' selected' : ''}>${escapeHtml(`${group.id} ${group.name}`)}</option>`,
    )
    .join('');
  const newHref = `/admin/agents/new${options.groupId ? `?group=${encodeURIComponent(options.groupId)}` : ''}`;
  return adminPage({
    title: options.groupId ? `Agents of group ${options.groupId}` : 'Agents',
    section: 'agents',
    viewer: options.viewer,
    ...(options.notice ? { notice: options.notice } : {}),
    body: `<form method="get" action="/admin/agents" class="oc-filters">
<label for="agent-group-filter">Group</label>
<select id="agent-group-filter" name="group"><option value="">All groups</option>${filter}</select>
<button type="submit">Show</button>
</form>
<p><a class="oc-button-link" href="${newHref}">Add an agent</a></p>
<table class="oc-table">
<caption>${options.agents.length === 1 ? '1 agent' : `${options.agents.length} agents`}</caption>
<thead><tr><th scope="col">Username</th><th scope="col">Name</th><th scope="col">Group</th><th scope="col">Role</th><th scope="col">Privileges</th><th scope="col">Partner user id</th><th scope="col">Status</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`,
  });
}

/** What the agent form shows (stored values, or what was submitted with errors). */
export interface AgentFormValues {
  groupId: string;
  username: string;
  displayName: string;
  email: string;
  title: string;
  partnerUserId: string;
  role: AgentRole;
  privileges: AgentPrivileges;
  disabled: boolean;
}

/** The form values of a stored agent. */
export function agentFormValues(agent: Agent): AgentFormValues {
  return {
    groupId: agent.groupId,
    username: agent.username,
    displayName: agent.displayName,
    email: agent.email,
    title: agent.title,
    partnerUserId: agent.partnerUserId,
    role: agent.role,
    privileges: { ...agent.privileges },
    disabled: agent.disabled,
  };
}

/** The form that adds an agent (`agent` undefined) or changes one. */
export function agentFormPage(options: {
  viewer: AdminViewer;
  groups: Group[];
  values: AgentFormValues;
  agent?: Agent;
  errors?: FieldErrors;
  notice?: string;
}): string {
  const { agent, values } = options;
  const errors = options.errors ?? NO_ERRORS;
  const form = 'agent';
  const common = { form, errors };
  const action = agent ? `/admin/agents/${agent.id}` : '/admin/agents';
  const group = agent
    ? `<p><strong>Group:</strong> ${escapeHtml(agent.groupId)} ${escapeHtml(options.groups.find((g) => g.id === agent.groupId)?.name ?? '')}</p>`
    : selectField({
        ...common,
        name: 'groupId',
        label: 'Group',
        value: values.groupId,
        choices: options.groups.map((g) => ({ value: g.id, text: `${g.id} ${g.name}` })),
      });
  const password = agent
    ? `${inputField({ ...common, name: 'password', label: 'New password', value: '', type: 'password', help: `Leave empty to keep the current one (${agent.passwordHash ? 'set' : 'none: SSO only'}). At least 10 characters. A new password signs the agent out everywhere.`, extra: 'autocomplete="new-password" maxlength="1000"' })}
${agent.passwordHash ? checkboxField({ ...common, name: 'removePassword', label: 'Remove the password (the agent signs in by SSO only)', checked: false }) : ''}`
    : inputField({
        ...common,
        name: 'password',
        label: 'Password',
        value: '',
        type: 'password',
        help: 'At least 10 characters. Leave empty for an agent who signs in only through your CRM (SSO login keys).',
        extra: 'autocomplete="new-password" maxlength="1000"',
      });
  const privileges = (Object.keys(PRIVILEGE_TEXT) as (keyof AgentPrivileges)[])
    .map((name) =>
      checkboxField({
        form,
        name: `privilege-${name}`,
        label: PRIVILEGE_TEXT[name],
        checked: values.privileges[name],
      }),
    )
    .join('\n');
  const privilegesError = errors.get('privileges');
  const deleteLink = agent
    ? `<p><a href="/admin/agents/${agent.id}/delete">Delete this agent…</a></p>`
    : '';
  return adminPage({
    title: agent ? `Agent ${agent.username}` : 'Add an agent',
    section: 'agents',
    viewer: options.viewer,
    ...(options.notice ? { notice: options.notice } : {}),
    body: `${agent ? `<p>Created ${utcTime(agent.createdAt)} · <a href="/admin/audit?agentId=${agent.id}">Audit log of this agent</a></p>` : ''}
${errorSummary(form, errors, AGENT_LABELS)}
<form method="post" action="${action}" class="oc-form oc-panel" novalidate>
${csrfField(options.viewer.csrfToken)}
${group}
${inputField({ ...common, name: 'username', label: 'Username', value: values.username, help: 'Used to sign in. Letters, digits and . _ @ + -', extra: 'required maxlength="100" autocomplete="off" spellcheck="false"' })}
${inputField({ ...common, name: 'displayName', label: 'Display name', value: values.displayName, help: 'Shown to visitors and other agents.', extra: 'maxlength="100"' })}
${inputField({ ...common, name: 'email', label: 'Email', value: values.email, type: 'email', extra: 'maxlength="254"' })}
${inputField({ ...common, name: 'title', label: 'Title', value: values.title, extra: 'maxlength="100"' })}
${inputField({ ...common, name: 'partnerUserId', label: 'Partner user id', value: values.partnerUserId, help: 'The id your CRM uses for this agent (partneruserid of SSO login keys). Empty for none.', extra: 'maxlength="200" spellcheck="false" autocomplete="off"' })}
${password}
${selectField({ ...common, name: 'role', label: 'Role', value: values.role, help: 'Administrators manage every group; viewers can only watch.', choices: (Object.keys(ROLE_TEXT) as AgentRole[]).map((role) => ({ value: role, text: ROLE_TEXT[role] })) })}
<fieldset class="oc-fieldset"${privilegesError ? ' aria-describedby="f-agent-privileges-error"' : ''}>
<legend>Privileges</legend>
${privileges}
${privilegesError ? `<p class="oc-field-error" id="f-agent-privileges-error">${escapeHtml(privilegesError)}</p>` : ''}
</fieldset>
${checkboxField({ ...common, name: 'disabled', label: 'Disabled (cannot sign in or join sessions)', checked: values.disabled })}
<button type="submit">${agent ? 'Save changes' : 'Add agent'}</button>
</form>
${deleteLink}`,
  });
}

/** "Delete this agent?" */
export function agentDeletePage(options: {
  viewer: AdminViewer;
  agent: Agent;
  error?: string;
}): string {
  const { agent } = options;
  return adminPage({
    title: `Delete agent ${agent.username}?`,
    section: 'agents',
    viewer: options.viewer,
    body: `${options.error ? `<div class="oc-error" role="alert"><p>${escapeHtml(options.error)}</p></div>` : ''}
<div class="oc-panel">
<p>${escapeHtml(agent.displayName || agent.username)} (group ${escapeHtml(agent.groupId)}) will no longer be able to sign in. Their entries in the audit log stay. To keep the account for later, disable it instead.</p>
<form method="post" action="/admin/agents/${agent.id}/delete" class="oc-actions">
${csrfField(options.viewer.csrfToken)}
<button type="submit" class="oc-danger">Delete ${escapeHtml(agent.username)}</button>
<a href="/admin/agents/${agent.id}">Cancel</a>
</form>
</div>`,
  });
}
