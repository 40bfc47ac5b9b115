/**
 * A light accessible name and role of an element, for announcing gestures to the
 * visitor's screen reader ([RC8]). It follows the common cases of the ARIA name
 * computation (labelledby, label, labels, alt, title, text content, placeholder) rather
 * than all of it: what is read is "Submit, button", not an audit.
 */

/** Longest name read, characters. */
const MAX_NAME = 150;

const INPUT_ROLES: Readonly<Record<string, string>> = {
  button: 'button',
  submit: 'button',
  reset: 'button',
  image: 'button',
  checkbox: 'checkbox',
  radio: 'radio',
  range: 'slider',
  search: 'searchbox',
};

const TAG_ROLES: Readonly<Record<string, string>> = {
  button: 'button',
  summary: 'button',
  textarea: 'textbox',
  img: 'img',
  ul: 'list',
  ol: 'list',
  li: 'listitem',
  table: 'table',
  form: 'form',
  nav: 'navigation',
  dialog: 'dialog',
  option: 'option',
  h1: 'heading',
  h2: 'heading',
  h3: 'heading',
  h4: 'heading',
  h5: 'heading',
  h6: 'heading',
};

/** The element's role: its `role` attribute, else the implicit role of its tag, else `generic`. */
export function roleOf(element: Element): string {
  const explicit = element.getAttribute('role')?.trim().split(/\s+/)[0];
  if (explicit) return explicit;
  const tag = element.localName;
  if (tag === 'a' || tag === 'area') return element.hasAttribute('href') ? 'link' : 'generic';
  if (tag === 'input') return INPUT_ROLES[(element as HTMLInputElement).type] ?? 'textbox';
  if (tag === 'select') {
    const select = element as HTMLSelectElement;
    return select.multiple || select.size > 1 ? 'listbox' : 'combobox';
  }
  return TAG_ROLES[tag] ?? 'generic';
}

const squash = (text: string | null | undefined) => (text ?? '').replace(/\s+/g, ' ').trim();

/** The element's accessible name, or '' when it has none. */
export function accessibleName(element: Element): string {
  const doc = element.ownerDocument;
  const labelledBy = element.getAttribute('aria-labelledby');
  let name = '';
  if (labelledBy) {
    name = squash(labelledBy.split(/\s+/).map((id) => doc.getElementById(id)?.textContent ?? '').join(' '));
  }
  name ||= squash(element.getAttribute('aria-label'));
  if (!name) {
    const tag = element.localName;
    if (tag === 'input' || tag === 'textarea' || tag === 'select') {
      const field = element as HTMLInputElement;
      name = squash(Array.from(field.labels ?? []).map((label) => label.textContent).join(' '));
      if (!name && (field.type === 'button' || field.type === 'submit' || field.type === 'reset')) name = squash(field.value);
      name ||= squash(field.getAttribute('placeholder'));
    } else if (tag === 'img' || tag === 'area' || (tag === 'input' && (element as HTMLInputElement).type === 'image')) {
      name = squash(element.getAttribute('alt'));
    } else {
      name = squash(element.textContent);
    }
  }
  name ||= squash(element.getAttribute('title'));
  return name.length > MAX_NAME ? name.slice(0, MAX_NAME - 1) + '…' : name;
}
