/**
 * The agent's mouse on the visitor's page: hover transitions and the full event sequence
 * of clicks (pointer and mouse down/up, focus, click), as a user's mouse produces them.
 * Untrusted events still run the page's activation behaviour for clicks: links follow,
 * checkboxes toggle (firing `input` and `change`), submit buttons submit, labels forward.
 */
import type { Modifiers } from './text-edit.js';
import { fireMouse, firePointer, type MouseInit } from './synth.js';
import { focusableAncestor } from './tabbable.js';

/** The chain from an element up to its document's root, innermost first. */
function ancestry(element: Element | null): Element[] {
  const chain: Element[] = [];
  for (let current = element; current; current = current.parentElement) chain.push(current);
  return chain;
}

/** Which mouse button an action uses: 0 main, 1 middle, 2 secondary. */
export type Button = 0 | 1 | 2;

/** The agent's mouse: remembers what it hovers, to fire the right over/out and enter/leave events. */
export class AgentMouse {
  private hovered: Element | null = null;

  /** Moves the mouse onto `element` at a viewport point (firing transitions if it is a new element). */
  move(element: Element, x: number, y: number): void {
    const init: MouseInit = { x, y };
    const previous = this.hovered?.isConnected ? this.hovered : null;
    if (previous !== element) {
      const leaving = ancestry(previous);
      const entering = ancestry(element);
      if (previous) {
        firePointer(previous, 'pointerout', { ...init, relatedTarget: element });
        for (const left of leaving.filter((e) => !entering.includes(e))) firePointer(left, 'pointerleave', init);
        fireMouse(previous, 'mouseout', { ...init, relatedTarget: element });
        for (const left of leaving.filter((e) => !entering.includes(e))) fireMouse(left, 'mouseleave', init);
      }
      const entered = entering.filter((e) => !leaving.includes(e)).reverse();
      firePointer(element, 'pointerover', { ...init, relatedTarget: previous });
      for (const e of entered) firePointer(e, 'pointerenter', init);
      fireMouse(element, 'mouseover', { ...init, relatedTarget: previous });
      for (const e of entered) fireMouse(e, 'mouseenter', init);
      this.hovered = element;
    }
    firePointer(element, 'pointermove', init);
    fireMouse(element, 'mousemove', init);
  }

  /**
   * A press and release of `button` on `element`: pointerdown, mousedown, focus,
   * pointerup, mouseup, then `click` (main button), `auxclick` (middle) or `contextmenu`
   * (secondary, fired after mousedown as on Linux and macOS).
   *
   * @param detail the click count (2 for the second click of a double-click)
   */
  press(element: Element, x: number, y: number, button: Button, modifiers: Modifiers, detail = 1): void {
    this.move(element, x, y);
    const init: MouseInit = { x, y, button, modifiers, detail };
    // A cancelled pointerdown suppresses the compatibility mouse events, as in browsers.
    const pointerDown = firePointer(element, 'pointerdown', init, true);
    const mouseDown = pointerDown ? fireMouse(element, 'mousedown', init, true) : true;
    if (mouseDown && button === 0) {
      focusFor(element);
      placeCaret(element, x, y);
    }
    if (button === 2) fireMouse(element, 'contextmenu', init);
    firePointer(element, 'pointerup', init);
    if (pointerDown) fireMouse(element, 'mouseup', init);
    if (button === 0) fireMouse(element, 'click', init);
    else if (button === 1) fireMouse(element, 'auxclick', init);
  }

  /** Forgets the hovered element (the mouse left, or the page changed under it). */
  reset(): void {
    this.hovered = null;
  }
}

/**
 * Moves focus as a mousedown does: to the focusable element under the pointer, or away
 * from the focused one when the click lands on something that cannot take focus.
 */
function focusFor(element: Element): void {
  const focusable = focusableAncestor(element);
  const doc = element.ownerDocument;
  if (focusable) {
    if (doc.activeElement !== focusable) focusable.focus({ preventScroll: true });
  } else {
    const active = doc.activeElement as HTMLElement | null;
    if (active && active !== doc.body && typeof active.blur === 'function') active.blur();
  }
}

/**
 * Puts the caret where the click landed, as a user's click does (script focus alone puts
 * it at the start): in editable content at the character under the point; in a text
 * field that the click focused, at the end of its value.
 */
function placeCaret(element: Element, x: number, y: number): void {
  const doc = element.ownerDocument;
  if ((element as HTMLElement).isContentEditable) {
    const caret = caretAt(doc, x, y);
    const selection = doc.getSelection();
    if (caret && selection && element.contains(caret.startContainer)) {
      selection.removeAllRanges();
      selection.addRange(caret);
    }
    return;
  }
  const field = element as HTMLInputElement;
  if ((field.localName === 'input' || field.localName === 'textarea') && doc.activeElement === field) {
    try {
      const end = field.value.length;
      if (field.selectionStart === 0 && field.selectionEnd === 0) field.setSelectionRange(end, end);
    } catch {
      // types without a selection (email, number…)
    }
  }
}

/** A collapsed range at a viewport point (`caretPositionFromPoint` or WebKit's `caretRangeFromPoint`). */
function caretAt(doc: Document, x: number, y: number): Range | null {
  const withPosition = doc as Document & { caretPositionFromPoint?: (x: number, y: number) => { offsetNode: Node; offset: number } | null };
  if (typeof withPosition.caretPositionFromPoint === 'function') {
    const position = withPosition.caretPositionFromPoint(x, y);
    if (!position) return null;
    const range = doc.createRange();
    range.setStart(position.offsetNode, position.offset);
    range.collapse(true);
    return range;
  }
  return typeof doc.caretRangeFromPoint === 'function' ? doc.caretRangeFromPoint(x, y) : null;
}
