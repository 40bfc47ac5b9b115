/**
 * Where Tab moves focus: the next (or, with Shift, previous) element in the sequential
 * focus order of the page — positive `tabindex` first in their order, then the rest in
 * document order — skipping what is disabled, hidden or inert.
 */

const FOCUSABLE =
  'a[href],area[href],button,input,select,textarea,iframe,summary,[tabindex],[contenteditable]:not([contenteditable="false"]),audio[controls],video[controls]';

/** Whether an element can take focus by Tab (not its visibility, see {@link isTabbable}). */
function tabIndexOf(element: HTMLElement): number {
  const attr = element.getAttribute('tabindex');
  if (attr !== null && attr.trim() !== '' && Number.isFinite(Number(attr))) return Math.trunc(Number(attr));
  return 0;
}

/** Whether an element is in the Tab order and visible. */
export function isTabbable(element: HTMLElement): boolean {
  if (tabIndexOf(element) < 0) return false;
  if ((element as HTMLButtonElement).disabled) return false;
  if (element.localName === 'input' && (element as HTMLInputElement).type === 'hidden') return false;
  if (element.closest('[inert]')) return false;
  if (element.getClientRects().length === 0) return false;
  const style = element.ownerDocument.defaultView?.getComputedStyle(element);
  return !style || style.visibility !== 'hidden';
}

/** Whether an element can be focused at all (by a click or a script). */
export function focusableAncestor(element: Element): HTMLElement | null {
  const found = element.closest(FOCUSABLE) as HTMLElement | null;
  if (!found || (found as HTMLButtonElement).disabled) return null;
  return found;
}

/**
 * The element Tab moves focus to from `from` (null: from the start), or null when focus
 * would leave the page. Radio groups count once: the checked radio, else the first.
 */
export function nextTabbable(doc: Document, from: Element | null, backward: boolean): HTMLElement | null {
  const all = Array.from(doc.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(isTabbable);
  const seenGroups = new Set<string>();
  const candidates = all.filter((element) => {
    const radio = element as HTMLInputElement;
    if (radio.localName !== 'input' || radio.type !== 'radio' || !radio.name || element === from) return true;
    const group = `${radio.form ? 'f' : 'd'}:${radio.name}`;
    const checked = all.find((other) => {
      const o = other as HTMLInputElement;
      return o.localName === 'input' && o.type === 'radio' && o.name === radio.name && o.form === radio.form && o.checked;
    });
    if (checked ? checked !== element : seenGroups.has(group)) return false;
    seenGroups.add(group);
    return true;
  });
  // Stable sort: positive tabindex ascending first, then tabindex 0 in document order.
  const order = candidates
    .map((element, index) => ({ element, index, tab: tabIndexOf(element) }))
    .sort((a, b) => (a.tab === b.tab ? a.index - b.index : a.tab === 0 ? 1 : b.tab === 0 ? -1 : a.tab - b.tab))
    .map((entry) => entry.element);
  if (order.length === 0) return null;
  const at = from ? order.indexOf(from as HTMLElement) : -1;
  if (at < 0) {
    if (!from) return backward ? order[order.length - 1]! : order[0]!;
    // The focused element is not in the order (e.g. tabindex -1): continue from its place in the document.
    const after = order.findIndex((element) => from.compareDocumentPosition(element) & Node.DOCUMENT_POSITION_FOLLOWING);
    if (backward) return after <= 0 ? (after === 0 ? null : order[order.length - 1]!) : order[after - 1]!;
    return after < 0 ? null : order[after]!;
  }
  return order[at + (backward ? -1 : 1)] ?? null;
}
