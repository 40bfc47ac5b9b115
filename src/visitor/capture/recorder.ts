/**
 * The recorder: keeps a mirror-able description of the page flowing to a sink ([CP1]–[CP6]).
 *
 * It takes a keyframe (sliced, so the page never freezes), then watches the page —
 * mutations, form state, scroll, viewport, pointer, stylesheets, shadow roots, iframes,
 * canvases — and writes batched deltas. It knows nothing of sockets or sessions: the sink
 * decides what happens to the JSON text it produces.
 */
import { Op, StateAttr, type Token } from '../../shared/dom/format.js';
import { listen, type Disposer, type ErrorReporter } from './hooks.js';
import { AdoptedSheets } from './adopted-sheets.js';
import { writeCanvasChanges } from './canvases.js';
import { hookPageWindow, type PageWindow } from './window-hooks.js';
import { Masker, type MaskingRules } from './masking.js';
import { writeMutations } from './mutations.js';
import { NodeIds, frameDocument } from './node-ids.js';
import { pushFormState, hasFormState } from './form-state.js';
import { TreeSerializer, serializeSubtree, type SerializeContext } from './serialize.js';
import { yieldToPage } from './scheduling.js';
import { createSheetTracker, pushSheetState, sheetText, type SheetTracker } from './stylesheets.js';

/** Receives the recorder's output: page-stream payloads as JSON text. */
export interface CaptureSink {
  /**
   * A piece of a keyframe's JSON text. Pieces arrive in order as slices finish and
   * concatenate to one payload; the piece with `last` set ends the keyframe.
   */
  keyframePiece(text: string, last: boolean): void;
  /** A delta payload. */
  delta(text: string): void;
  /** A volatile payload (pointer): relayed but not logged. */
  volatile(text: string): void;
}

/** Options of a recorder; durations in milliseconds. */
export interface RecorderOptions {
  /** The document to record. Default: the current document. */
  document?: Document;
  /** Masking rules; see masking.ts. */
  masking: MaskingRules;
  sink: CaptureSink;
  /** Receives errors of the recorder itself; they never reach the page. Default: console.warn. */
  report?: ErrorReporter;
  /** Work per snapshot slice before yielding to the page. Default 12. */
  sliceMs?: number;
  /** Shortest time between two deltas. Default 16. */
  flushIntervalMs?: number;
  /** Shortest time between two pointer updates. Default 40. */
  pointerIntervalMs?: number;
  /** How often canvases and adopted stylesheet arrays are checked. Default 500. */
  pollIntervalMs?: number;
  /**
   * Elements seen scrolling before capture started (the loader listens from page load).
   * With `complete`, they are all the scrolled elements of the page's document and the
   * keyframe reads no other scroll offsets; otherwise every element is checked in the
   * background after the keyframe.
   */
  scrollHints?: { elements: Iterable<Element>; complete: boolean };
}

type Root = Document | ShadowRoot;

const OBSERVE_OPTIONS: MutationObserverInit = {
  childList: true,
  subtree: true,
  attributes: true,
  characterData: true,
};

/** Records one document for one session. `start()` once; `stop()` is idempotent. */
export class Recorder {
  private readonly doc: Document;
  private readonly sink: CaptureSink;
  private readonly report: ErrorReporter;
  private readonly sliceMs: number;
  private readonly flushIntervalMs: number;
  private readonly pointerIntervalMs: number;
  private readonly pollIntervalMs: number;

  private masker: Masker;
  private ctx: SerializeContext;
  private readonly observer: MutationObserver;
  private readonly windowDisposers: Disposer[] = [];
  private readonly hookedWindows = new Set<Window>();
  private rootDisposers: Disposer[] = [];
  private roots = new Set<Root>();
  private readonly ignored = new WeakSet<Node>();
  private readonly sheets: SheetTracker = createSheetTracker();

  private pendingRecords: MutationRecord[] = [];
  private dirtyForms = new Set<Element>();
  private dirtyScrolls = new Set<Node>();
  private dirtySheets = new Set<CSSStyleSheet>();
  private dirtyAdoptions = new Set<Root>();
  private dirtyFrames = new Set<Element>();
  private newShadowHosts = new Set<Element>();
  /** Closed roots seen attached; they live as long as their hosts, across epochs. */
  private closedShadowRoots: WeakMap<Element, ShadowRoot> | null = null;
  private viewportDirty = false;
  private locationDirty = false;
  private sentBaseURI = '';

  /** Per keyframe epoch: constructed sheets and what each root last adopted. */
  private adopted: AdoptedSheets;
  private frameDocs = new WeakMap<Element, Document>();
  private canvasData = new WeakMap<HTMLCanvasElement, string>();

  private snapshotting = false;
  private mutatedDuringSnapshot = false;
  private flushScheduled = false;
  private lastFlush = 0;
  private pointer: { x: number; y: number } | null = null;
  private pointerTimer: ReturnType<typeof setTimeout> | null = null;
  private lastPointerSent = 0;
  private pollTimer: ReturnType<typeof setInterval> | null = null;
  private pollCount = 0;
  private stopped = false;
  private started = false;
  private keyframeRun: Promise<void> | null = null;
  /** Incremented by every keyframe: background work of an older epoch stops. */
  private epoch = 0;
  private readonly scrollHints: { elements: Iterable<Element>; complete: boolean };

  constructor(options: RecorderOptions) {
    this.doc = options.document ?? document;
    this.sink = options.sink;
    this.report = options.report ?? ((error) => console.warn('[cobrowse] capture error', error));
    this.sliceMs = options.sliceMs ?? 12;
    this.flushIntervalMs = options.flushIntervalMs ?? 16;
    this.pointerIntervalMs = options.pointerIntervalMs ?? 40;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.scrollHints = options.scrollHints ?? { elements: [], complete: false };
    this.masker = new Masker(options.masking);
    this.adopted = new AdoptedSheets(this.sheets);
    this.ctx = this.createContext();
    this.observer = new MutationObserver((records) => {
      try {
        this.onRecords(records);
      } catch (error) {
        this.report(error);
      }
    });
  }

  /** True when the masking rules could not be applied and the whole page is masked. */
  get maskingFailed(): boolean {
    return this.masker.failed;
  }

  /** The ids of the current keyframe epoch (remote control resolves node ids here). */
  get nodeIds(): NodeIds {
    return this.ctx.ids;
  }

  /**
   * Whether a node is masked or lies inside a masked element (shadow hosts and frames
   * included): remote control must neither type into nor read such nodes ([MK5]).
   */
  isMasked(node: Node): boolean {
    for (let current: Node | null = node; current; ) {
      if (current.nodeType === Node.ELEMENT_NODE) {
        const element = current as Element;
        if (this.ctx.maskedElements.has(element) || this.ctx.maskMatches.has(element) || this.masker.matches(element)) return true;
        if (this.masker.maskPage && (element.localName === 'body' || element.localName === 'frameset')) return true;
      }
      const parent: Node | null = current.parentNode;
      if (parent) current = parent;
      else if (current.nodeType === Node.DOCUMENT_FRAGMENT_NODE) current = (current as ShadowRoot).host ?? null;
      else if (current.nodeType === Node.DOCUMENT_NODE) current = frameElementOf(current as Document);
      else current = null;
    }
    return false;
  }

  /** Marks a node of ours (the visitor UI) so it is never captured. */
  ignore(node: Node): void {
    this.ignored.add(node);
  }

  /** Takes the first keyframe and starts watching. Resolves when the keyframe is written. */
  start(): Promise<void> {
    if (this.started) throw new Error('recorder already started');
    this.started = true;
    this.hookWindow(this.doc.defaultView as PageWindow);
    const win = this.doc.defaultView as PageWindow;
    this.windowDisposers.push(
      listen(win, 'resize', this.guarded(() => {
        this.viewportDirty = true;
        this.scheduleFlush();
      })),
      listen(this.doc, 'mousemove', this.guarded((event) => this.onPointer(event as MouseEvent))),
      listen(this.doc, 'mouseout', this.guarded((event) => {
        if (!(event as MouseEvent).relatedTarget) this.onPointer(null);
      })),
      listen(win, 'popstate', this.guarded(() => this.onLocation())),
      listen(win, 'hashchange', this.guarded(() => this.onLocation())),
    );
    this.pollTimer = setInterval(this.guarded(() => this.poll()), this.pollIntervalMs);
    return this.takeKeyframe();
  }

  /**
   * Writes a fresh keyframe (new id epoch), e.g. when the server lost its log or the
   * masking rules changed. Concurrent calls share one run.
   */
  takeKeyframe(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.keyframeRun ??= this.runKeyframe().finally(() => {
      this.keyframeRun = null;
    });
    return this.keyframeRun;
  }

  /** Replaces the masking rules; a new keyframe follows so nothing stays unmasked. */
  setMasking(rules: MaskingRules): Promise<void> {
    this.masker = new Masker(rules);
    return this.takeKeyframe();
  }

  /** Stops watching and releases every hook. Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.observer.disconnect();
    this.rootDisposers.forEach((dispose) => dispose());
    this.rootDisposers = [];
    this.windowDisposers.forEach((dispose) => dispose());
    this.windowDisposers.length = 0;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.pointerTimer) clearTimeout(this.pointerTimer);
    this.pendingRecords = [];
  }

  // -------------------------------------------------------------------------------------------
  // Keyframes

  private createContext(): SerializeContext {
    const hinted = new WeakSet<Element>(this.scrollHints?.elements ?? []);
    return {
      ids: new NodeIds(),
      masker: this.masker,
      maskMatches: new WeakSet(),
      maskedElements: new WeakSet(),
      sheets: this.sheets,
      ignored: this.ignored,
      scrolls: [],
      closedShadowRoots: this.closedShadowRoots,
      mayBeScrolled: (element) => element.localName === 'textarea' || hinted.has(element),
      onRoot: (root) => this.observeRoot(root),
    };
  }

  private async runKeyframe(): Promise<void> {
    const epoch = ++this.epoch;
    this.snapshotting = true;
    this.mutatedDuringSnapshot = false;
    // A new epoch: forget every id, root and per-epoch table; the mirror starts afresh.
    this.observer.disconnect();
    this.rootDisposers.forEach((dispose) => dispose());
    this.rootDisposers = [];
    this.roots = new Set();
    this.pendingRecords = [];
    this.dirtyForms.clear();
    this.dirtyScrolls.clear();
    this.dirtySheets.clear();
    this.dirtyAdoptions.clear();
    this.dirtyFrames.clear();
    this.newShadowHosts.clear();
    this.adopted = new AdoptedSheets(this.sheets);
    this.frameDocs = new WeakMap();
    this.canvasData = new WeakMap();
    this.ctx = this.createContext();

    const doc = this.doc;
    const win = doc.defaultView!;
    this.sentBaseURI = doc.baseURI;
    const head: Token[] = [
      Op.Location, doc.location.href, doc.title, doc.baseURI,
      Op.Viewport, win.innerWidth, win.innerHeight,
      Op.Add, 0, 0, this.ctx.ids.nextId,
    ];
    const serializer = new TreeSerializer(this.ctx, doc);
    serializer.out = head;
    const pieces = new PieceWriter();
    while (!serializer.run(performance.now() + this.sliceMs)) {
      this.sink.keyframePiece(pieces.write(serializer.out, false), false);
      serializer.out = [];
      await yieldToPage();
      if (this.stopped) return;
      if (this.mutatedDuringSnapshot) {
        // Elements that appeared or changed class meanwhile must be masked if they match.
        this.mutatedDuringSnapshot = false;
        for (const root of this.roots) this.masker.collect(root, this.ctx.maskMatches);
      }
    }
    const tail = serializer.out;
    for (let i = 0; i < this.ctx.scrolls.length; i += 3) {
      tail.push(Op.Scroll, this.ctx.scrolls[i]!, this.ctx.scrolls[i + 1]!, this.ctx.scrolls[i + 2]!);
    }
    this.ctx.scrolls.length = 0;
    for (const root of this.roots) this.writeAdopted(root, tail);
    this.sink.keyframePiece(pieces.write(tail, true), true);
    this.snapshotting = false;
    this.lastFlush = 0;
    this.scheduleFlush();
    this.pollCanvases();
    if (!this.scrollHints.complete) this.scanScrollOffsets(epoch).catch(this.report);
  }

  /**
   * Reads every known element's scroll offset in slices after the keyframe, for pages
   * where the loader could not watch scrolling from the start (loaded late, shadow roots,
   * iframes). Offsets already sent are not repeated.
   */
  private async scanScrollOffsets(epoch: number): Promise<void> {
    const ids = this.ctx.ids;
    const out: Token[] = [];
    let deadline = performance.now() + this.sliceMs;
    let visited = 0;
    for (const node of ids.nodes()) {
      if (node.nodeType === Node.ELEMENT_NODE && !this.ctx.mayBeScrolled(node as Element)) {
        const element = node as Element;
        const top = element.scrollTop;
        const left = element.scrollLeft;
        if (top !== 0 || left !== 0) out.push(Op.Scroll, ids.get(element)!, left, top);
      }
      if ((++visited & 127) === 0 && performance.now() > deadline) {
        await yieldToPage();
        if (this.stopped || epoch !== this.epoch) return;
        deadline = performance.now() + this.sliceMs;
      }
    }
    if (out.length > 0) this.sink.delta(JSON.stringify(out));
  }

  // -------------------------------------------------------------------------------------------
  // Roots: the document, shadow roots and same-origin iframe documents

  private observeRoot(root: Root): void {
    if (this.roots.has(root)) return;
    this.roots.add(root);
    this.observer.observe(root, OBSERVE_OPTIONS);
    const onForm = this.guarded((event: Event) => {
      const target = event.target as Element;
      if (target && hasFormState(target)) {
        this.dirtyForms.add(target);
        this.scheduleFlush();
      }
    });
    const onScroll = this.guarded((event: Event) => {
      this.dirtyScrolls.add(event.target as Node);
      this.scheduleFlush();
    });
    this.rootDisposers.push(listen(root, 'input', onForm), listen(root, 'change', onForm), listen(root, 'scroll', onScroll));
    if (root.nodeType === Node.DOCUMENT_NODE) {
      const doc = root as Document;
      this.rootDisposers.push(listen(doc, 'load', this.guarded((event) => this.onLoad(event))));
      const win = doc.defaultView as PageWindow | null;
      if (win) this.hookWindow(win);
      const frame = doc !== this.doc ? frameElementOf(doc) : null;
      if (frame) this.frameDocs.set(frame, doc);
    }
    if (root.adoptedStyleSheets?.length) this.dirtyAdoptions.add(root);
  }

  /** Installs the per-window hooks once per window (the page's and its iframes'). */
  private hookWindow(win: PageWindow): void {
    if (this.hookedWindows.has(win)) return;
    this.hookedWindows.add(win);
    const dirty = <T>(set: Set<T>) => (item: T) => {
      set.add(item);
      this.scheduleFlush();
    };
    this.windowDisposers.push(
      hookPageWindow(
        win,
        {
          formChanged: (element) => {
            if (this.ctx.ids.get(element) !== undefined) dirty(this.dirtyForms)(element);
          },
          sheetChanged: dirty(this.dirtySheets),
          adoptionChanged: dirty(this.dirtyAdoptions),
          shadowAttached: (host, root) => {
            if (host.shadowRoot !== root) {
              this.closedShadowRoots ??= new WeakMap();
              this.closedShadowRoots.set(host, root);
              this.ctx.closedShadowRoots = this.closedShadowRoots;
            }
            dirty(this.newShadowHosts)(host);
          },
          locationChanged: () => this.onLocation(),
        },
        this.sheets,
        this.report,
      ),
    );
  }

  // -------------------------------------------------------------------------------------------
  // Events

  private onRecords(records: MutationRecord[]): void {
    for (const record of records) this.pendingRecords.push(record);
    if (this.snapshotting) {
      this.mutatedDuringSnapshot = true;
      return;
    }
    this.scheduleFlush();
  }

  private onLoad(event: Event): void {
    const target = event.target as Element;
    const name = target.localName;
    if (name === 'iframe' || name === 'frame') {
      this.dirtyFrames.add(target);
      this.scheduleFlush();
    } else if (name === 'link') {
      const sheet = (target as HTMLLinkElement).sheet;
      if (sheet) {
        this.dirtySheets.add(sheet);
        this.scheduleFlush();
      }
    }
  }

  private onLocation(): void {
    this.locationDirty = true;
    this.scheduleFlush();
  }

  private onPointer(event: MouseEvent | null): void {
    this.pointer = event ? { x: event.clientX, y: event.clientY } : { x: -1, y: -1 };
    if (this.pointerTimer) return;
    const wait = this.lastPointerSent + this.pointerIntervalMs - performance.now();
    this.pointerTimer = setTimeout(this.guarded(() => {
      this.pointerTimer = null;
      if (this.stopped || !this.pointer) return;
      this.lastPointerSent = performance.now();
      this.sink.volatile(JSON.stringify([Op.Pointer, this.pointer.x, this.pointer.y]));
    }), Math.max(0, wait));
  }

  // -------------------------------------------------------------------------------------------
  // Flushing deltas

  private scheduleFlush(): void {
    if (this.flushScheduled || this.snapshotting || this.stopped) return;
    this.flushScheduled = true;
    const wait = this.lastFlush + this.flushIntervalMs - performance.now();
    const run = this.guarded(() => this.flush());
    if (wait <= 0) queueMicrotask(run);
    else setTimeout(run, wait);
  }

  /** Writes everything that changed since the last delta as one delta. */
  flush(): void {
    this.flushScheduled = false;
    if (this.stopped || this.snapshotting) return;
    this.lastFlush = performance.now();
    const out: Token[] = [];
    const records = this.pendingRecords;
    this.pendingRecords = [];
    for (const record of this.observer.takeRecords()) records.push(record);
    // New shadow roots first: records inside them are then about known nodes.
    this.writeShadowRoots(out);
    if (records.length > 0) writeMutations(this.ctx, records, out);
    this.writeFrames(out);
    this.writeForms(out);
    this.writeSheets(out);
    for (const root of this.dirtyAdoptions) this.writeAdopted(root, out);
    this.dirtyAdoptions.clear();
    this.writeScrolls(out);
    if (this.viewportDirty) {
      this.viewportDirty = false;
      const win = this.doc.defaultView!;
      out.push(Op.Viewport, win.innerWidth, win.innerHeight);
    }
    // A <base> added or changed by the page moves the base URL without any event.
    if (this.locationDirty || (records.length > 0 && this.doc.baseURI !== this.sentBaseURI)) {
      this.locationDirty = false;
      this.sentBaseURI = this.doc.baseURI;
      out.push(Op.Location, this.doc.location.href, this.doc.title, this.sentBaseURI);
    }
    if (out.length > 0) this.sink.delta(JSON.stringify(out));
  }

  private writeShadowRoots(out: Token[]): void {
    const ids = this.ctx.ids;
    for (const host of this.newShadowHosts) {
      const hostId = ids.get(host);
      const shadow = host.shadowRoot ?? this.closedShadowRoots?.get(host);
      if (hostId === undefined || !shadow || ids.get(shadow) !== undefined || !host.isConnected) continue;
      if (this.ctx.maskedElements.has(host)) continue;
      out.push(Op.Add, hostId, 0, ids.nextId);
      serializeSubtree(this.ctx, shadow, out);
    }
    this.newShadowHosts.clear();
  }

  private writeFrames(out: Token[]): void {
    const ids = this.ctx.ids;
    for (const frame of this.dirtyFrames) {
      const frameId = ids.get(frame);
      if (frameId === undefined || !frame.isConnected) continue;
      const current = frameDocument(frame);
      const previous = this.frameDocs.get(frame);
      if (current === previous) continue;
      if (previous) {
        const previousId = ids.get(previous);
        if (previousId !== undefined) {
          out.push(Op.Remove, previousId);
          ids.forgetSubtree(previous);
        }
        this.frameDocs.delete(frame);
      }
      if (current) {
        out.push(Op.Add, frameId, 0, ids.nextId);
        serializeSubtree(this.ctx, current, out);
      }
    }
    this.dirtyFrames.clear();
  }

  private writeForms(out: Token[]): void {
    const ids = this.ctx.ids;
    const state: unknown[] = [];
    for (const element of this.dirtyForms) {
      const id = ids.get(element);
      if (id === undefined || !element.isConnected) continue;
      state.length = 0;
      pushFormState(element, this.ctx.maskedElements.has(element), state, true);
      for (let i = 0; i < state.length; i += 2) out.push(Op.Attr, id, state[i] as string, state[i + 1] as string);
    }
    this.dirtyForms.clear();
  }

  private writeSheets(out: Token[]): void {
    const ids = this.ctx.ids;
    const state: unknown[] = [];
    for (const sheet of this.dirtySheets) {
      const owner = sheet.ownerNode as Element | null;
      if (owner) {
        const id = ids.get(owner);
        if (id === undefined || !owner.isConnected || this.ctx.maskedElements.has(owner)) continue;
        state.length = 0;
        pushSheetState(owner, state, this.sheets);
        // Cleared states are written too, so an re-enabled sheet or reset media applies.
        const written = new Set<string>();
        for (let i = 0; i < state.length; i += 2) {
          written.add(state[i] as string);
          out.push(Op.Attr, id, state[i] as string, state[i + 1] as string);
        }
        for (const name of [StateAttr.SheetDisabled, StateAttr.SheetMedia]) {
          if (!written.has(name)) out.push(Op.Attr, id, name, null);
        }
      } else {
        const sheetId = this.adopted.idOf(sheet);
        if (sheetId !== undefined) out.push(Op.Sheet, sheetId, sheetText(sheet, sheet.href) ?? '');
      }
    }
    this.dirtySheets.clear();
  }

  /** Writes a root's adopted sheets when they differ from what the mirror has. */
  private writeAdopted(root: Root, out: Token[]): void {
    const rootId = this.ctx.ids.get(root);
    if (rootId === undefined || (!root.isConnected && root !== this.doc)) return;
    this.adopted.write(root, rootId, out);
  }

  private writeScrolls(out: Token[]): void {
    const ids = this.ctx.ids;
    for (const target of this.dirtyScrolls) {
      if (target.nodeType === Node.DOCUMENT_NODE) {
        const id = ids.get(target);
        const win = (target as Document).defaultView;
        if (id !== undefined && win) out.push(Op.Scroll, id, win.scrollX, win.scrollY);
      } else {
        const element = target as Element;
        const id = ids.get(element);
        if (id !== undefined && element.isConnected) out.push(Op.Scroll, id, element.scrollLeft, element.scrollTop);
      }
    }
    this.dirtyScrolls.clear();
  }

  // -------------------------------------------------------------------------------------------
  // Polling: what no event announces

  private poll(): void {
    if (this.stopped || this.snapshotting) return;
    for (const root of this.roots) if (this.adopted.changed(root)) this.dirtyAdoptions.add(root);
    if (this.dirtyAdoptions.size > 0) this.scheduleFlush();
    if (++this.pollCount % 2 === 0) this.pollCanvases();
  }

  private pollCanvases(): void {
    const out: Token[] = [];
    writeCanvasChanges(this.roots, this.ctx.ids, this.ctx.maskedElements, this.canvasData, out);
    if (out.length > 0) this.sink.delta(JSON.stringify(out));
  }

  private guarded<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
    return (...args: A) => {
      try {
        fn(...args);
      } catch (error) {
        this.report(error);
      }
    };
  }
}

/** Writes keyframe pieces whose texts concatenate to one JSON array. */
class PieceWriter {
  private started = false;
  private wroteToken = false;

  write(tokens: Token[], last: boolean): string {
    let text = this.started ? '' : '[';
    this.started = true;
    if (tokens.length > 0) {
      text += (this.wroteToken ? ',' : '') + JSON.stringify(tokens).slice(1, -1);
      this.wroteToken = true;
    }
    return last ? text + ']' : text;
  }
}

function frameElementOf(doc: Document): Element | null {
  try {
    return doc.defaultView?.frameElement ?? null;
  } catch {
    return null;
  }
}
