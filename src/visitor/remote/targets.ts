/**
 * Finding the page element an agent action is aimed at ([RC7], DESIGN §3.7): the node id
 * of the mirror's keyframe epoch first, the viewport point as the fallback. Text nodes
 * stand for their parent element; a document for its root element. Our own UI is never
 * a target, and masked elements are refused for anything that could read or change them.
 */
import type { RemoteHost } from './remote-host.js';

/** Where an action lands. */
export interface Target {
  element: Element;
  /** The node the id named, when it was a document (scrolling a window). */
  document: Document | null;
}

/**
 * Resolves an action's target, or null when there is none (unknown id and no usable
 * point, our own UI, or a stale epoch — the caller checks the epoch first).
 */
export function findTarget(host: RemoteHost, id: number | undefined, x?: number, y?: number): Target | null {
  const recorder = host.recorder();
  let node: Node | null | undefined = id !== undefined ? recorder?.nodeIds.node(id) : undefined;
  if (node && !node.isConnected) node = undefined;
  if (node?.nodeType === Node.DOCUMENT_NODE) {
    const doc = node as Document;
    return doc.documentElement ? { element: doc.documentElement, document: doc } : null;
  }
  if (node?.nodeType === Node.DOCUMENT_FRAGMENT_NODE) node = (node as ShadowRoot).host;
  let element: Element | null = node ? (node.nodeType === Node.ELEMENT_NODE ? (node as Element) : node.parentElement) : null;
  if (!element && x !== undefined && y !== undefined && x >= 0 && y >= 0) element = deepElementFromPoint(host.win.document, x, y);
  if (!element || host.layer.owns(element)) return null;
  return { element, document: null };
}

/** `elementFromPoint` that descends into open shadow roots and same-origin iframes. */
export function deepElementFromPoint(doc: Document, x: number, y: number): Element | null {
  let element = doc.elementFromPoint(x, y);
  for (let depth = 0; element && depth < 32; depth++) {
    const shadow = element.shadowRoot?.elementFromPoint(x, y);
    if (shadow && shadow !== element) {
      element = shadow;
      continue;
    }
    const frame = element as HTMLIFrameElement;
    if (element.localName === 'iframe' || element.localName === 'frame') {
      let inner: Document | null = null;
      try {
        inner = frame.contentDocument;
      } catch {
        inner = null;
      }
      if (!inner) break;
      const rect = frame.getBoundingClientRect();
      x -= rect.left + frame.clientLeft;
      y -= rect.top + frame.clientTop;
      const next = inner.elementFromPoint(x, y);
      if (!next) break;
      element = next;
      continue;
    }
    break;
  }
  return element;
}

/** Whether the recorder masks this element (or an ancestor of it). */
export function isMasked(host: RemoteHost, element: Element): boolean {
  const recorder = host.recorder();
  // Without a recorder there is nothing to compare with: refuse rather than guess.
  return !recorder || recorder.isMasked(element);
}

/** The window of an element's own document (an iframe's, for elements inside one). */
export function windowOf(element: Element): Window & typeof globalThis {
  return (element.ownerDocument.defaultView ?? window) as Window & typeof globalThis;
}

/**
 * The point in the element's own viewport an event should carry: the agent's point when
 * it lies on the element (in the top document), else the element's centre.
 */
export function pointOn(element: Element, x: number | undefined, y: number | undefined, top: Document): { x: number; y: number } {
  const rect = element.getBoundingClientRect();
  if (element.ownerDocument === top && x !== undefined && y !== undefined && x >= rect.left && x <= rect.right && y >= rect.top && y <= rect.bottom) {
    return { x, y };
  }
  return { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 };
}
