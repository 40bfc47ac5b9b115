/**
 * Building blocks of the admin pages (docs/admin.md): the layout with its navigation, and
 * form fields that are accessible by construction — every control has a `<label>`, help
 * and errors are tied to it with `aria-describedby`, a field in error says so with
 * `aria-invalid`, and the error summary at the top links to each field.
 *
 * Plain server-rendered HTML: no script, so the strict page CSP holds; values are escaped.
 */
import type { InputIssue } from '../../auth/account-schemas.js';
import type { Agent } from '../../store/store.js';
import { escapeHtml, renderPage } from '../html.js';

/** Sections of the admin UI, for the navigation. */
export type AdminSection = 'groups' | 'agents' | 'audit';

/** The signed-in administrator, as pages need them. */
export interface AdminViewer {
  agent: Agent;
  csrfToken: string;
}

/** The hidden CSRF field every admin form carries. */
export function csrfField(token: string): string {
  return `<input type="hidden" name="csrf" value="${escapeHtml(token)}">`;
}

/** A whole admin page. */
export function adminPage(options: {
  title: string;
  section: AdminSection;
  viewer: AdminViewer;
  body: string;
  /** A short confirmation shown at the top (`role=status`). */
  notice?: string;
}): string {
  const link = (section: AdminSection, href: string, text: string) =>
    `<li><a href="${href}"${options.section === section ? ' aria-current="page"' : ''}>${text}</a></li>`;
  const notice = options.notice
    ? `<p class="oc-notice" role="status">${escapeHtml(options.notice)}</p>`
    : '';
  const { agent } = options.viewer;
  return renderPage({
    title: `${options.title} — OpenCobrowse administration`,
    body: `<a class="oc-skip" href="#oc-main">Skip to content</a>
<header class="oc-header">
<p class="oc-brand">OpenCobrowse administration</p>
<nav aria-label="Administration">
<ul class="oc-nav">
${link('groups', '/admin/groups', 'Groups')}
${link('agents', '/admin/agents', 'Agents')}
${link('audit', '/admin/audit', 'Audit log')}
<li><a href="/console">Agent console</a></li>
</ul>
</nav>
<p>Signed in as <strong>${escapeHtml(agent.displayName || agent.username)}</strong></p>
<form method="post" action="/logout">${csrfField(options.viewer.csrfToken)}<button type="submit" class="oc-link-button">Sign out</button></form>
</header>
<main id="oc-main" class="oc-admin" tabindex="-1">
<h1>${escapeHtml(options.title)}</h1>
${notice}
${options.body}
</main>`,
  });
}

/** Errors of one form, by field name (the part of the issue's path before any `.` or `[`). */
export type FieldErrors = ReadonlyMap<string, string>;

/** Groups issues by top-level field. */
export function fieldErrors(issues: readonly InputIssue[]): Map<string, string> {
  const errors = new Map<string, string>();
  for (const issue of issues) {
    const field = issue.field.split(/[.[]/)[0] ?? '';
    const message = issue.field.includes('[') ? `${issue.field}: ${issue.message}` : issue.message;
    errors.set(field, errors.has(field) ? `${errors.get(field)}; ${message}` : message);
  }
  return errors;
}

/** The id of a form control. */
export function fieldId(form: string, name: string): string {
  return `f-${form}-${name}`;
}

/** "There is a problem" with a link to each field in error. */
export function errorSummary(
  form: string,
  errors: FieldErrors,
  labels: Readonly<Record<string, string>>,
): string {
  if (errors.size === 0) return '';
  const items = [...errors]
    .map(([name, message]) => {
      const label = labels[name] ?? (name || 'Form');
      const text = `${escapeHtml(label)}: ${escapeHtml(message)}`;
      return name && labels[name]
        ? `<li><a href="#${fieldId(form, name)}">${text}</a></li>`
        : `<li>${text}</li>`;
    })
    .join('');
  return `<div class="oc-error" role="alert" id="${form}-errors"><p><strong>Nothing was saved. Please correct:</strong></p><ul>${items}</ul></div>`;
}

interface FieldOptions {
  form: string;
  name: string;
  label: string;
  errors?: FieldErrors;
  help?: string;
}

/** The help and error lines of a field, and the attributes that point at them. */
function describedBy(options: FieldOptions): { html: string; attrs: string } {
  const id = fieldId(options.form, options.name);
  const ids: string[] = [];
  let html = '';
  if (options.help) {
    ids.push(`${id}-help`);
    html += `<p class="oc-help" id="${id}-help">${escapeHtml(options.help)}</p>`;
  }
  const error = options.errors?.get(options.name);
  if (error) {
    ids.push(`${id}-error`);
    html += `<p class="oc-field-error" id="${id}-error">${escapeHtml(error)}</p>`;
  }
  const attrs =
    (ids.length ? ` aria-describedby="${ids.join(' ')}"` : '') +
    (error ? ' aria-invalid="true"' : '');
  return { html, attrs };
}

/** A labelled `<input>`. `extra` is trusted attribute text (`required maxlength="50"`). */
export function inputField(
  options: FieldOptions & { value: string; type?: string; extra?: string },
): string {
  const id = fieldId(options.form, options.name);
  const { html, attrs } = describedBy(options);
  return `<div class="oc-field"><label for="${id}">${escapeHtml(options.label)}</label>
<input id="${id}" name="${options.name}" type="${options.type ?? 'text'}" value="${escapeHtml(options.value)}"${attrs}${options.extra ? ` ${options.extra}` : ''}>
${html}</div>`;
}

/** A labelled `<textarea>`. */
export function textareaField(
  options: FieldOptions & { value: string; rows?: number; extra?: string },
): string {
  const id = fieldId(options.form, options.name);
  const { html, attrs } = describedBy(options);
  return `<div class="oc-field"><label for="${id}">${escapeHtml(options.label)}</label>
<textarea id="${id}" name="${options.name}" rows="${options.rows ?? 4}"${attrs}${options.extra ? ` ${options.extra}` : ''}>${escapeHtml(options.value)}</textarea>
${html}</div>`;
}

/** A checkbox with its label after it. */
export function checkboxField(
  options: FieldOptions & { checked: boolean; value?: string },
): string {
  const id = fieldId(options.form, options.name);
  const { html, attrs } = describedBy(options);
  return `<div class="oc-check"><input id="${id}" name="${options.name}" type="checkbox" value="${escapeHtml(options.value ?? 'on')}"${options.checked ? ' checked' : ''}${attrs}>
<label for="${id}">${escapeHtml(options.label)}</label>
${html}</div>`;
}

/** A labelled `<select>`. */
export function selectField(
  options: FieldOptions & { value: string; choices: readonly { value: string; text: string }[] },
): string {
  const id = fieldId(options.form, options.name);
  const { html, attrs } = describedBy(options);
  const choices = options.choices
    .map(
      (choice) =>
        `<option value="${escapeHtml(choice.value)}"${choice.value === options.value ? ' selected' : ''}>${escapeHtml(choice.text)}</option>`,
    )
    .join('');
  return `<div class="oc-field"><label for="${id}">${escapeHtml(options.label)}</label>
<select id="${id}" name="${options.name}"${attrs}>${choices}</select>
${html}</div>`;
}

/** A time as the admin pages show it: `2024-05-01 14:03:12 UTC`. */
export function utcTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `<time datetime="${iso}">${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC</time>`;
}
