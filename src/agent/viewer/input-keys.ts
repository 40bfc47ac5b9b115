/**
 * What an agent's key press over the mirror means for the visitor's page under remote
 * control ([RC5]): typed text, a key (Enter, Tab, Backspace, arrows, F-keys…), a shortcut
 * with modifiers (select-all, undo…), a paste, or nothing (modifier keys alone, IME
 * composition, dead keys). Pure, so every rule is unit-tested.
 */

/** The key event fields the mapping reads. */
export interface KeyLike {
  key: string;
  code: string;
  ctrlKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  metaKey: boolean;
  isComposing?: boolean;
  /** `getModifierState('AltGraph')`: Ctrl+Alt that types a character on some layouts. */
  altGraph?: boolean;
}

/** Modifier flags, only the pressed ones. */
export interface KeyModifiers {
  ctrl?: boolean;
  alt?: boolean;
  shift?: boolean;
  meta?: boolean;
}

/** What to send. */
export type KeyAction =
  | { kind: 'text'; text: string }
  | { kind: 'key'; key: string; code: string; modifiers?: KeyModifiers }
  /** Ctrl/Cmd+V into a text field: send the agent's clipboard text. */
  | { kind: 'paste' }
  | null;

/** Longest `key` and `code` the protocol carries. */
const MAX_KEY_CHARS = 32;

/** Keys that do nothing by themselves or belong to an input method. */
const IGNORED = new Set([
  'Shift',
  'Control',
  'Alt',
  'AltGraph',
  'Meta',
  'OS',
  'Fn',
  'FnLock',
  'Hyper',
  'Super',
  'CapsLock',
  'NumLock',
  'ScrollLock',
  'Dead',
  'Process',
  'Compose',
  'Unidentified',
]);

/**
 * Maps a key press. `editable`: the focused mirror element takes text (a text field,
 * textarea or contenteditable); elsewhere a character key is sent as a key press, so a
 * page's own shortcuts (and Space on a button) work as they would for the visitor.
 */
export function keyAction(event: KeyLike, editable: boolean): KeyAction {
  const { key, code } = event;
  if (event.isComposing || IGNORED.has(key) || key.length === 0 || key.length > MAX_KEY_CHARS) return null;
  const altGraph = event.altGraph === true;
  // AltGr reports Ctrl+Alt on Windows: it types a character, it is not a shortcut.
  const ctrl = event.ctrlKey && !altGraph;
  const alt = event.altKey && !altGraph;
  const printable = [...key].length === 1;
  if (printable && editable && (ctrl || event.metaKey) && !alt && key.toLowerCase() === 'v') return { kind: 'paste' };
  if (printable && editable && !ctrl && !alt && !event.metaKey) return { kind: 'text', text: key };
  const modifiers: KeyModifiers = {};
  if (ctrl) modifiers.ctrl = true;
  if (alt) modifiers.alt = true;
  // Shift is part of a typed character already ("A", "!"); for other keys it is a modifier.
  if (event.shiftKey && !(printable && !ctrl && !alt && !event.metaKey)) modifiers.shift = true;
  if (event.metaKey) modifiers.meta = true;
  const action: KeyAction = { kind: 'key', key, code: code.slice(0, MAX_KEY_CHARS) };
  if (Object.keys(modifiers).length > 0) action.modifiers = modifiers;
  return action;
}

/** Input types that take typed text. */
const TEXT_INPUT_TYPES = new Set(['text', 'search', 'email', 'url', 'tel', 'password', 'number', '']);

/** Whether `element` takes typed text: a text-like input, a textarea or contenteditable. */
export function isTextEntry(element: Element | null): boolean {
  if (!element) return false;
  const name = element.localName;
  if (name === 'textarea') return !(element as HTMLTextAreaElement).readOnly && !(element as HTMLTextAreaElement).disabled;
  if (name === 'input') {
    const input = element as HTMLInputElement;
    const type = (input.getAttribute('type') ?? '').toLowerCase();
    return TEXT_INPUT_TYPES.has(type) && !input.readOnly && !input.disabled;
  }
  return (element as HTMLElement).isContentEditable === true;
}
