/**
 * What a key does to a text field's value and selection, as a browser would do it: pure
 * functions over `{value, start, end, direction}`, so the remote-control keyboard can
 * apply them with the native value setter and fire the matching `input` event.
 */

/** A text field's value and selection. */
export interface FieldState {
  value: string;
  start: number;
  end: number;
  /** Which end of the selection moves when it is extended. */
  direction: 'forward' | 'backward' | 'none';
}

/** The state after a key, and the `InputEvent` it produces (`inputType` null: the value did not change). */
export interface FieldEdit extends FieldState {
  inputType: string | null;
  data: string | null;
}

/** Key modifiers as remote-control events carry them. */
export interface Modifiers {
  ctrl?: boolean;
  alt?: boolean;
  shift?: boolean;
  meta?: boolean;
}

const isHigh = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLow = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/** The index one character (not one UTF-16 unit) before `at`. */
function previousChar(value: string, at: number): number {
  if (at <= 0) return 0;
  return at >= 2 && isLow(value.charCodeAt(at - 1)) && isHigh(value.charCodeAt(at - 2)) ? at - 2 : at - 1;
}

/** The index one character after `at`. */
function nextChar(value: string, at: number): number {
  if (at >= value.length) return value.length;
  return isHigh(value.charCodeAt(at)) && isLow(value.charCodeAt(at + 1)) ? at + 2 : at + 1;
}

const WORD = /[\p{L}\p{N}_]/u;

/** Start of the word before `at` (spaces then word characters), as Ctrl+Left moves. */
function previousWord(value: string, at: number): number {
  let i = at;
  while (i > 0 && !WORD.test(value[i - 1]!)) i--;
  while (i > 0 && WORD.test(value[i - 1]!)) i--;
  return i;
}

/** End of the word after `at`, as Ctrl+Right moves. */
function nextWord(value: string, at: number): number {
  let i = at;
  while (i < value.length && !WORD.test(value[i]!)) i++;
  while (i < value.length && WORD.test(value[i]!)) i++;
  return i;
}

/** Caret position one line up or down in a multi-line value, keeping the column. */
function verticalMove(value: string, at: number, down: boolean): number {
  const lineStart = value.lastIndexOf('\n', at - 1) + 1;
  const column = at - lineStart;
  if (down) {
    const lineEnd = value.indexOf('\n', at);
    if (lineEnd < 0) return value.length;
    const nextEnd = value.indexOf('\n', lineEnd + 1);
    return Math.min(lineEnd + 1 + column, nextEnd < 0 ? value.length : nextEnd);
  }
  if (lineStart === 0) return 0;
  const previousStart = value.lastIndexOf('\n', lineStart - 2) + 1;
  return Math.min(previousStart + column, lineStart - 1);
}

/** Replaces the selection with `text`; the caret ends after it. */
export function insertText(state: FieldState, text: string, inputType = 'insertText'): FieldEdit {
  const value = state.value.slice(0, state.start) + text + state.value.slice(state.end);
  const caret = state.start + text.length;
  return { value, start: caret, end: caret, direction: 'none', inputType, data: text };
}

function deleteRange(state: FieldState, from: number, to: number, inputType: string): FieldEdit | null {
  if (from === to) return null;
  const value = state.value.slice(0, from) + state.value.slice(to);
  return { value, start: from, end: from, direction: 'none', inputType, data: null };
}

function select(state: FieldState, anchor: number, focus: number): FieldEdit {
  const start = Math.min(anchor, focus);
  const end = Math.max(anchor, focus);
  const direction = start === end ? 'none' : focus < anchor ? 'backward' : 'forward';
  return { value: state.value, start, end, direction, inputType: null, data: null };
}

/**
 * The effect of a non-printing key (Backspace, Delete, arrows, Home, End, Enter in a
 * multi-line field, select-all) on a field, or null when the key changes nothing there.
 *
 * @param multiline a textarea (Enter inserts a line break, Up/Down move between lines)
 */
export function editForKey(state: FieldState, key: string, modifiers: Modifiers, multiline: boolean): FieldEdit | null {
  const { value, start, end } = state;
  const word = modifiers.ctrl === true || modifiers.alt === true;
  const collapsed = start === end;
  if ((modifiers.ctrl || modifiers.meta) && key.toLowerCase() === 'a') return select(state, 0, value.length);
  switch (key) {
    case 'Backspace':
      if (!collapsed) return deleteRange(state, start, end, 'deleteContentBackward');
      return word
        ? deleteRange(state, previousWord(value, start), start, 'deleteWordBackward')
        : deleteRange(state, previousChar(value, start), start, 'deleteContentBackward');
    case 'Delete':
      if (!collapsed) return deleteRange(state, start, end, 'deleteContentForward');
      return word
        ? deleteRange(state, start, nextWord(value, start), 'deleteWordForward')
        : deleteRange(state, start, nextChar(value, start), 'deleteContentForward');
    case 'Enter':
      return multiline ? insertText(state, '\n', 'insertLineBreak') : null;
  }
  // Caret movement: the focus end moves; without Shift the selection collapses.
  const anchor = state.direction === 'backward' ? end : start;
  const focus = state.direction === 'backward' ? start : end;
  let target: number;
  switch (key) {
    case 'ArrowLeft':
      if (!modifiers.shift && !collapsed && !word) return select(state, start, start);
      target = word ? previousWord(value, focus) : previousChar(value, focus);
      break;
    case 'ArrowRight':
      if (!modifiers.shift && !collapsed && !word) return select(state, end, end);
      target = word ? nextWord(value, focus) : nextChar(value, focus);
      break;
    case 'ArrowUp':
      target = multiline ? verticalMove(value, focus, false) : 0;
      break;
    case 'ArrowDown':
      target = multiline ? verticalMove(value, focus, true) : value.length;
      break;
    case 'Home':
      target = multiline && !modifiers.ctrl ? value.lastIndexOf('\n', focus - 1) + 1 : 0;
      break;
    case 'End': {
      const lineEnd = value.indexOf('\n', focus);
      target = multiline && !modifiers.ctrl && lineEnd >= 0 ? lineEnd : value.length;
      break;
    }
    default:
      return null;
  }
  return modifiers.shift ? select(state, anchor, target) : select(state, target, target);
}
