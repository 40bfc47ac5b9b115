/**
 * The serialiser: turns a DOM subtree into page-stream tokens ([PS1]–[PS3]).
 *
 * Pure with respect to the page: it reads the DOM and writes tokens, ids and a few side
 * lists (scroll offsets, roots to observe); it never modifies the page. The walk uses an
 * explicit stack so a large snapshot can be cut into slices between which the page runs
 * ([CP2]: no main-thread task over 50 ms). A node that already has an id when the walk
 * reaches it becomes a `Ref` token, so a node moved while a sliced snapshot is under way
 * is written once and moved, never duplicated.
 */
import { NodeKind, StateAttr, type Token } from '../../shared/dom/format.js';
import type { NodeIds } from './node-ids.js';
import { frameDocument } from './node-ids.js';
import { keepsAttributeWhenMasked, type Masker } from './masking.js';
import { pushFormState } from './form-state.js';
import { pushSheetState, type SheetTracker } from './stylesheets.js';

/** What the serialiser needs from the recorder. */
export interface SerializeContext {
  readonly ids: NodeIds;
  readonly masker: Masker;
  /** Elements that match the masking rules, collected per root before walking it. */
  readonly maskMatches: WeakSet<Element>;
  /** Every element written masked; mutations below them are never captured. */
  readonly maskedElements: WeakSet<Element>;
  readonly sheets: SheetTracker;
  /** Nodes that are ours (the visitor UI), never captured; looked for under <html> and <body>. */
  readonly ignored: WeakSet<Node>;
  /** Receives (id, x, y) of elements that are scrolled. */
  readonly scrolls: number[];
  /**
   * Whether to read an element's scroll offset. Reading it is a layout query (~1 µs per
   * element), so the keyframe reads only elements known to have scrolled; the recorder
   * scans the rest in the background when it cannot know.
   */
  mayBeScrolled(element: Element): boolean;
  /** Closed shadow roots the recorder saw attached (a host's `shadowRoot` hides them); null if none. */
  closedShadowRoots: WeakMap<Element, ShadowRoot> | null;
  /** Called for each shadow root and iframe document met, to observe it. */
  onRoot(root: ShadowRoot | Document, id: number): void;
}

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;
const COMMENT_NODE = 8;
const DOCUMENT_NODE = 9;
const DOCUMENT_TYPE_NODE = 10;
const DOCUMENT_FRAGMENT_NODE = 11;

/** Elements whose text children are never sent: their content is code or inert markup. */
function hasOpaqueText(localName: string): boolean {
  return localName === 'script' || localName === 'noscript';
}

/** A serialisation of one subtree, done in one go or in deadline-bounded slices. */
export class TreeSerializer {
  private readonly stack: Node[];
  /** Output tokens; the caller may take and reset them between slices. */
  out: Token[] = [];

  constructor(
    private readonly ctx: SerializeContext,
    root: Node,
  ) {
    this.stack = [root];
    // Documents and shadow roots collect their matches when visited; a bare element
    // (a mutation's subtree) collects here, itself included.
    if (root.nodeType === ELEMENT_NODE) {
      if (ctx.masker.matches(root as Element)) ctx.maskMatches.add(root as Element);
      ctx.masker.collect(root as Element, ctx.maskMatches);
    }
  }

  /** True when the whole subtree has been written. */
  get done(): boolean {
    return this.stack.length === 0;
  }

  /**
   * Writes nodes until the subtree is done or `deadline` (performance.now() time) passes.
   * Returns true when done.
   */
  run(deadline = Infinity): boolean {
    const stack = this.stack;
    let visited = 0;
    while (stack.length > 0) {
      this.visit(stack.pop()!);
      if ((++visited & 127) === 0 && performance.now() > deadline) return stack.length === 0;
    }
    return true;
  }

  private visit(node: Node): void {
    const ctx = this.ctx;
    const out = this.out;
    const known = ctx.ids.get(node);
    if (known !== undefined) {
      out.push(NodeKind.Ref, known);
      return;
    }
    switch (node.nodeType) {
      case TEXT_NODE:
        ctx.ids.assign(node);
        out.push((node as Text).data);
        return;
      case ELEMENT_NODE:
        this.visitElement(node as Element);
        return;
      case COMMENT_NODE:
      case CDATA_SECTION_NODE:
        ctx.ids.assign(node);
        out.push(NodeKind.Comment, node.nodeType === COMMENT_NODE ? (node as Comment).data : '');
        return;
      case DOCUMENT_TYPE_NODE: {
        const doctype = node as DocumentType;
        ctx.ids.assign(node);
        out.push(NodeKind.Doctype, doctype.name, doctype.publicId, doctype.systemId);
        return;
      }
      case DOCUMENT_NODE: {
        const doc = node as Document;
        const id = ctx.ids.assign(doc);
        ctx.masker.collect(doc, ctx.maskMatches);
        out.push(NodeKind.Document, doc.baseURI, this.pushChildren(doc));
        ctx.onRoot(doc, id);
        const win = doc.defaultView;
        if (win && (win.scrollX || win.scrollY)) ctx.scrolls.push(id, win.scrollX, win.scrollY);
        return;
      }
      case DOCUMENT_FRAGMENT_NODE: {
        const id = ctx.ids.assign(node);
        ctx.masker.collect(node as ShadowRoot, ctx.maskMatches);
        out.push(NodeKind.ShadowRoot, this.pushChildren(node));
        ctx.onRoot(node as ShadowRoot, id);
        return;
      }
      default:
        // Processing instructions and other rarities keep their place as empty comments.
        ctx.ids.assign(node);
        out.push(NodeKind.Comment, '');
    }
  }

  private visitElement(element: Element): void {
    const ctx = this.ctx;
    const out = this.out;
    const id = ctx.ids.assign(element);
    const localName = element.localName;
    const masked =
      ctx.maskMatches.has(element) || (ctx.masker.maskPage && (localName === 'body' || localName === 'frameset'));

    out.push(NodeKind.Element, localName, 0);
    const countAt = out.length - 1;
    let count = 0;
    // getAttributeNames + getAttribute creates no Attr objects: about twice as fast as .attributes.
    const names = element.getAttributeNames();
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      // Event handler attributes are page code: never needed by the mirror.
      if (name.charCodeAt(0) === 111 && name.charCodeAt(1) === 110 && name.length > 2) continue;
      if (masked && !keepsAttributeWhenMasked(name)) continue;
      out.push(name, element.getAttribute(name)!);
      count++;
    }
    if (localName === 'input' || localName === 'textarea' || localName === 'select') {
      count += pushFormState(element, masked, out, false);
    }

    if (masked) {
      ctx.maskedElements.add(element);
      const box = element.getBoundingClientRect();
      out.push(StateAttr.Mask, `${Math.round(box.width)},${Math.round(box.height)}`);
      out[countAt] = count + 1;
      out.push(0);
      return;
    }

    if (localName === 'style' || localName === 'link') count += pushSheetState(element, out, ctx.sheets);
    out[countAt] = count;

    if (ctx.mayBeScrolled(element)) {
      const scrollTop = element.scrollTop;
      const scrollLeft = element.scrollLeft;
      if (scrollTop !== 0 || scrollLeft !== 0) ctx.scrolls.push(id, scrollLeft, scrollTop);
    }

    if (hasOpaqueText(localName)) {
      // Children are written here as empty text so they keep ids, without their content.
      let children = 0;
      for (let child = element.firstChild; child; child = child.nextSibling) children++;
      out.push(children);
      for (let child = element.firstChild; child; child = child.nextSibling) {
        ctx.ids.assign(child);
        out.push('');
      }
      return;
    }

    const frameDoc = localName === 'iframe' || localName === 'frame' ? frameDocument(element) : null;
    const stack = this.stack;
    let children = 0;
    if (frameDoc) {
      stack.push(frameDoc);
      children++;
    }
    // Our own UI hangs off <html> or <body>; only there is the ignore set consulted.
    const mayHoldOurs = localName === 'body' || localName === 'html';
    for (let child = element.lastChild; child; child = child.previousSibling) {
      if (mayHoldOurs && ctx.ignored.has(child)) continue;
      stack.push(child);
      children++;
    }
    const shadow = element.shadowRoot ?? ctx.closedShadowRoots?.get(element) ?? null;
    if (shadow) {
      stack.push(shadow);
      children++;
    }
    out.push(children);
  }

  /** Pushes the children of a document or shadow root onto the stack; returns how many. */
  private pushChildren(parent: Node): number {
    let children = 0;
    for (let child = parent.lastChild; child; child = child.previousSibling) {
      this.stack.push(child);
      children++;
    }
    return children;
  }
}

/** Serialises a whole subtree synchronously into `out` (mutations: small subtrees). */
export function serializeSubtree(ctx: SerializeContext, root: Node, out: Token[]): void {
  const serializer = new TreeSerializer(ctx, root);
  serializer.out = out;
  serializer.run();
}
