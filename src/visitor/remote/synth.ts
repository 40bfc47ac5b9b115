/**
 * Building and dispatching the events a real user's input produces, with the real
 * constructors of the element's own window (so `instanceof` checks of the page and of
 * frameworks hold, also inside same-origin iframes). Each function returns whether the
 * default action may go ahead (the event was not cancelled).
 */
import type { Modifiers } from './text-edit.js';
import { windowOf } from './targets.js';

/** Legacy `keyCode`s of the keys agents press (many pages still read `keyCode`). */
const KEY_CODES: Readonly<Record<string, number>> = {
  Backspace: 8,
  Tab: 9,
  Enter: 13,
  Shift: 16,
  Control: 17,
  Alt: 18,
  Escape: 27,
  ' ': 32,
  PageUp: 33,
  PageDown: 34,
  End: 35,
  Home: 36,
  ArrowLeft: 37,
  ArrowUp: 38,
  ArrowRight: 39,
  ArrowDown: 40,
  Delete: 46,
};

/** The legacy key code of a key. */
export function keyCodeOf(key: string): number {
  if (Object.hasOwn(KEY_CODES, key)) return KEY_CODES[key]!;
  if (key.length === 1) {
    const upper = key.toUpperCase();
    if (/[A-Z0-9]/.test(upper)) return upper.charCodeAt(0);
  }
  return 0;
}

/** The `code` a key has on a US keyboard when the agent's event did not say. */
export function codeOf(key: string): string {
  if (/^[a-z]$/i.test(key)) return `Key${key.toUpperCase()}`;
  if (/^[0-9]$/.test(key)) return `Digit${key}`;
  if (key === ' ') return 'Space';
  return key.length === 1 ? '' : key;
}

const modifierInit = (modifiers: Modifiers = {}) => ({
  ctrlKey: modifiers.ctrl === true,
  altKey: modifiers.alt === true,
  shiftKey: modifiers.shift === true,
  metaKey: modifiers.meta === true,
});

/** Fires `keydown`, `keypress` or `keyup`. */
export function fireKey(element: Element, type: 'keydown' | 'keypress' | 'keyup', key: string, code: string, modifiers?: Modifiers): boolean {
  const win = windowOf(element);
  const keyCode = type === 'keypress' ? (key === 'Enter' ? 13 : key.codePointAt(0) ?? 0) : keyCodeOf(key);
  const init = {
    key,
    code,
    keyCode,
    which: keyCode,
    charCode: type === 'keypress' ? keyCode : 0,
    bubbles: true,
    cancelable: true,
    composed: true,
    view: win,
    ...modifierInit(modifiers),
  } as KeyboardEventInit;
  return element.dispatchEvent(new win.KeyboardEvent(type, init));
}

/** Fires `beforeinput` (cancelable) or `input` as an `InputEvent`. */
export function fireInput(element: Element, type: 'beforeinput' | 'input', inputType: string, data: string | null): boolean {
  const win = windowOf(element);
  const init: InputEventInit = { inputType, data, bubbles: true, cancelable: type === 'beforeinput', composed: true, view: win };
  return element.dispatchEvent(new win.InputEvent(type, init));
}

/** Fires a plain bubbling event (`change`, `select`…). */
export function fireEvent(element: Element, type: string): boolean {
  const win = windowOf(element);
  return element.dispatchEvent(new win.Event(type, { bubbles: true, cancelable: false }));
}

/** What a mouse or pointer event carries. */
export interface MouseInit {
  x: number;
  y: number;
  button?: number;
  modifiers?: Modifiers;
  detail?: number;
  relatedTarget?: Element | null;
}

/** Bits of `buttons` while `button` is held. */
const BUTTONS = [1, 4, 2];

/**
 * Fires a mouse event (`mousedown`, `click`, `dblclick`, `contextmenu`, `mouseover`…).
 * `held` says whether the button is down during it (`buttons`).
 */
export function fireMouse(element: Element, type: string, init: MouseInit, held = false): boolean {
  const win = windowOf(element);
  const button = init.button ?? 0;
  const bubbles = type !== 'mouseenter' && type !== 'mouseleave';
  const event = new win.MouseEvent(type, {
    bubbles,
    cancelable: bubbles && type !== 'mousemove',
    composed: true,
    view: win,
    detail: init.detail ?? 0,
    clientX: init.x,
    clientY: init.y,
    screenX: init.x + win.screenX,
    screenY: init.y + win.screenY,
    button,
    buttons: held ? (BUTTONS[button] ?? 0) : 0,
    relatedTarget: init.relatedTarget ?? null,
    ...modifierInit(init.modifiers),
  });
  return element.dispatchEvent(event);
}

/** Fires a pointer event (a primary mouse pointer); a plain MouseEvent where PointerEvent is missing. */
export function firePointer(element: Element, type: string, init: MouseInit, held = false): boolean {
  const win = windowOf(element);
  if (typeof win.PointerEvent !== 'function') return true;
  const button = init.button ?? 0;
  const bubbles = type !== 'pointerenter' && type !== 'pointerleave';
  const event = new win.PointerEvent(type, {
    bubbles,
    cancelable: bubbles && type !== 'pointermove',
    composed: true,
    view: win,
    clientX: init.x,
    clientY: init.y,
    screenX: init.x + win.screenX,
    screenY: init.y + win.screenY,
    // Move events carry -1: no button changed.
    button: type === 'pointermove' || type === 'pointerover' || type === 'pointerout' ? -1 : button,
    buttons: held ? (BUTTONS[button] ?? 0) : 0,
    pointerId: 1,
    pointerType: 'mouse',
    isPrimary: true,
    width: 1,
    height: 1,
    pressure: held ? 0.5 : 0,
    relatedTarget: init.relatedTarget ?? null,
    ...modifierInit(init.modifiers),
  });
  return element.dispatchEvent(event);
}
