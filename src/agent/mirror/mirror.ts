/**
 * The mirror: the visitor's page rebuilt in a sandboxed iframe from the page stream
 * ([PS1]–[PS9], [VW1]–[VW4] in SPEC.md).
 *
 * A keyframe builds a fresh iframe (`sandbox="allow-same-origin"`, never `allow-scripts`)
 * off screen and swaps it in when complete; deltas edit the live one. The viewer only
 * reads the mirror and listens to it; nothing in it runs.
 */
import { Op, StateAttr, type Token } from '../../shared/dom/format.js';
import { Builder, INLINED_LINK_ATTRIBUTE, isHolder, setAttribute, type DocumentHolder, type NodeTable } from './build.js';
import { sanitizeCss } from './sanitize.js';

/** What the mirror tells its owner. */
export interface MirrorEvents {
  /** The visitor's viewport size changed (CSS pixels). */
  viewport?(width: number, height: number): void;
  /** The visitor's pointer moved; (-1, -1) when it left the page. */
  pointer?(x: number, y: number): void;
  /** The visitor's page address or title changed. */
  location?(url: string, title: string): void;
  /** A document of the mirror was built (top or frame): the viewer adds its listeners here. */
  document?(doc: Document, isTop: boolean): void;
  /** A frame could not be applied; the mirror stays usable but may be stale. */
  error?(error: unknown): void;
}

/** Inline style that turns a masked element into a blank box of its size. */
function maskStyle(width: string, height: string): string {
  return (
    `;display:inline-block!important;box-sizing:border-box!important;width:${width}px!important;height:${height}px!important;` +
    'background:repeating-linear-gradient(45deg,#c8c8c8 0 6px,#dcdcdc 6px 12px)!important;' +
    'color:transparent!important;overflow:hidden!important;vertical-align:bottom'
  );
}

const MASKED_FIELD_STYLE = ';outline:2px dashed #888!important;outline-offset:-2px';

/** A live mirror of one visitor page inside `container`. */
export class Mirror {
  private table: NodeTable = { byId: new Map(), idOf: new WeakMap() };
  private frame: HTMLIFrameElement | null = null;
  private building: HTMLIFrameElement | null = null;
  private readonly sheetTexts = new Map<number, string>();
  private constructed = new WeakMap<Document, Map<number, CSSStyleSheet>>();
  private scrolls = new Map<Node, [number, number]>();
  private masks = new WeakMap<Element, string>();
  private baseOf = new WeakMap<Document, HTMLBaseElement>();
  /** Bases of reopened documents, put back when their new root arrives. */
  private pendingBase = new WeakMap<Document, HTMLBaseElement>();
  private viewportSize: [number, number] = [0, 0];
  private url = '';

  constructor(
    private readonly container: HTMLElement,
    private readonly events: MirrorEvents = {},
  ) {}

  /** The iframe showing the mirror, once a keyframe arrived. */
  get iframe(): HTMLIFrameElement | null {
    return this.frame;
  }

  /** The mirror's top document, once a keyframe arrived. */
  get document(): Document | null {
    return this.frame?.contentDocument ?? null;
  }

  /** The visitor's viewport in CSS pixels. */
  get viewport(): readonly [number, number] {
    return this.viewportSize;
  }

  /** The visitor page's address. */
  get location(): string {
    return this.url;
  }

  /** The mirror node with a page node id. */
  nodeById(id: number): Node | undefined {
    return this.table.byId.get(id);
  }

  /** The page node id of a mirror node. */
  idOf(node: Node): number | undefined {
    return this.table.idOf.get(node);
  }

  /** Replaces the mirror with a keyframe's page. */
  applyKeyframe(tokens: readonly Token[]): void {
    this.table = { byId: new Map(), idOf: new WeakMap() };
    this.sheetTexts.clear();
    this.constructed = new WeakMap();
    this.scrolls = new Map();
    this.masks = new WeakMap();
    this.baseOf = new WeakMap();
    const frame = document.createElement('iframe');
    frame.setAttribute('sandbox', 'allow-same-origin');
    frame.setAttribute('title', 'Visitor page');
    frame.setAttribute('tabindex', '-1');
    frame.className = 'oc-mirror-frame';
    frame.style.visibility = 'hidden';
    this.container.appendChild(frame);
    this.building?.remove();
    this.building = frame;
    try {
      this.apply(tokens);
    } catch (error) {
      frame.remove(); // a half-built page is never shown; the previous one stays
      throw error;
    } finally {
      this.building = null;
    }
    this.frame?.remove();
    frame.style.visibility = '';
    this.frame = frame;
    this.reapplyScrolls();
  }

  /** Applies a delta to the current mirror. */
  applyDelta(tokens: readonly Token[]): void {
    if (!this.frame) return;
    this.apply(tokens);
  }

  /** Removes the mirror from the page. */
  destroy(): void {
    this.frame?.remove();
    this.frame = null;
    this.building?.remove();
    this.building = null;
  }

  // -------------------------------------------------------------------------------------------

  private apply(tokens: readonly Token[]): void {
    let pos = 0;
    const byId = this.table.byId;
    while (pos < tokens.length) {
      const op = tokens[pos++];
      switch (op) {
        case Op.Add: {
          const parentId = tokens[pos++] as number;
          const nextId = tokens[pos++] as number;
          const firstId = tokens[pos++] as number;
          pos = this.add(tokens, pos, parentId, nextId, firstId);
          break;
        }
        case Op.Move: {
          const node = byId.get(tokens[pos++] as number);
          const parent = byId.get(tokens[pos++] as number);
          const next = this.nextSibling(parent, tokens[pos++] as number);
          if (node && parent && !isAncestorOf(node, parent)) {
            makeRoomForRoot(parent, node);
            this.guard(() => parent.insertBefore(node, next));
          }
          break;
        }
        case Op.Remove: {
          const node = byId.get(tokens[pos++] as number);
          if (node) {
            this.forget(node);
            if (node.nodeType !== 9 && node.nodeType !== 11) node.parentNode?.removeChild(node);
          }
          break;
        }
        case Op.Text: {
          const node = byId.get(tokens[pos++] as number);
          const data = tokens[pos++] as string;
          if (node && (node.nodeType === 3 || node.nodeType === 8)) {
            const parentTag = (node.parentNode as Element | null)?.localName;
            (node as CharacterData).data = parentTag === 'style' ? sanitizeCss(data) : parentTag === 'template' ? '' : data;
          }
          break;
        }
        case Op.Attr: {
          const element = byId.get(tokens[pos++] as number) as Element | undefined;
          const name = tokens[pos++] as string;
          const value = tokens[pos++] as string | null;
          if (element?.nodeType === 1) this.setAttr(element, name, value);
          break;
        }
        case Op.Scroll: {
          const node = byId.get(tokens[pos++] as number);
          const x = tokens[pos++] as number;
          const y = tokens[pos++] as number;
          if (node) {
            this.scrolls.set(node, [x, y]);
            scrollNode(node, x, y);
          }
          break;
        }
        case Op.Viewport: {
          const width = tokens[pos++] as number;
          const height = tokens[pos++] as number;
          this.viewportSize = [width, height];
          const frame = this.building ?? this.frame;
          if (frame) {
            frame.width = String(width);
            frame.height = String(height);
          }
          this.events.viewport?.(width, height);
          break;
        }
        case Op.Pointer: {
          const x = tokens[pos++] as number;
          const y = tokens[pos++] as number;
          this.events.pointer?.(x, y);
          break;
        }
        case Op.Sheet: {
          const sheetId = tokens[pos++] as number;
          const text = sanitizeCss(tokens[pos++] as string);
          this.sheetTexts.set(sheetId, text);
          // Update every document's copy of this sheet.
          const docs = [this.document, ...this.frameDocuments()];
          for (const doc of docs) {
            const sheet = doc && this.constructed.get(doc)?.get(sheetId);
            if (sheet) this.guard(() => sheet.replaceSync(text));
          }
          break;
        }
        case Op.Adopt: {
          const owner = byId.get(tokens[pos++] as number) as Document | ShadowRoot | undefined;
          const count = tokens[pos++] as number;
          const sheetIds = tokens.slice(pos, pos + count) as number[];
          pos += count;
          if (owner && 'adoptedStyleSheets' in owner) this.adopt(owner, sheetIds);
          break;
        }
        case Op.Replace: {
          const old = byId.get(tokens[pos++] as number);
          const firstId = tokens[pos++] as number;
          const builder = this.builderFor(old?.parentNode ?? null);
          const fresh = builder.decode(tokens, pos, firstId, old?.parentNode ?? null);
          pos = builder.pos;
          if (old && fresh && !isHolder(fresh) && old.parentNode) {
            old.parentNode.replaceChild(fresh, old);
            this.forget(old);
            this.finishBuild(builder);
          }
          break;
        }
        case Op.Location: {
          this.url = tokens[pos++] as string;
          const title = tokens[pos++] as string;
          const baseURI = tokens[pos++] as string;
          const doc = this.building?.contentDocument ?? this.document;
          const base = doc && this.baseOf.get(doc);
          if (base && baseURI) base.href = baseURI;
          this.events.location?.(this.url, title);
          break;
        }
        default:
          throw new Error(`unknown operation ${String(op)} at ${pos - 1}`);
      }
    }
  }

  private add(tokens: readonly Token[], pos: number, parentId: number, nextId: number, firstId: number): number {
    const parent = parentId === 0 ? null : this.table.byId.get(parentId) ?? null;
    const builder = this.builderFor(parent);
    const node = builder.decode(tokens, pos, firstId, parent);
    if (parentId === 0) {
      const target = this.building?.contentDocument;
      if (isHolder(node) && target) {
        this.install(node, target, true);
        this.finishBuild(builder);
      }
    } else if (parent && node) {
      if (isHolder(node)) {
        // A new document in a known frame (after the frame loaded another page).
        const target = frameContentDocument(parent);
        if (target) {
          this.install(node, target, false);
          this.finishBuild(builder);
        }
      } else if (node.nodeType === 11 && (parent as Element).shadowRoot === node) {
        this.finishBuild(builder); // a new shadow root: attachShadow placed it already
      } else {
        if (node.nodeType === 10 && parent.nodeType === 9) this.reopen(parent as Document, node as DocumentType);
        const next = this.nextSibling(parent, nextId);
        makeRoomForRoot(parent, node);
        const inserted = this.guard(() => parent.insertBefore(node, next));
        if (inserted) {
          this.restoreBase(parent, node);
          this.finishBuild(builder);
        }
        else this.forget(node);
      }
    } else if (node && !isHolder(node)) {
      this.forget(node); // the parent is gone; keep the tables clean
    }
    return builder.pos;
  }

  private builderFor(parent: Node | null): Builder {
    const doc = parent?.ownerDocument ?? this.building?.contentDocument ?? this.document ?? document;
    return new Builder(this.table, doc, {
      applyState: (element, tag, name, value) => this.applyState(element, tag, name, value),
    });
  }

  /** Installs frame documents (outermost first) and applies deferred state. */
  private finishBuild(builder: Builder): void {
    for (const { frame, holder } of builder.frames) {
      const target = frameContentDocument(frame);
      if (target) this.install(holder, target, false);
    }
    builder.finish();
  }

  /** Fills `target` with a decoded document. */
  private install(holder: DocumentHolder, target: Document, isTop: boolean): void {
    // The compatibility mode comes only from parsing: write the doctype (or none), then
    // replace the parsed nodes with ours.
    target.open();
    target.write(doctypeMarkup(holder.doctype));
    target.close();
    target.replaceChildren();
    if (holder.doctype) {
      const { name, publicId, systemId } = holder.doctype;
      this.guard(() => target.appendChild(target.implementation.createDocumentType(name || 'html', publicId, systemId)));
    }
    // The base goes in before anything is attached: CSS resolves url() when it is parsed.
    const base = target.createElement('base');
    base.href = holder.baseURI;
    const root = holder.children.find((child) => child.nodeType === 1) as Element | undefined;
    const head = root && Array.from(root.children).find((child) => child.localName === 'head');
    (head ?? root)?.insertBefore(base, (head ?? root)!.firstChild);
    for (const child of holder.children) {
      if (child.nodeType === 1 && target.documentElement) continue; // a second root is not allowed
      this.guard(() => target.appendChild(child));
    }
    this.table.byId.set(holder.id, target);
    this.table.idOf.set(target, holder.id);
    this.baseOf.set(target, base);
    this.guardDocument(target);
    this.events.document?.(target, isTop);
  }

  /**
   * The page rewrote a document (document.open/write) with a doctype: only parsing sets the
   * compatibility mode, so the mirror's document is reopened with the same doctype. Its old
   * nodes keep their ids until the delta's removals reach them.
   */
  private reopen(target: Document, doctype: DocumentType): void {
    const base = this.baseOf.get(target);
    // The delta may have placed the new root already (inserts run back to front): keep it.
    const kept = Array.from(target.childNodes).filter((child) => child.nodeType !== 10);
    target.open();
    target.write(doctypeMarkup({ name: doctype.name, publicId: doctype.publicId, systemId: doctype.systemId }));
    target.close();
    // replaceChildren(...kept) would be refused: the check runs while the parsed root is still there.
    target.replaceChildren();
    for (const child of kept) target.appendChild(child);
    // document.open() dropped the listeners: guard the reopened document again.
    this.guardDocument(target);
    if (base) {
      this.pendingBase.set(target, base);
      if (target.documentElement) this.restoreBase(target, target.documentElement);
    }
    this.events.document?.(target, target === this.document);
  }

  /** Keeps the mirror still: no navigation, no form submission, no scrolling of its own. */
  private guardDocument(doc: Document): void {
    const prevent = (event: Event) => event.preventDefault();
    // Anything that would let the agent's browser change the mirror by itself: navigation,
    // submission, text editing (typing, paste, drop), native select popups, scrolling.
    for (const type of ['click', 'auxclick', 'submit', 'dragstart', 'drop', 'paste', 'cut', 'beforeinput', 'wheel', 'keydown']) {
      doc.addEventListener(type, prevent, { capture: true, passive: false });
    }
    doc.addEventListener(
      'mousedown',
      (event) => {
        const target = event.target as Element | null;
        if (target?.closest?.('select, option')) event.preventDefault(); // no native popup
      },
      { capture: true, passive: false },
    );
    doc.addEventListener('scroll', (event) => this.holdScroll(event.target as Node), { capture: true, passive: true });
    doc.addEventListener('load', () => this.reapplyScrolls(), { capture: true, passive: true });
  }

  private restoreBase(parent: Node, node: Node): void {
    if (parent.nodeType !== 9 || node.nodeType !== 1) return;
    const doc = parent as Document;
    const base = this.pendingBase.get(doc);
    if (!base) return;
    this.pendingBase.delete(doc);
    const head = doc.head ?? doc.documentElement;
    head?.insertBefore(base, head.firstChild);
  }

  private holdScroll(node: Node): void {
    const [x, y] = this.scrolls.get(node) ?? [0, 0];
    const current = currentScroll(node);
    if (current && (Math.abs(current[0] - x) > 1 || Math.abs(current[1] - y) > 1)) scrollNode(node, x, y);
  }

  private reapplyScrolls(): void {
    for (const [node, [x, y]] of this.scrolls) scrollNode(node, x, y);
  }

  private setAttr(element: Element, name: string, value: string | null): void {
    if (name.charCodeAt(0) === 61 /* = */) {
      this.applyState(element, pageTagOf(element), name, value);
      return;
    }
    setAttribute(element, pageTagOf(element), name, value);
    if (name === 'style' && this.masks.has(element)) {
      element.setAttribute('style', (element.getAttribute('style') ?? '') + this.masks.get(element)!);
    }
  }

  /** Applies a `=` state attribute to a mirror element. */
  private applyState(element: Element, tag: string, name: string, value: string | null): void {
    switch (name) {
      case StateAttr.Value:
        if (tag === 'select') {
          const chosen = new Set((value ?? '').split(',').filter(Boolean).map(Number));
          const select = element as HTMLSelectElement;
          const options = select.options;
          for (let i = 0; i < options.length; i++) options[i]!.selected = chosen.has(i);
          // Deselecting an option makes a single-line select pick its first option again
          // (the HTML "ask for a reset"); a page's `selectedIndex = -1` means none.
          if (chosen.size === 0) select.selectedIndex = -1;
        } else if (tag === 'input' || tag === 'textarea') {
          (element as HTMLInputElement).value = value ?? '';
        }
        break;
      case StateAttr.Checked:
        (element as HTMLInputElement).checked = value === '1';
        break;
      case StateAttr.Indeterminate:
        (element as HTMLInputElement).indeterminate = value === '1';
        break;
      case StateAttr.Css:
        this.applyCss(element, value ?? '');
        break;
      case StateAttr.SheetDisabled: {
        const sheet = (element as HTMLStyleElement).sheet;
        if (sheet) sheet.disabled = value === '1';
        break;
      }
      case StateAttr.SheetMedia: {
        const sheet = (element as HTMLStyleElement).sheet;
        if (sheet) sheet.media.mediaText = value ?? element.getAttribute('media') ?? '';
        break;
      }
      case StateAttr.Mask: {
        const [width = '0', height = '0'] = (value ?? '').split(',');
        const style = tag === 'input' || tag === 'textarea' ? MASKED_FIELD_STYLE : maskStyle(width, height);
        this.masks.set(element, style);
        element.setAttribute('style', (element.getAttribute('style') ?? '') + style);
        element.setAttribute('data-oc-masked', '');
        break;
      }
      case StateAttr.Canvas:
        if (value?.startsWith('data:image/')) element.setAttribute('src', value);
        break;
    }
  }

  /** Gives a <style> (or an inlined <link>) the sheet text the visitor's CSSOM has. */
  private applyCss(element: Element, css: string): void {
    const clean = sanitizeCss(css);
    if (element.hasAttribute(INLINED_LINK_ATTRIBUTE)) {
      element.textContent = clean; // no text nodes of the page's to keep
      return;
    }
    const sheet = (element as HTMLStyleElement).sheet;
    const win = element.ownerDocument.defaultView as (Window & typeof globalThis) | null;
    if (!sheet || !win) return;
    // Parse in a scratch sheet of the same realm, then copy the rules over: the <style>'s
    // text nodes keep their ids, and a later text edit resets the sheet as it did on the page.
    this.guard(() => {
      const scratch = new win.CSSStyleSheet();
      scratch.replaceSync(clean);
      while (sheet.cssRules.length > 0) sheet.deleteRule(0);
      for (let i = 0; i < scratch.cssRules.length; i++) sheet.insertRule(scratch.cssRules[i]!.cssText, i);
    });
  }

  private adopt(owner: Document | ShadowRoot, sheetIds: number[]): void {
    const doc = owner.nodeType === 9 ? (owner as Document) : owner.ownerDocument!;
    const win = doc.defaultView as (Window & typeof globalThis) | null;
    if (!win) return;
    let sheets = this.constructed.get(doc);
    if (!sheets) this.constructed.set(doc, (sheets = new Map()));
    const list: CSSStyleSheet[] = [];
    for (const sheetId of sheetIds) {
      let sheet = sheets.get(sheetId);
      if (!sheet) {
        sheet = new win.CSSStyleSheet();
        const text = this.sheetTexts.get(sheetId) ?? '';
        const created = sheet;
        this.guard(() => created.replaceSync(text));
        sheets.set(sheetId, sheet);
      }
      list.push(sheet);
    }
    this.guard(() => {
      owner.adoptedStyleSheets = list;
    });
  }

  private *frameDocuments(): Iterable<Document> {
    const top = this.document;
    if (!top) return;
    const stack: Document[] = [top];
    while (stack.length > 0) {
      const doc = stack.pop()!;
      const frames = doc.querySelectorAll('iframe,frame');
      for (let i = 0; i < frames.length; i++) {
        const inner = frameContentDocument(frames[i]!);
        if (inner) {
          yield inner;
          stack.push(inner);
        }
      }
    }
  }

  private nextSibling(parent: Node | undefined, nextId: number): Node | null {
    if (!nextId || !parent) return null;
    const next = this.table.byId.get(nextId);
    return next && next.parentNode === parent ? next : null;
  }

  /** Drops a subtree's ids (unless an id now names another node). */
  private forget(root: Node): void {
    const { byId, idOf } = this.table;
    const stack: Node[] = [root];
    while (stack.length > 0) {
      const node = stack.pop()!;
      const id = idOf.get(node);
      if (id !== undefined && byId.get(id) === node) byId.delete(id);
      this.scrolls.delete(node);
      for (let child = node.firstChild; child; child = child.nextSibling) stack.push(child);
      const shadow = (node as Element).shadowRoot;
      if (shadow) stack.push(shadow);
      const inner = frameContentDocument(node);
      if (inner) stack.push(inner);
    }
  }

  private guard(fn: () => unknown): boolean {
    try {
      fn();
      return true;
    } catch (error) {
      this.events.error?.(error);
      return false;
    }
  }
}

/** The page's tag for a mirror element: the mirror renames scripts, and inlined links. */
function pageTagOf(element: Element): string {
  return element.hasAttribute(INLINED_LINK_ATTRIBUTE) ? 'link' : element.localName;
}

function frameContentDocument(node: Node): Document | null {
  const name = (node as Element).localName;
  if (name !== 'iframe' && name !== 'frame') return null;
  try {
    return (node as HTMLIFrameElement).contentDocument;
  } catch {
    return null;
  }
}

/**
 * A document holds one root element. Inserts come before removals in a delta ([PS4]), so a
 * page that replaced its root (document.write into a frame) sends the new root while the
 * old one is still there: the old one is on its way out, detach it now.
 */
function makeRoomForRoot(parent: Node, node: Node): void {
  if (parent.nodeType !== 9) return;
  const doc = parent as Document;
  const current = node.nodeType === 1 ? doc.documentElement : node.nodeType === 10 ? doc.doctype : null;
  if (current && current !== node) current.remove();
}

function isAncestorOf(node: Node, of: Node): boolean {
  for (let current: Node | null = of; current; current = current.parentNode) if (current === node) return true;
  return false;
}

function currentScroll(node: Node): [number, number] | null {
  if (node.nodeType === 9) {
    const win = (node as Document).defaultView;
    return win ? [win.scrollX, win.scrollY] : null;
  }
  if (node.nodeType === 1) return [(node as Element).scrollLeft, (node as Element).scrollTop];
  return null;
}

function scrollNode(node: Node, x: number, y: number): void {
  if (node.nodeType === 9) {
    (node as Document).defaultView?.scrollTo(x, y);
  } else if (node.nodeType === 1) {
    (node as Element).scrollLeft = x;
    (node as Element).scrollTop = y;
  }
}

function doctypeMarkup(doctype: DocumentHolder['doctype']): string {
  if (!doctype) return '';
  const quote = (value: string) => `"${value.replace(/"/g, '')}"`;
  const name = /^[A-Za-z][A-Za-z0-9]*$/.test(doctype.name) ? doctype.name : 'html';
  if (doctype.publicId) return `<!DOCTYPE ${name} PUBLIC ${quote(doctype.publicId)}${doctype.systemId ? ' ' + quote(doctype.systemId) : ''}>`;
  if (doctype.systemId) return `<!DOCTYPE ${name} SYSTEM ${quote(doctype.systemId)}>`;
  return `<!DOCTYPE ${name}>`;
}
