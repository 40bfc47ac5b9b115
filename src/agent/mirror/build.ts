/**
 * Builds mirror nodes from page-stream tokens ([PS1]–[PS3], [VW1]).
 *
 * Iterative (a hostile page may nest deeper than the call stack allows), creating nodes
 * top-down into a detached subtree that the caller attaches in one step. Ids follow
 * token order from the first id given. Work that needs the subtree attached — CSSOM
 * overrides, select state, frame documents — is queued for `finish()`.
 */
import { NodeKind, StateAttr, type Token } from '../../shared/dom/format.js';
import { dropsText, linkMayLoad, mirrorTagName, sanitizeAttribute, sanitizeCss } from './sanitize.js';

export const HTML_NS = 'http://www.w3.org/1999/xhtml';
export const SVG_NS = 'http://www.w3.org/2000/svg';
const MATHML_NS = 'http://www.w3.org/1998/Math/MathML';
const XLINK_NS = 'http://www.w3.org/1999/xlink';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** Marks a <style> the mirror made from a <link> whose sheet the visitor sent inline. */
export const INLINED_LINK_ATTRIBUTE = 'data-oc-link';

/** The id ↔ node tables of a mirror. */
export interface NodeTable {
  readonly byId: Map<number, Node>;
  readonly idOf: WeakMap<Node, number>;
}

/** A document (the page's or an iframe's) decoded before it has a place to live. */
export interface DocumentHolder {
  readonly kind: 'document';
  readonly id: number;
  readonly baseURI: string;
  doctype: { name: string; publicId: string; systemId: string } | null;
  readonly children: Node[];
}

/** A frame document waiting for its <iframe> to be attached. */
export interface PendingFrame {
  readonly frame: Element;
  readonly holder: DocumentHolder;
}

/** Callbacks for state the builder cannot apply by itself. */
export interface BuildHooks {
  /** Element state given by a `=` attribute (form values, CSSOM, canvas, mask). */
  applyState(element: Element, pageTag: string, name: string, value: string | null): void;
}

interface Level {
  container: Node | DocumentHolder;
  left: number;
  ns: string;
  /** The page's tag of the container (for text sanitising). */
  tag: string;
}

export function isHolder(value: unknown): value is DocumentHolder {
  return typeof value === 'object' && value !== null && (value as DocumentHolder).kind === 'document';
}

/** Namespace of an element child of `parent`, following the HTML parser's rules. */
export function childNamespace(parent: Node | null): string {
  if (!parent || parent.nodeType !== 1) return HTML_NS;
  const element = parent as Element;
  const ns = element.namespaceURI ?? HTML_NS;
  if (ns === SVG_NS && element.localName === 'foreignObject') return HTML_NS;
  return ns;
}

/** One decoding pass (one operation's subtree). */
export class Builder {
  /** Frame documents to install once their iframe is attached, outermost first. */
  readonly frames: PendingFrame[] = [];
  /** Element state to apply once the subtree is attached. */
  private readonly deferred: Array<[Element, string, string, string | null]> = [];
  /** Position after the decoded subtree. */
  pos = 0;
  /** The id after the last one used. */
  nextId = 0;

  constructor(
    private readonly table: NodeTable,
    /** The document that creates the nodes (they are adopted where they are attached). */
    private readonly doc: Document,
    private readonly hooks: BuildHooks,
  ) {}

  /**
   * Decodes the node at `tokens[pos]` with its subtree. `context` is where it will be
   * attached (for namespaces, text sanitising and shadow roots).
   */
  decode(tokens: readonly Token[], pos: number, firstId: number, context: Node | null): Node | DocumentHolder | null {
    const table = this.table;
    const doc = this.doc;
    const stack: Level[] = [];
    let id = firstId;
    let root: Node | DocumentHolder | null = null;
    const contextTag = context && context.nodeType === 1 ? (context as Element).localName : '';

    do {
      const level = stack.length > 0 ? stack[stack.length - 1]! : null;
      const parentTag = level ? level.tag : contextTag;
      const token = tokens[pos++];
      /** What this token produced; `attach` says whether it is a child node of its parent. */
      let node: Node | DocumentHolder | null = null;
      let attach = true;
      let next: Level | null = null;

      if (typeof token === 'string') {
        const text = dropsText(parentTag) ? '' : parentTag === 'style' ? sanitizeCss(token) : token;
        node = doc.createTextNode(text);
        this.register(node, id++);
      } else {
        switch (token) {
          case NodeKind.Element: {
            const tag = tokens[pos++] as string;
            const attrCount = tokens[pos++] as number;
            const parentNs = level ? level.ns : childNamespace(context);
            const ns = tag === 'svg' ? SVG_NS : tag === 'math' ? MATHML_NS : parentNs;
            const created =
              tag === 'link' && hasStateAttribute(tokens, pos, attrCount, StateAttr.Css)
                ? 'style' // an inlined sheet: no fetch, its text is in the stream
                : mirrorTagName(tag);
            const element = createElement(doc, created === tag ? ns : HTML_NS, created);
            this.register(element, id++);
            for (let i = 0; i < attrCount; i++) {
              const name = tokens[pos++] as string;
              const value = tokens[pos++] as string;
              if (name.charCodeAt(0) === 61 /* = */) this.deferred.push([element, tag, name, value]);
              else setAttribute(element, tag, name, value);
            }
            if (tag === 'link') {
              if (created === 'style') element.setAttribute(INLINED_LINK_ATTRIBUTE, '');
              else if (!linkMayLoad(element.getAttribute('rel'))) element.removeAttribute('href');
            }
            const children = tokens[pos++] as number;
            node = element;
            if (children > 0) {
              next = { container: element, left: children, ns: ns === SVG_NS && tag === 'foreignObject' ? HTML_NS : ns, tag };
            }
            break;
          }
          case NodeKind.Comment:
            node = doc.createComment(tokens[pos++] as string);
            this.register(node, id++);
            break;
          case NodeKind.Doctype: {
            const doctype = {
              name: tokens[pos++] as string,
              publicId: tokens[pos++] as string,
              systemId: tokens[pos++] as string,
            };
            const holder = level?.container;
            if (isHolder(holder)) {
              id++; // the doctype node is made when its document is installed
              holder.doctype = doctype;
              attach = false;
            } else if (!level && context?.nodeType === 9) {
              // A document rewritten by the page (document.write) gets its new doctype.
              node = (context as Document).implementation.createDocumentType(doctype.name || 'html', doctype.publicId, doctype.systemId);
              this.register(node, id++);
            } else {
              node = doc.createComment('doctype'); // a doctype anywhere else keeps its place only
              this.register(node, id++);
            }
            break;
          }
          case NodeKind.Document: {
            const baseURI = tokens[pos++] as string;
            const children = tokens[pos++] as number;
            const holder: DocumentHolder = { kind: 'document', id: id++, baseURI, doctype: null, children: [] };
            const frame = level ? level.container : context;
            if (frame && !isHolder(frame) && frame.nodeType === 1) this.frames.push({ frame: frame as Element, holder });
            node = holder;
            attach = false;
            if (children > 0) next = { container: holder, left: children, ns: HTML_NS, tag: '' };
            break;
          }
          case NodeKind.ShadowRoot: {
            const children = tokens[pos++] as number;
            const host = (level ? level.container : context) as Element | null;
            const shadow = attachShadowRoot(doc, isHolder(host) ? null : host);
            this.register(shadow, id++);
            node = shadow;
            attach = false;
            if (children > 0) next = { container: shadow, left: children, ns: childNamespace(host as Node), tag: '' };
            break;
          }
          case NodeKind.Ref:
            node = table.byId.get(tokens[pos++] as number) ?? doc.createComment('missing');
            break;
          default:
            throw new Error(`unknown node token ${String(token)} at ${pos - 1}`);
        }
      }

      if (level) {
        if (attach && node) append(level.container, node as Node);
        level.left--;
      } else {
        root = node;
      }
      if (next) stack.push(next);
      popFinished(stack);
    } while (stack.length > 0);

    this.pos = pos;
    this.nextId = id;
    return root;
  }

  /** Applies deferred state; call after the subtree is attached and frames installed. */
  finish(): void {
    for (const [element, tag, name, value] of this.deferred) this.hooks.applyState(element, tag, name, value);
    this.deferred.length = 0;
  }

  private register(node: Node, id: number): void {
    this.table.byId.set(id, node);
    this.table.idOf.set(node, id);
  }
}

function popFinished(stack: Level[]): void {
  while (stack.length > 0 && stack[stack.length - 1]!.left <= 0) stack.pop();
}

function append(container: Node | DocumentHolder, node: Node): void {
  if (isHolder(container)) container.children.push(node);
  else container.appendChild(node);
}

function hasStateAttribute(tokens: readonly Token[], pos: number, count: number, name: string): boolean {
  for (let i = 0; i < count; i++) if (tokens[pos + 2 * i] === name) return true;
  return false;
}

function createElement(doc: Document, ns: string, tag: string): Element {
  try {
    return ns === HTML_NS ? doc.createElement(tag) : doc.createElementNS(ns, tag);
  } catch {
    // A name the parser accepted but createElement does not: keep the place, lose the tag.
    return ns === HTML_NS ? doc.createElement('span') : doc.createElementNS(ns, 'g');
  }
}

/** Sets a page attribute on a mirror element after sanitising; unusable names are skipped. */
export function setAttribute(element: Element, pageTag: string, name: string, value: string | null): void {
  if (value === null) {
    try {
      element.removeAttribute(name);
    } catch {
      /* an unusable name was never set */
    }
    return;
  }
  const clean = sanitizeAttribute(pageTag, name, value);
  if (clean === null) return;
  try {
    const colon = name.indexOf(':');
    if (colon > 0 && element.namespaceURI !== HTML_NS) {
      const prefix = name.slice(0, colon);
      const ns = prefix === 'xlink' ? XLINK_NS : prefix === 'xml' ? XML_NS : prefix === 'xmlns' ? XMLNS_NS : null;
      if (ns) {
        element.setAttributeNS(ns, name, clean);
        return;
      }
    }
    element.setAttribute(name, clean);
  } catch {
    // Framework-style names (`@click`, `:value`) that setAttribute rejects carry no rendering.
  }
}

function attachShadowRoot(doc: Document, host: Element | null): Node {
  if (host && host.nodeType === 1) {
    try {
      if (host.shadowRoot) {
        host.shadowRoot.replaceChildren();
        return host.shadowRoot;
      }
      return host.attachShadow({ mode: 'open' });
    } catch {
      // The mirror's element cannot host a root (its tag was replaced): keep ids aligned.
    }
  }
  return doc.createDocumentFragment();
}
