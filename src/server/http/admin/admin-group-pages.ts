/**
 * Admin pages of groups: the list with the "new group" form, one group with its name, API
 * key and the settings of both sites, and the page that shows a new API key once.
 */
import type { Group, Site, SiteSettings } from '../../store/store.js';
import { escapeHtml } from '../html.js';
import {
  adminPage,
  checkboxField,
  csrfField,
  errorSummary,
  inputField,
  textareaField,
  utcTime,
  type AdminViewer,
  type FieldErrors,
} from './admin-html.js';

const NO_ERRORS: FieldErrors = new Map();

/** Labels of the new-group form's fields (error summary). */
const GROUP_LABELS = { id: 'Group id', name: 'Name', '': 'Form' } as const;

/** Labels of the settings form's fields (error summary). */
export const SETTINGS_LABELS: Readonly<Record<keyof SiteSettings | '', string>> = {
  maskedSelectors: 'Masked elements',
  trustedDomains: 'Trusted domains',
  randomKeyLength: 'Digits of a session code',
  allowDuplicateKeys: 'Allow duplicate keys',
  allowRemoteControl: 'Allow remote control',
  termsText: 'Terms text',
  termsUrl: 'Terms link',
  sessionCodeExpiryMinutes: 'Code expiry',
  '': 'Form',
};

/** The list of groups and the form that creates one. */
export function groupListPage(options: {
  viewer: AdminViewer;
  groups: Group[];
  agentCounts: ReadonlyMap<string, number>;
  form?: { id: string; name: string; errors: FieldErrors };
}): string {
  const form = options.form ?? { id: '', name: '', errors: NO_ERRORS };
  const rows = options.groups
    .map(
      (group) => `<tr>
<td><a href="/admin/groups/${encodeURIComponent(group.id)}">${escapeHtml(group.id)}</a></td>
<td>${escapeHtml(group.name)}</td>
<td><a href="/admin/agents?group=${encodeURIComponent(group.id)}">${options.agentCounts.get(group.id) ?? 0}<span class="oc-sr"> agents of ${escapeHtml(group.name)}</span></a></td>
<td>${group.apiKey ? 'Set' : 'None'}</td>
<td>${utcTime(group.createdAt)}</td>
</tr>`,
    )
    .join('\n');
  return adminPage({
    title: 'Groups',
    section: 'groups',
    viewer: options.viewer,
    body: `<table class="oc-table">
<caption>All groups</caption>
<thead><tr><th scope="col">Group id</th><th scope="col">Name</th><th scope="col">Agents</th><th scope="col">API key</th><th scope="col">Created</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<section aria-labelledby="new-group-title" class="oc-panel">
<h2 id="new-group-title">New group</h2>
${errorSummary('group', form.errors, GROUP_LABELS)}
<form method="post" action="/admin/groups" class="oc-form" novalidate>
${csrfField(options.viewer.csrfToken)}
${inputField({ form: 'group', name: 'id', label: 'Group id', value: form.id, errors: form.errors, help: '4 to 6 digits: the data-groupid of the script tag. It cannot be changed later.', extra: 'required inputmode="numeric" pattern="[0-9]{4,6}" maxlength="6" autocomplete="off"' })}
${inputField({ form: 'group', name: 'name', label: 'Name', value: form.name, errors: form.errors, extra: 'required maxlength="200"' })}
<p class="oc-help">An API key is generated and shown once on the next page.</p>
<button type="submit">Create group</button>
</form>
</section>`,
  });
}

/** The answer to creating a group or rotating its key: the key, this once. */
export function apiKeyShownPage(options: {
  viewer: AdminViewer;
  group: Group;
  apiKey: string;
  created: boolean;
}): string {
  const { group } = options;
  return adminPage({
    title: options.created ? `Group ${group.id} created` : `New API key for group ${group.id}`,
    section: 'groups',
    viewer: options.viewer,
    notice: options.created
      ? `Group ${group.id} (${group.name}) was created.`
      : 'The API key was replaced. The old key and every login key it signed no longer work.',
    body: `<section class="oc-panel" aria-labelledby="key-title">
<h2 id="key-title">API key of group ${escapeHtml(group.id)}</h2>
<p><strong>Copy it now: it is shown only this once.</strong> Your CRM signs login keys with it, and REST calls send it as <code>Authorization: Bearer &lt;key&gt;</code>.</p>
<label for="api-key">API key</label>
<input id="api-key" class="oc-secret" readonly value="${escapeHtml(options.apiKey)}" autocomplete="off" spellcheck="false">
<p><a href="/admin/groups/${encodeURIComponent(group.id)}">Continue to the group’s settings</a></p>
</section>`,
  });
}

/** Form values of a site's settings (as stored, or as submitted with errors). */
export interface SettingsFormValues {
  maskedSelectors: string;
  trustedDomains: string;
  randomKeyLength: string;
  allowDuplicateKeys: boolean;
  allowRemoteControl: boolean;
  termsText: string;
  termsUrl: string;
  sessionCodeExpiryMinutes: string;
}

/** The form values of stored settings. */
export function settingsFormValues(settings: SiteSettings): SettingsFormValues {
  return {
    maskedSelectors: settings.maskedSelectors.join('\n'),
    trustedDomains: settings.trustedDomains.join('\n'),
    randomKeyLength: String(settings.randomKeyLength),
    allowDuplicateKeys: settings.allowDuplicateKeys,
    allowRemoteControl: settings.allowRemoteControl,
    termsText: settings.termsText,
    termsUrl: settings.termsUrl,
    sessionCodeExpiryMinutes: String(settings.sessionCodeExpiryMinutes),
  };
}

const SITE_TITLES: Readonly<Record<Site, string>> = {
  staging: 'Staging site settings',
  production: 'Production site settings',
};

function settingsForm(
  viewer: AdminViewer,
  group: Group,
  site: Site,
  values: SettingsFormValues,
  errors: FieldErrors,
): string {
  const form = `settings-${site}`;
  const common = { form, errors };
  return `<section aria-labelledby="${form}-title" class="oc-panel" id="${form}">
<h2 id="${form}-title">${SITE_TITLES[site]}</h2>
<p class="oc-help">For pages whose script tag says <code>data-site="${site}"</code>. Changes apply to sessions that start after saving; the customer’s site does not change.</p>
${errorSummary(form, errors, SETTINGS_LABELS)}
<form method="post" action="/admin/groups/${encodeURIComponent(group.id)}/settings/${site}" class="oc-form" novalidate>
${csrfField(viewer.csrfToken)}
${textareaField({ ...common, name: 'maskedSelectors', label: SETTINGS_LABELS.maskedSelectors, value: values.maskedSelectors, rows: 4, help: 'CSS selectors, one per line (for example #card-number or .balance). Their content never leaves the visitor’s browser. Elements marked glance_masked and password fields are always masked.', extra: 'spellcheck="false"' })}
${textareaField({ ...common, name: 'trustedDomains', label: SETTINGS_LABELS.trustedDomains, value: values.trustedDomains, rows: 3, help: 'Hosts the agent may send the visitor to and the session may follow, one per line (shop.example.com or *.example.com), or the URL of a cross-domain helper page on that host (https://shop.example.com/cobrowse-helper.html).', extra: 'spellcheck="false"' })}
${inputField({ ...common, name: 'randomKeyLength', label: SETTINGS_LABELS.randomKeyLength, value: values.randomKeyLength, type: 'number', help: 'Length of the code a visitor reads out, 4 to 9.', extra: 'min="4" max="9" step="1" required' })}
${inputField({ ...common, name: 'sessionCodeExpiryMinutes', label: `${SETTINGS_LABELS.sessionCodeExpiryMinutes} (minutes)`, value: values.sessionCodeExpiryMinutes, type: 'number', help: 'How long a code stays valid while no agent has joined, 1 to 1440.', extra: 'min="1" max="1440" step="1" required' })}
${checkboxField({ ...common, name: 'allowDuplicateKeys', label: SETTINGS_LABELS.allowDuplicateKeys, checked: values.allowDuplicateKeys, help: 'A second visitor with the same key takes it over instead of being refused.' })}
${checkboxField({ ...common, name: 'allowRemoteControl', label: SETTINGS_LABELS.allowRemoteControl, checked: values.allowRemoteControl, help: 'Agents with the privilege may ask the visitor for control.' })}
${textareaField({ ...common, name: 'termsText', label: SETTINGS_LABELS.termsText, value: values.termsText, rows: 3, help: 'Shown to the visitor before a session starts; empty for the default text.' })}
${inputField({ ...common, name: 'termsUrl', label: SETTINGS_LABELS.termsUrl, value: values.termsUrl, type: 'url', help: 'An http(s) link shown in the terms dialog; empty for none.', extra: 'maxlength="2000"' })}
<button type="submit">Save ${site} settings</button>
</form>
</section>`;
}

/** One group: its name, API key and both sites' settings. */
export function groupPage(options: {
  viewer: AdminViewer;
  group: Group;
  settings: Record<Site, SettingsFormValues>;
  /** Errors of one form, when it was just submitted with mistakes. */
  errors?: { form: 'name' | Site; errors: FieldErrors };
  name?: string;
  notice?: string;
}): string {
  const { group, viewer } = options;
  const errorsOf = (form: 'name' | Site) =>
    options.errors?.form === form ? options.errors.errors : NO_ERRORS;
  const base = `/admin/groups/${encodeURIComponent(group.id)}`;
  return adminPage({
    title: `Group ${group.id}: ${group.name}`,
    section: 'groups',
    viewer,
    ...(options.notice ? { notice: options.notice } : {}),
    body: `<p><a href="/admin/agents?group=${encodeURIComponent(group.id)}">Agents of this group</a> · <a href="/admin/audit?groupId=${encodeURIComponent(group.id)}">Audit log of this group</a></p>
<section aria-labelledby="name-title" class="oc-panel">
<h2 id="name-title">Name</h2>
${errorSummary('name', errorsOf('name'), { name: 'Name' })}
<form method="post" action="${base}" class="oc-form" novalidate>
${csrfField(viewer.csrfToken)}
${inputField({ form: 'name', name: 'name', label: 'Name', value: options.name ?? group.name, errors: errorsOf('name'), extra: 'required maxlength="200"' })}
<button type="submit">Rename</button>
</form>
</section>
<section aria-labelledby="key-title" class="oc-panel">
<h2 id="key-title">API key</h2>
<p>${group.apiKey ? 'This group has an API key. It is never shown again after it is made.' : 'This group has no API key: SSO login keys and REST calls with a key do not work for it.'}</p>
<form method="post" action="${base}/api-key" class="oc-form">
${csrfField(viewer.csrfToken)}
<p class="oc-help" id="rotate-help">A new key is shown once. The old key stops working at once, and so do login keys signed with it: update your CRM right away.</p>
<button type="submit" aria-describedby="rotate-help">${group.apiKey ? 'Replace the API key' : 'Create an API key'}</button>
</form>
</section>
${settingsForm(viewer, group, 'staging', options.settings.staging, errorsOf('staging'))}
${settingsForm(viewer, group, 'production', options.settings.production, errorsOf('production'))}`,
  });
}
