/**
 * The agent's keyboard on the visitor's page: key presses and typed text, with the event
 * sequence a user's keyboard produces (keydown, keypress, beforeinput, the edit, input,
 * keyup) and the browser's default actions done by hand, since untrusted key events have
 * none: text editing with the native value setter (so React's value tracker sees a change),
 * `change` on Enter and on leaving the field, implicit form submission, Tab focus moves,
 * Enter and Space activating buttons and links, select-all, contenteditable editing.
 */
import { editableKey, editingHost, insertIntoEditable } from './contenteditable.js';
import { codeOf, fireEvent, fireInput, fireKey } from './synth.js';
import { nextTabbable } from './tabbable.js';
import { editForKey, insertText, type FieldEdit, type FieldState, type Modifiers } from './text-edit.js';
import { windowOf } from './targets.js';

type TextField = HTMLInputElement | HTMLTextAreaElement;

/** Input types whose value is typed text. */
const TEXT_TYPES = new Set(['text', 'search', 'url', 'tel', 'password', 'email', 'number', '']);
/** Input types whose selection can be read and set (`selectionStart` throws or is null for the others). */
const SELECTABLE_TYPES = new Set(['text', 'search', 'url', 'tel', 'password', '']);
/** Input types that block implicit submission when a form has several of them and no submit button. */
const BLOCKING_TYPES = new Set([...TEXT_TYPES, 'date', 'datetime-local', 'month', 'time', 'week']);

/** The text field an element is, if it is one that takes typing. */
export function asTextField(element: Element): TextField | null {
  if (element.localName === 'textarea') return element as HTMLTextAreaElement;
  if (element.localName === 'input' && TEXT_TYPES.has((element as HTMLInputElement).type)) return element as HTMLInputElement;
  return null;
}

const isSelectable = (field: TextField) => field.localName === 'textarea' || SELECTABLE_TYPES.has(field.type);

/** A single character (one code point) that typing inserts. */
const isPrintable = (key: string) => [...key].length === 1;

/** Whether an element is a button for Enter/Space (clicked by them). */
function isButtonLike(element: Element): boolean {
  const tag = element.localName;
  if (tag === 'button' || tag === 'summary') return true;
  if (tag === 'input') return ['button', 'submit', 'reset', 'image', 'checkbox', 'radio'].includes((element as HTMLInputElement).type);
  return element.getAttribute('role') === 'button';
}

/** The agent's keyboard; one per session (it remembers fields edited and not yet committed). */
export class AgentKeyboard {
  /** Fields edited since their last `change`: `change` fires on Enter or when they lose focus. */
  private readonly dirty = new WeakSet<Element>();

  /** Presses one key on `element` (the focused element, or the one the agent aimed at). */
  press(element: Element, key: string, code: string, modifiers: Modifiers = {}): void {
    const shortcut = modifiers.ctrl === true || modifiers.meta === true;
    if (!fireKey(element, 'keydown', key, code, modifiers)) {
      fireKey(element, 'keyup', key, code, modifiers);
      return;
    }
    if (isPrintable(key) && !shortcut) {
      if (fireKey(element, 'keypress', key, code, modifiers)) {
        if (key === ' ' && isButtonLike(element)) {
          // Space activates a button when released.
          fireKey(element, 'keyup', key, code, modifiers);
          (element as HTMLElement).click();
          return;
        }
        this.insert(element, key);
      }
    } else if (key === 'Enter' && !shortcut) {
      if (fireKey(element, 'keypress', key, code, modifiers)) this.enter(element, modifiers);
    } else {
      this.defaultAction(element, key, modifiers);
    }
    fireKey(element, 'keyup', key, code, modifiers);
  }

  /** Types `text` into `element`, one character at a time (a line break presses Enter). */
  type(element: Element, text: string): void {
    for (const char of text) {
      // Focus may move while typing (a page's auto-advance): keep typing where it went.
      const target = activeIn(element) ?? element;
      if (char === '\n' || char === '\r') this.press(target, 'Enter', 'Enter');
      else if (char === '\t') this.press(target, 'Tab', 'Tab');
      else this.press(target, char, codeOf(char));
    }
  }

  /** Fires `change` for a field edited since its last `change` (on Enter, or when focus leaves it). */
  commit(element: Element): void {
    if (!this.dirty.has(element)) return;
    this.dirty.delete(element);
    fireEvent(element, 'change');
  }

  private insert(element: Element, text: string): void {
    const field = asTextField(element);
    if (field) {
      if (field.readOnly || field.disabled) return;
      const edit = insertText(readField(field), text);
      if (fireInput(field, 'beforeinput', edit.inputType!, edit.data)) this.apply(field, edit);
      return;
    }
    const host = editingHost(element);
    if (host) insertIntoEditable(host, text);
  }

  private enter(element: Element, modifiers: Modifiers): void {
    const field = asTextField(element);
    if (field?.localName === 'textarea') {
      this.defaultAction(element, 'Enter', modifiers);
      return;
    }
    if (field) {
      this.commit(field);
      submitImplicitly(field as HTMLInputElement);
      return;
    }
    if (editingHost(element)) {
      this.defaultAction(element, 'Enter', modifiers);
      return;
    }
    const tag = element.localName;
    if ((tag === 'a' && element.hasAttribute('href')) || (isButtonLike(element) && !['checkbox', 'radio'].includes((element as HTMLInputElement).type))) {
      (element as HTMLElement).click();
    }
  }

  private defaultAction(element: Element, key: string, modifiers: Modifiers): void {
    if (key === 'Tab') {
      this.tab(element, modifiers.shift === true);
      return;
    }
    const field = asTextField(element);
    if (field) {
      if (!isSelectable(field) && key !== 'Backspace' && key !== 'Delete' && !((modifiers.ctrl || modifiers.meta) && key.toLowerCase() === 'a')) return;
      const edit = editForKey(readField(field), key, modifiers, field.localName === 'textarea');
      if (!edit) return;
      if (edit.inputType) {
        if (field.readOnly || field.disabled) return;
        if (fireInput(field, 'beforeinput', edit.inputType, edit.data)) this.apply(field, edit);
      } else if (isSelectable(field)) {
        field.setSelectionRange(edit.start, edit.end, edit.direction);
      } else {
        field.select();
      }
      return;
    }
    const host = editingHost(element);
    if (host) {
      editableKey(host, key, modifiers);
      return;
    }
    if ((modifiers.ctrl || modifiers.meta) && key.toLowerCase() === 'a') {
      const body = element.ownerDocument.body;
      if (body) element.ownerDocument.getSelection()?.selectAllChildren(body);
    }
  }

  /** Moves focus as Tab does; the field left behind gets its `change`. */
  private tab(element: Element, backward: boolean): void {
    const doc = element.ownerDocument;
    const from = activeIn(element) ?? (element === doc.body ? null : element);
    const next = nextTabbable(doc, from, backward);
    if (from) this.commit(from);
    if (next) {
      next.focus();
      const field = asTextField(next);
      // Tabbing into a text field selects its text, as browsers do.
      if (field && isSelectable(field) && field.localName === 'input') field.select();
    } else {
      (from as HTMLElement | null)?.blur?.();
    }
  }

  /** Writes an edit with the native setter, restores the selection and fires `input`. */
  private apply(field: TextField, edit: FieldEdit): void {
    setNativeValue(field, edit.value);
    if (isSelectable(field)) field.setSelectionRange(edit.start, edit.end, edit.direction);
    fireInput(field, 'input', edit.inputType!, edit.data);
    if (!this.dirty.has(field)) {
      this.dirty.add(field);
      // A real edit is committed when the field loses focus, whoever moves it.
      field.addEventListener('blur', () => this.commit(field), { once: true });
    }
  }
}

/** The focused element of `element`'s document (inside open shadow roots), or null for the body. */
function activeIn(element: Element): Element | null {
  let active = element.ownerDocument.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active && active !== element.ownerDocument.body ? active : null;
}

/** A field's value and selection (the end of the value where the type has no selection). */
function readField(field: TextField): FieldState {
  const value = field.value;
  if (!isSelectable(field)) return { value, start: value.length, end: value.length, direction: 'none' };
  const start = field.selectionStart ?? value.length;
  const end = field.selectionEnd ?? start;
  return { value, start, end, direction: field.selectionDirection ?? 'none' };
}

/**
 * Sets `value` through the prototype's setter, not the element's own property: React
 * (and others) replace the instance's `value` to track what they set, and only a change
 * they did not make is reported to the app as the user's input.
 */
export function setNativeValue(field: TextField, value: string): void {
  const win = windowOf(field);
  const proto = field.localName === 'textarea' ? win.HTMLTextAreaElement.prototype : win.HTMLInputElement.prototype;
  const setter = Object.getOwnPropertyDescriptor(proto, 'value')?.set;
  if (setter) setter.call(field, value);
  else field.value = value;
}

/**
 * Enter in a single-line field submits its form as a browser does: by clicking the form's
 * default button, or, without one, by submitting when the field is the form's only one.
 */
function submitImplicitly(field: HTMLInputElement): void {
  const form = field.form;
  if (!form) return;
  const controls = Array.from(form.elements) as HTMLInputElement[];
  const submitter = controls.find(
    (control) => (control.localName === 'button' && control.type === 'submit') || (control.localName === 'input' && (control.type === 'submit' || control.type === 'image')),
  );
  if (submitter) {
    if (!submitter.disabled) submitter.click();
    return;
  }
  const blocking = controls.filter((control) => control.localName === 'input' && BLOCKING_TYPES.has(control.type));
  if (blocking.length <= 1) form.requestSubmit();
}
