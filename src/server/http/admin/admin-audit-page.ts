/**
 * The admin audit-log page: a filter form (group, agent, session key, event, date range)
 * and the matching entries, newest first, a page at a time.
 */
import { AUDIT_EVENTS, type Agent, type AuditEntry, type Group } from '../../store/store.js';
import type { AuditFilterInput } from '../audit-filters.js';
import { escapeHtml } from '../html.js';
import {
  adminPage,
  errorSummary,
  inputField,
  selectField,
  utcTime,
  type AdminViewer,
  type FieldErrors,
} from './admin-html.js';

/** What each event means, in the words the page shows. */
export const AUDIT_EVENT_TEXT: Readonly<Partial<Record<(typeof AUDIT_EVENTS)[number], string>>> = {
  'session.started': 'Session started',
  'session.ended': 'Session ended',
  'agent.joined': 'Agent joined',
  'agent.left': 'Agent left',
  'rc.requested': 'Remote control requested',
  'rc.granted': 'Remote control granted',
  'rc.declined': 'Remote control declined',
  'rc.ended': 'Remote control ended',
  'rc.refused': 'Remote control refused',
  'rc.action': 'Remote control action',
  'navigate.sent': 'Navigation sent',
  'navigate.refused': 'Navigation refused',
  'agent.login': 'Agent signed in',
  'agent.login_failed': 'Sign-in failed',
  'admin.group_created': 'Group created',
  'admin.group_updated': 'Group renamed',
  'admin.api_key_rotated': 'API key replaced',
  'admin.settings_changed': 'Settings changed',
  'admin.agent_created': 'Agent added',
  'admin.agent_updated': 'Agent changed',
  'admin.agent_deleted': 'Agent deleted',
};

const FILTER_LABELS = {
  groupId: 'Group',
  agentId: 'Agent',
  sessionKey: 'Session key',
  event: 'Event',
  from: 'From',
  to: 'To',
  before: 'Page',
  limit: 'Limit',
  '': 'Filters',
} as const;

function detailText(detail: Record<string, unknown>): string {
  return Object.entries(detail)
    .map(([name, value]) => `${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');
}

/** The audit log page. */
export function auditPage(options: {
  viewer: AdminViewer;
  filters: AuditFilterInput;
  errors: FieldErrors;
  entries: AuditEntry[];
  groups: Group[];
  agents: Agent[];
  /** The query string of the next (older) page, or undefined on the last. */
  olderQuery: string | undefined;
}): string {
  const { filters, errors } = options;
  const agentName = new Map(options.agents.map((agent) => [agent.id, agent.username]));
  const form = 'audit';
  const rows = options.entries
    .map((entry) => {
      const agent =
        entry.agentId === null ? '' : (agentName.get(entry.agentId) ?? `#${entry.agentId}`);
      return `<tr>
<td>${utcTime(entry.at)}</td>
<td>${escapeHtml(entry.groupId)}</td>
<td>${escapeHtml(AUDIT_EVENT_TEXT[entry.event] ?? entry.event)}</td>
<td>${entry.sessionKey ? `<code>${escapeHtml(entry.sessionKey)}</code>` : ''}</td>
<td>${escapeHtml(agent)}</td>
<td>${escapeHtml(detailText(entry.detail))}</td>
</tr>`;
    })
    .join('\n');
  const table = options.entries.length
    ? `<table class="oc-table">
<caption>Audit entries, newest first${options.olderQuery ? ' (more on the next page)' : ''}</caption>
<thead><tr><th scope="col">Time</th><th scope="col">Group</th><th scope="col">Event</th><th scope="col">Session key</th><th scope="col">Agent</th><th scope="col">Details</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`
    : '<p role="status">No entries match these filters.</p>';
  const older = options.olderQuery
    ? `<p><a href="/admin/audit?${escapeHtml(options.olderQuery)}">Older entries</a></p>`
    : '';
  return adminPage({
    title: 'Audit log',
    section: 'audit',
    viewer: options.viewer,
    body: `${errorSummary(form, errors, FILTER_LABELS)}
<form method="get" action="/admin/audit" class="oc-filters" aria-label="Filter the audit log">
${selectField({ form, name: 'groupId', label: 'Group', value: filters.groupId ?? '', errors, choices: [{ value: '', text: 'All groups' }, ...options.groups.map((g) => ({ value: g.id, text: `${g.id} ${g.name}` }))] })}
${selectField({ form, name: 'agentId', label: 'Agent', value: filters.agentId ?? '', errors, choices: [{ value: '', text: 'All agents' }, ...options.agents.map((a) => ({ value: String(a.id), text: `${a.username} (${a.groupId})` }))] })}
${inputField({ form, name: 'sessionKey', label: 'Session key', value: filters.sessionKey ?? '', errors, extra: 'maxlength="50" autocomplete="off" spellcheck="false"' })}
${selectField({ form, name: 'event', label: 'Event', value: filters.event ?? '', errors, choices: [{ value: '', text: 'All events' }, ...AUDIT_EVENTS.map((event) => ({ value: event, text: AUDIT_EVENT_TEXT[event] ?? event }))] })}
${inputField({ form, name: 'from', label: 'From (UTC)', value: filters.from ?? '', type: 'date', errors })}
${inputField({ form, name: 'to', label: 'To (UTC)', value: filters.to ?? '', type: 'date', errors })}
<button type="submit">Filter</button>
</form>
${table}
${older}`,
  });
}
