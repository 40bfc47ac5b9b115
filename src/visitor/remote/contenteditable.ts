/**
 * Editing `contenteditable` content for remote control: the selection is moved and the
 * DOM edited through Selection and Range, with `beforeinput` first (cancelable: editors
 * that handle input themselves cancel it and do their own edit) and `input` after.
 */
import { fireInput } from './synth.js';
import type { Modifiers } from './text-edit.js';

/** The editing host: the outermost contenteditable ancestor of `element`. */
export function editingHost(element: Element): HTMLElement | null {
  let host: HTMLElement | null = null;
  for (let current: HTMLElement | null = element as HTMLElement; current?.isContentEditable; current = current.parentElement) host = current;
  return host;
}

/** The selection of the host's document, placed at the end of the host when it is elsewhere. */
function selectionIn(host: HTMLElement): Selection | null {
  const selection = host.ownerDocument.getSelection();
  if (!selection) return null;
  const anchor = selection.anchorNode;
  if (!anchor || !host.contains(anchor)) {
    const range = host.ownerDocument.createRange();
    range.selectNodeContents(host);
    range.collapse(false);
    selection.removeAllRanges();
    selection.addRange(range);
  }
  return selection;
}

/** Inserts text (or, for `insertLineBreak`, a `<br>`) at the selection. */
export function insertIntoEditable(host: HTMLElement, text: string, inputType = 'insertText'): void {
  const selection = selectionIn(host);
  if (!selection || selection.rangeCount === 0) return;
  if (!fireInput(host, 'beforeinput', inputType, inputType === 'insertText' ? text : null)) return;
  const range = selection.getRangeAt(0);
  range.deleteContents();
  const doc = host.ownerDocument;
  const container = range.startContainer;
  if (inputType === 'insertText' && container.nodeType === Node.TEXT_NODE) {
    // Typing extends the text node under the caret, as a browser does.
    const textNode = container as Text;
    textNode.insertData(range.startOffset, text);
    range.setStart(textNode, range.startOffset + text.length);
  } else {
    const node = inputType === 'insertText' ? doc.createTextNode(text) : doc.createElement('br');
    range.insertNode(node);
    range.setStartAfter(node);
  }
  range.collapse(true);
  selection.removeAllRanges();
  selection.addRange(range);
  fireInput(host, 'input', inputType, inputType === 'insertText' ? text : null);
}

/** Runs a non-printing key in an editing host; false when the key does nothing there. */
export function editableKey(host: HTMLElement, key: string, modifiers: Modifiers): boolean {
  const selection = selectionIn(host);
  if (!selection) return false;
  const word = modifiers.ctrl === true || modifiers.alt === true;
  if ((modifiers.ctrl || modifiers.meta) && key.toLowerCase() === 'a') {
    selection.selectAllChildren(host);
    return true;
  }
  switch (key) {
    case 'Enter':
      insertIntoEditable(host, '', 'insertLineBreak');
      return true;
    case 'Backspace':
    case 'Delete': {
      const backward = key === 'Backspace';
      if (selection.isCollapsed) selection.modify('extend', backward ? 'backward' : 'forward', word ? 'word' : 'character');
      if (selection.isCollapsed || !host.contains(selection.focusNode)) return true; // at the edge: nothing to delete
      const inputType = `delete${word ? 'Word' : 'Content'}${backward ? 'Backward' : 'Forward'}`;
      if (!fireInput(host, 'beforeinput', inputType, null)) return true;
      const range = selection.getRangeAt(0);
      range.deleteContents();
      range.collapse(true);
      selection.removeAllRanges();
      selection.addRange(range);
      fireInput(host, 'input', inputType, null);
      return true;
    }
  }
  const moves: Readonly<Record<string, [string, string]>> = {
    ArrowLeft: ['backward', word ? 'word' : 'character'],
    ArrowRight: ['forward', word ? 'word' : 'character'],
    ArrowUp: ['backward', 'line'],
    ArrowDown: ['forward', 'line'],
    Home: ['backward', modifiers.ctrl ? 'documentboundary' : 'lineboundary'],
    End: ['forward', modifiers.ctrl ? 'documentboundary' : 'lineboundary'],
  };
  const move = moves[key];
  if (!move) return false;
  selection.modify(modifiers.shift ? 'extend' : 'move', move[0], move[1]);
  return true;
}
