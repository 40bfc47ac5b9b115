/**
 * Where agent input lands on the visitor's page: the page node under an event (by mirror
 * node id, [RC5] / DESIGN §3.7), the point in the visitor's viewport coordinates, the
 * element a wheel scrolls, and where a mirror element is on the agent's screen.
 *
 * The mirror iframe has the visitor's exact viewport size and is only scaled by a CSS
 * transform outside it, so an event's client coordinates in the mirror's top document
 * already are the visitor's viewport coordinates; a frame inside the page adds its offset.
 */

/** A point in the visitor's viewport, CSS pixels. */
export interface Point {
  x: number;
  y: number;
}

/** The node a composed event started at (inside shadow roots too), as an element. */
export function eventElement(event: Event): Element | null {
  const first = event.composedPath()[0] ?? event.target;
  const node = first as Node | null;
  if (!node || typeof node !== 'object' || !('nodeType' in node)) return null;
  if (node.nodeType === 1) return node as Element;
  if (node.nodeType === 3) return node.parentElement;
  if (node.nodeType === 9) return (node as Document).documentElement;
  return null;
}

/** The parent of `node` across shadow roots (to the host) and frames (to the frame element). */
function composedParent(node: Node): Node | null {
  if (node.parentNode) {
    const parent = node.parentNode;
    return parent.nodeType === 11 && (parent as ShadowRoot).host ? (parent as ShadowRoot).host : parent;
  }
  if (node.nodeType === 9) return (node as Document).defaultView?.frameElement ?? null;
  return null;
}

/**
 * The page id of `node` or of its nearest ancestor that has one (the mirror adds a few
 * nodes of its own, e.g. `<base>`), or undefined. `stop` bounds the walk: the mirror's
 * top document, above which lies the viewer.
 */
export function nearestId(node: Node | null, idOf: (node: Node) => number | undefined, stop: Document | null): number | undefined {
  for (let current = node; current; current = current === stop ? null : composedParent(current)) {
    const id = idOf(current);
    if (id !== undefined) return id;
  }
  return undefined;
}

/** The offset of `doc`'s viewport in the top mirror document's viewport. */
export function frameOffset(doc: Document, top: Document | null): Point {
  let x = 0;
  let y = 0;
  let current: Document | null = doc;
  while (current && current !== top) {
    const frame = current.defaultView?.frameElement as HTMLElement | null | undefined;
    if (!frame) break;
    const rect = frame.getBoundingClientRect();
    const style = frame.ownerDocument.defaultView?.getComputedStyle(frame);
    x += rect.left + frame.clientLeft + (style ? parseFloat(style.paddingLeft) || 0 : 0);
    y += rect.top + frame.clientTop + (style ? parseFloat(style.paddingTop) || 0 : 0);
    current = frame.ownerDocument;
  }
  return { x, y };
}

/** An event's point in the visitor's viewport, rounded to whole CSS pixels and kept on the page. */
export function visitorPoint(event: MouseEvent, doc: Document, top: Document | null, viewport: readonly [number, number]): Point {
  const offset = frameOffset(doc, top);
  const clamp = (value: number, max: number) => Math.max(0, Math.min(max > 0 ? max : value, Math.round(value)));
  return { x: clamp(event.clientX + offset.x, viewport[0]), y: clamp(event.clientY + offset.y, viewport[1]) };
}

/** The focused element of `doc`, through shadow roots and frames. */
export function deepActiveElement(doc: Document): Element | null {
  let active: Element | null = doc.activeElement;
  for (;;) {
    if (!active) return null;
    const shadowActive = active.shadowRoot?.activeElement;
    if (shadowActive) {
      active = shadowActive;
      continue;
    }
    const name = active.localName;
    if (name === 'iframe' || name === 'frame') {
      let inner: Document | null = null;
      try {
        inner = (active as HTMLIFrameElement).contentDocument;
      } catch {
        inner = null;
      }
      if (inner?.activeElement && inner.activeElement !== inner.body) {
        active = inner.activeElement;
        continue;
      }
    }
    return active;
  }
}

/** The element or document a wheel scrolls, and where it would scroll to. */
export interface ScrollTarget {
  /** An element, or a document for its window. */
  node: Element | Document;
  x: number;
  y: number;
  maxX: number;
  maxY: number;
}

const SCROLLING = /^(auto|scroll|overlay)$/;

/** Where `node` is scrolled now and how far it can go. */
export function scrollState(node: Element | Document): ScrollTarget {
  if (node.nodeType === 9) {
    const doc = node as Document;
    const win = doc.defaultView;
    const root = doc.scrollingElement ?? doc.documentElement;
    return {
      node,
      x: win?.scrollX ?? 0,
      y: win?.scrollY ?? 0,
      maxX: Math.max(0, root.scrollWidth - root.clientWidth),
      maxY: Math.max(0, root.scrollHeight - root.clientHeight),
    };
  }
  const element = node as Element;
  return {
    node,
    x: element.scrollLeft,
    y: element.scrollTop,
    maxX: Math.max(0, element.scrollWidth - element.clientWidth),
    maxY: Math.max(0, element.scrollHeight - element.clientHeight),
  };
}

/**
 * The scroll container a wheel of (dx, dy) over `start` moves, as the browser would pick it:
 * the nearest scrollable ancestor that can still move that way, else the document, else
 * (for a frame of the page) the frame's parent document. `position` gives the position a
 * container is about to have (scrolls sent but not yet seen), if known.
 */
export function findScrollTarget(
  start: Element | null,
  doc: Document,
  top: Document | null,
  dx: number,
  dy: number,
  position: (node: Element | Document) => readonly [number, number] | undefined,
): ScrollTarget | null {
  const canMove = (state: ScrollTarget) => {
    const [x, y] = position(state.node) ?? [state.x, state.y];
    return (dy > 0 && y < state.maxY - 0.5) || (dy < 0 && y > 0.5) || (dx > 0 && x < state.maxX - 0.5) || (dx < 0 && x > 0.5);
  };
  let element = start;
  let current: Document = doc;
  for (;;) {
    for (let node: Element | null = element; node; node = parentElementComposed(node)) {
      if (node === current.documentElement || node === current.body) break;
      const style = current.defaultView?.getComputedStyle(node);
      if (!style) break;
      const scrollsY = SCROLLING.test(style.overflowY) && node.scrollHeight > node.clientHeight;
      const scrollsX = SCROLLING.test(style.overflowX) && node.scrollWidth > node.clientWidth;
      if (!scrollsX && !scrollsY) continue;
      const state = scrollState(node);
      if (canMove(state)) return state;
    }
    const state = scrollState(current);
    if (canMove(state)) return state;
    if (current === top) return null;
    const frame = current.defaultView?.frameElement ?? null;
    if (!frame) return null;
    element = frame;
    current = frame.ownerDocument;
  }
}

function parentElementComposed(node: Element): Element | null {
  if (node.parentElement) return node.parentElement;
  const root = node.parentNode;
  return root && root.nodeType === 11 ? (root as ShadowRoot).host : null;
}

/** A rectangle on the agent's screen (viewer page coordinates). */
export interface ScreenRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Where a mirror element is drawn in the viewer page (through the scale and page frames). */
export function screenRect(element: Element, top: Document | null, mirrorFrame: HTMLIFrameElement): ScreenRect {
  const rect = element.getBoundingClientRect();
  const offset = frameOffset(element.ownerDocument, top);
  const frameRect = mirrorFrame.getBoundingClientRect();
  const width = Number(mirrorFrame.width) || mirrorFrame.clientWidth || 1;
  const scale = frameRect.width / width;
  return {
    left: frameRect.left + (rect.left + offset.x) * scale,
    top: frameRect.top + (rect.top + offset.y) * scale,
    width: rect.width * scale,
    height: rect.height * scale,
  };
}
