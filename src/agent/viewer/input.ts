/**
 * The agent's mouse and keyboard over the mirror, turned into protocol messages
 * ([RC5], [RC7]–[RC9] in SPEC.md):
 *
 * - always (while the session is live): the agent's pointer, in the visitor's viewport
 *   coordinates, at most ~30 times a second, and (-1, -1) when it leaves the page;
 * - remote control off: a click is a `gesture` on the node under it;
 * - remote control on: `rc-event`s — click, double-click, context menu, hover, keys and
 *   typed text to the focused node, wheel → `scroll` of the element (or window) it would
 *   scroll, option choice → `select` (through the viewer's own picker), checkbox and radio
 *   → `check`, focus;
 * - remote control suspended (the visitor is using their mouse or keyboard, [RC4]): the
 *   pointer only.
 *
 * Every gesture and action names its target by the mirror's node id and carries `epoch`,
 * the sequence number of the keyframe the mirror shows, so the visitor never applies it to
 * a node of another page version ([RC7]).
 *
 * The mirror stays inert ([VW4]): its own guard cancels clicks, keys, wheel and form
 * submission; this module also keeps the native select popup, text edits (paste, drop)
 * and, under control, the agent's context menu out of it. Listeners are added to each
 * mirror document as the mirror builds it; they go with it.
 */
import type { AgentToServer, RemoteEvent } from '../../shared/protocol/control.js';
import { deepActiveElement, eventElement, findScrollTarget, nearestId, visitorPoint, type Point } from './input-geometry.js';
import { isTextEntry, keyAction, type KeyLike, type KeyModifiers } from './input-keys.js';
import type { OutboxKind } from './outbox.js';
import { Throttle } from './throttle.js';

/** What agent input does right now. */
export type InputMode =
  /** Nothing goes out (no live page, paused, over). */
  | 'off'
  /** Pointer and gestures. */
  | 'view'
  /** Pointer and remote-control actions. */
  | 'control'
  /** Remote control granted but the visitor is busy: the pointer only. */
  | 'suspended';

/** What the input needs of the viewer. */
export interface MirrorInputHost {
  /** The mirror's page ids. */
  idOf(node: Node): number | undefined;
  /** The mirror's top document (events above it belong to the viewer). */
  topDocument(): Document | null;
  /** The visitor's viewport, CSS pixels. */
  viewport(): readonly [number, number];
  /** The sequence number of the keyframe the mirror shows, or null while it has none. */
  epoch(): number | null;
  /** Sends a message (see outbox.ts for the kinds). */
  send(message: AgentToServer, kind: OutboxKind): void;
  /** The wheel outside remote control: scrolls the stage at actual size. */
  wheelStage(event: WheelEvent): void;
  /** Lets the agent pick options of a mirror `<select>`; `done` with the chosen indexes. */
  pickOptions(select: HTMLSelectElement, done: (indexes: number[]) => void): void;
  /** Tells the agent something (a paste that could not be read). */
  notify(text: string): void;
}

/** Shortest time between two pointer messages, ms (~30 per second). */
export const POINTER_INTERVAL_MS = 33;
/** Shortest time between two scroll actions for one target, ms. */
const SCROLL_INTERVAL_MS = 33;
/** A scroll position the agent asked for is trusted over the mirror's this long, ms. */
const SCROLL_SETTLE_MS = 600;
/** A pointer that left a document and entered no other within this time left the page, ms. */
const LEAVE_GRACE_MS = 50;
/** Pixels per line for wheel events that count lines (Firefox). */
const LINE_PIXELS = 16;
/** Longest text of one `text` action (the protocol's limit). */
const MAX_TEXT_CHARS = 4096;
/** Elements whose focus is worth telling the visitor's page about. */
const FOCUSABLE = /^(input|textarea|select|button|a|summary)$/;

/** Agent input over the mirror. */
export class MirrorInput {
  private mode: InputMode = 'off';
  private readonly pointer: Throttle<Point>;
  private readonly scroll: Throttle<{ target: number; x: number; y: number }>;
  private pointerShown = false;
  private leaveTimer: ReturnType<typeof setTimeout> | null = null;
  private hoverTarget: number | undefined;
  /** Positions asked for and not yet seen in the mirror, by scroll container. */
  private readonly pendingScroll = new Map<Element | Document, readonly [number, number]>();
  private scrollSettleTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly host: MirrorInputHost) {
    this.pointer = new Throttle(POINTER_INTERVAL_MS, (point) => this.host.send({ type: 'pointer', x: point.x, y: point.y }, 'volatile'));
    this.scroll = new Throttle(SCROLL_INTERVAL_MS, ({ target, x, y }) => this.act({ kind: 'scroll', target, x, y }));
  }

  /** The current mode. */
  get current(): InputMode {
    return this.mode;
  }

  /** Switches the mode (from the session state). */
  setMode(mode: InputMode): void {
    if (mode === this.mode) return;
    this.mode = mode;
    this.hoverTarget = undefined;
    this.scroll.cancel();
    this.pendingScroll.clear();
    if (mode === 'off') this.leave();
  }

  /** Adds the listeners to a mirror document (the mirror's `document` event). */
  attach(doc: Document): void {
    const on = <K extends keyof DocumentEventMap>(type: K, listener: (event: DocumentEventMap[K]) => void, passive = false) =>
      doc.addEventListener(type, (event) => this.guard(() => listener(event)), { capture: true, passive });
    on('mousemove', (event) => this.onMove(event, doc), true);
    on('mouseout', (event) => {
      if (event.relatedTarget === null) this.scheduleLeave();
    }, true);
    on('mousedown', (event) => this.onMouseDown(event));
    on('click', (event) => this.onClick(event, doc));
    on('auxclick', (event) => {
      if (event.button === 1) this.pointerAction('click', event, doc, 1);
    });
    on('dblclick', (event) => this.pointerAction('dblclick', event, doc));
    on('contextmenu', (event) => {
      if (this.mode !== 'control') return;
      event.preventDefault(); // the agent's own menu would cover the visitor's
      this.pointerAction('contextmenu', event, doc, 2);
    });
    on('wheel', (event) => this.onWheel(event, doc));
    on('keydown', (event) => this.onKey(event, doc));
    on('focusin', (event) => this.onFocus(event));
    // The mirror never changes by the agent's hand ([VW4]): no edits through paste or drop.
    on('beforeinput', (event) => event.preventDefault());
    on('drop', (event) => event.preventDefault());
    on('paste', (event) => {
      event.preventDefault();
      const text = event.clipboardData?.getData('text/plain');
      if (text) this.typeText(text, doc);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Pointer

  private onMove(event: MouseEvent, doc: Document): void {
    if (this.leaveTimer) clearTimeout(this.leaveTimer);
    this.leaveTimer = null;
    if (this.mode === 'off') return;
    this.pointerShown = true;
    this.pointer.push(this.point(event, doc));
    if (this.mode !== 'control') return;
    // Hover: only when the node under the pointer changes (menus that open on :hover).
    const target = this.targetOf(event);
    if (target === undefined || target === this.hoverTarget) return;
    this.hoverTarget = target;
    const { x, y } = this.point(event, doc);
    this.act({ kind: 'hover', target, x, y }, 'volatile');
  }

  private scheduleLeave(): void {
    if (this.leaveTimer) clearTimeout(this.leaveTimer);
    // Moving into a frame of the page also leaves a document: wait for the next move.
    this.leaveTimer = setTimeout(() => {
      this.leaveTimer = null;
      this.leave();
    }, LEAVE_GRACE_MS);
  }

  private leave(): void {
    this.pointer.cancel();
    this.hoverTarget = undefined;
    if (!this.pointerShown) return;
    this.pointerShown = false;
    this.host.send({ type: 'pointer', x: -1, y: -1 }, 'volatile');
  }

  // -------------------------------------------------------------------------------------------
  // Clicks

  private onMouseDown(event: MouseEvent): void {
    const select = this.selectOf(event);
    if (!select) return;
    // The native popup would change the mirror's own select: never ([VW4]).
    event.preventDefault();
    if (this.mode !== 'control' || event.button !== 0 || select.disabled) return;
    const target = this.host.idOf(select);
    if (target === undefined) return;
    this.host.pickOptions(select, (indexes) => this.act({ kind: 'select', target, indexes }));
  }

  private onClick(event: MouseEvent, doc: Document): void {
    if (event.button !== 0) return;
    if (this.mode === 'view') {
      const epoch = this.host.epoch();
      if (epoch === null) return;
      const { x, y } = this.point(event, doc);
      const target = this.targetOf(event);
      this.host.send({ type: 'gesture', epoch, x, y, ...(target === undefined ? {} : { target }) }, 'action');
      return;
    }
    if (this.mode !== 'control' || this.selectOf(event)) return;
    const element = eventElement(event);
    if (element?.localName === 'input') {
      const input = element as HTMLInputElement;
      const type = input.type;
      const target = this.host.idOf(input);
      if ((type === 'checkbox' || type === 'radio') && target !== undefined && !input.disabled) {
        // During the click the box already shows its new state (the browser toggles it before
        // dispatch); the mirror's guard cancelled the click, so it goes back right after.
        this.act({ kind: 'check', target, checked: input.checked });
        return;
      }
    }
    this.pointerAction('click', event, doc, 0);
  }

  private pointerAction(kind: 'click' | 'dblclick' | 'contextmenu', event: MouseEvent, doc: Document, button?: 0 | 1 | 2): void {
    if (this.mode !== 'control' || this.selectOf(event)) return;
    const { x, y } = this.point(event, doc);
    const target = this.targetOf(event);
    const modifiers = mouseModifiers(event);
    this.act({
      kind,
      x,
      y,
      ...(target === undefined ? {} : { target }),
      ...(button === undefined ? {} : { button }),
      ...(modifiers ? { modifiers } : {}),
    });
  }

  // -------------------------------------------------------------------------------------------
  // Wheel

  private onWheel(event: WheelEvent, doc: Document): void {
    if (this.mode !== 'control') {
      this.host.wheelStage(event);
      return;
    }
    const unit = event.deltaMode === 1 ? LINE_PIXELS : event.deltaMode === 2 ? (doc.defaultView?.innerHeight ?? 600) : 1;
    const dx = event.deltaX * unit;
    const dy = event.deltaY * unit;
    const found = findScrollTarget(eventElement(event), doc, this.host.topDocument(), dx, dy, (node) => this.pendingScroll.get(node));
    if (!found) return;
    const target = this.host.idOf(found.node);
    if (target === undefined) return;
    const [fromX, fromY] = this.pendingScroll.get(found.node) ?? [found.x, found.y];
    const x = Math.round(Math.max(0, Math.min(found.maxX, fromX + dx)));
    const y = Math.round(Math.max(0, Math.min(found.maxY, fromY + dy)));
    this.pendingScroll.set(found.node, [x, y]);
    if (this.scrollSettleTimer) clearTimeout(this.scrollSettleTimer);
    // Once the wheel rests, the mirror (following the visitor) is the truth again.
    this.scrollSettleTimer = setTimeout(() => this.pendingScroll.clear(), SCROLL_SETTLE_MS);
    const waiting = this.scroll.waiting;
    if (waiting && waiting.target !== target) this.scroll.flush();
    this.scroll.push({ target, x, y });
  }

  // -------------------------------------------------------------------------------------------
  // Keyboard and focus

  private onKey(event: KeyboardEvent, doc: Document): void {
    if (this.mode !== 'control') return;
    const focused = deepActiveElement(doc);
    const keyLike: KeyLike = {
      key: event.key,
      code: event.code,
      ctrlKey: event.ctrlKey,
      altKey: event.altKey,
      shiftKey: event.shiftKey,
      metaKey: event.metaKey,
      isComposing: event.isComposing,
      altGraph: event.getModifierState('AltGraph'),
    };
    const action = keyAction(keyLike, isTextEntry(focused));
    if (!action) return;
    event.preventDefault();
    const target = this.focusedTarget(focused);
    switch (action.kind) {
      case 'text':
        this.act({ kind: 'text', text: action.text, ...(target === undefined ? {} : { target }) });
        return;
      case 'key':
        this.act({
          kind: 'key',
          key: action.key,
          code: action.code,
          ...(target === undefined ? {} : { target }),
          ...(action.modifiers ? { modifiers: action.modifiers } : {}),
        });
        return;
      case 'paste':
        this.pasteClipboard(doc);
        return;
      default: {
        const never: never = action;
        return never;
      }
    }
  }

  private pasteClipboard(doc: Document): void {
    const clipboard = doc.defaultView?.top?.navigator.clipboard ?? navigator.clipboard;
    if (!clipboard?.readText) {
      this.host.notify('Paste is not available here: this browser does not let the viewer read the clipboard.');
      return;
    }
    clipboard.readText().then(
      (text) => this.typeText(text, doc),
      () => this.host.notify('Paste needs permission to read your clipboard. Allow it for this site, then paste again.'),
    );
  }

  private typeText(text: string, doc: Document): void {
    if (this.mode !== 'control' || !text) return;
    const target = this.focusedTarget(deepActiveElement(doc));
    for (let i = 0; i < text.length; i += MAX_TEXT_CHARS) {
      this.act({ kind: 'text', text: text.slice(i, i + MAX_TEXT_CHARS), ...(target === undefined ? {} : { target }) });
    }
  }

  private onFocus(event: FocusEvent): void {
    if (this.mode !== 'control') return;
    const element = eventElement(event);
    if (!element || !(FOCUSABLE.test(element.localName) || (element as HTMLElement).isContentEditable)) return;
    const target = this.host.idOf(element);
    if (target !== undefined) this.act({ kind: 'focus', target });
  }

  // -------------------------------------------------------------------------------------------

  /** Sends a remote-control action for the mirror's epoch. */
  private act(event: RemoteEvent, kind: OutboxKind = 'action'): void {
    const epoch = this.host.epoch();
    if (epoch === null || this.mode !== 'control') return;
    this.host.send({ type: 'rc-event', epoch, event }, kind);
  }

  private point(event: MouseEvent, doc: Document): Point {
    return visitorPoint(event, doc, this.host.topDocument(), this.host.viewport());
  }

  private targetOf(event: Event): number | undefined {
    return nearestId(eventElement(event), (node) => this.host.idOf(node), this.host.topDocument());
  }

  private focusedTarget(focused: Element | null): number | undefined {
    if (!focused || focused.localName === 'body' || focused.localName === 'html') return undefined;
    return nearestId(focused, (node) => this.host.idOf(node), this.host.topDocument());
  }

  private selectOf(event: Event): HTMLSelectElement | null {
    const element = eventElement(event);
    const select = element?.closest('select');
    return select ? (select as HTMLSelectElement) : null;
  }

  /** A bug of ours in one event must not stop the next one. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      console.warn('viewer: agent input could not be handled', error);
    }
  }
}

function mouseModifiers(event: MouseEvent): KeyModifiers | null {
  const modifiers: KeyModifiers = {};
  if (event.ctrlKey) modifiers.ctrl = true;
  if (event.altKey) modifiers.alt = true;
  if (event.shiftKey) modifiers.shift = true;
  if (event.metaKey) modifiers.meta = true;
  return Object.keys(modifiers).length > 0 ? modifiers : null;
}
