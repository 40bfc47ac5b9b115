/**
 * Remote control on the visitor's side ([RC1]–[RC7], DESIGN §3.7): consent, suspension
 * while the visitor uses their own mouse or keyboard, and the execution of the agent's
 * actions on the nodes they name.
 *
 *   off ──accept / enableRC(true)──► on ◄──3 s without visitor input── suspended
 *    ▲                                │  ──visitor moves, clicks, types──►
 *    └──enableRC(false), UI, agent's requestRC(false), session end──┘
 *
 * Everything the server sends is checked again here: actions only while control is
 * granted and not suspended, only for the keyframe epoch the recorder's ids belong to,
 * never on our own UI, and never on masked elements.
 */
import type { AgentInfo, RemoteControlState, RemoteEvent } from '../../shared/protocol/control.js';
import { AgentKeyboard } from './keyboard.js';
import { AgentMouse, type Button } from './mouse.js';
import type { RemoteHost } from './remote-host.js';
import { codeOf, fireEvent, fireMouse } from './synth.js';
import { findTarget, isMasked, pointOn } from './targets.js';
import { focusableAncestor } from './tabbable.js';

/** How long the visitor's own input suspends the agent's control, ms after their last input. */
export const SUSPEND_MS = 3_000;

/** Trusted events that mean the visitor is using the page themselves ([RC4]). */
const VISITOR_INPUT = ['mousemove', 'mousedown', 'keydown', 'wheel', 'touchstart'] as const;

/** One remote-control action as it arrives. */
export interface RemoteCommand {
  epoch: number;
  event: RemoteEvent;
  agent: AgentInfo;
}

/** Remote control for one session. */
export class RemoteControl {
  private enabled = false;
  private suspended = false;
  private resumeTimer: ReturnType<typeof setTimeout> | null = null;
  private lastMove: { x: number; y: number } | null = null;
  private readonly mouse = new AgentMouse();
  private readonly keyboard = new AgentKeyboard();
  private disposed = false;
  private readonly onVisitorInput = (event: Event) => this.visitorInput(event);

  /** @param clicked shows the visitor where an agent's click landed */
  constructor(
    private readonly host: RemoteHost,
    private readonly clicked: (element: Element | null, x: number, y: number, agent: AgentInfo) => void,
  ) {}

  /** Whether the visitor has granted control. */
  get isEnabled(): boolean {
    return this.enabled;
  }

  /**
   * An agent asks for control ([RC1]): fires `rcrequested` with `accept()` and `decline()`
   * (the default UI prompts; a custom UI decides). Only the first answer counts.
   */
  requested(agent: AgentInfo): void {
    let answered = false;
    const answer = (accept: boolean) => () => {
      if (answered || this.disposed) return;
      answered = true;
      if (accept) this.enable(true);
      else this.host.send({ type: 'rc-declined' });
    };
    this.host.emit('rcrequested', { agent: { ...agent }, accept: answer(true), decline: answer(false) });
  }

  /** The visitor grants or revokes control (`enableRC`, the UI, an accepted request). */
  enable(on: boolean): boolean {
    if (this.disposed) return false;
    if (on && !this.host.settings().allowRemoteControl) {
      this.host.log.error('enableRC: remote control is turned off for this group');
      return false;
    }
    if (on === this.enabled) return true;
    this.set(on, false);
    this.host.send({ type: 'rc', enabled: on });
    return true;
  }

  /**
   * The server's word on control: the agent gave it back ([RC3]), or a page load inside
   * the session restores it (`rc` is fired again on every page while enabled).
   */
  restore(state: RemoteControlState, pageLoad: boolean): void {
    if (this.disposed) return;
    if (state.enabled === this.enabled && !pageLoad) return;
    this.set(state.enabled, false);
    // The server still thinks we are suspended (the visitor was typing when the page changed).
    if (state.enabled && state.suspended) this.host.send({ type: 'rc', enabled: true, suspended: false });
  }

  /** Runs one agent action ([RC5]); anything that may not run is dropped with a console note. */
  execute(command: RemoteCommand): void {
    const { log } = this.host;
    if (!this.enabled || this.suspended || this.disposed) return; // [RC4]: dropped while the visitor has the controls
    if (this.host.epoch() !== command.epoch) return; // [RC7]: ids of another keyframe
    const event = command.event;
    const top = this.host.win.document;
    const x = 'x' in event ? event.x : undefined;
    const y = 'y' in event ? event.y : undefined;
    let element: Element | null;
    if ((event.kind === 'key' || event.kind === 'text') && event.target === undefined) {
      element = deepActiveElement(top);
      if (element && this.host.layer.owns(element)) element = null;
    } else {
      const target = findTarget(this.host, event.target, x, y);
      if (target?.document && event.kind === 'scroll') {
        target.document.defaultView?.scrollTo(event.x, event.y);
        return;
      }
      element = target?.element ?? null;
    }
    if (!element) return;
    if (event.kind !== 'scroll' && event.kind !== 'hover' && isMasked(this.host, element)) {
      log.warn(`remote control: refused a ${event.kind} on a masked element`);
      return;
    }
    const point = pointOn(element, x, y, top);
    switch (event.kind) {
      case 'click':
      case 'contextmenu': {
        const button: Button = event.kind === 'contextmenu' ? 2 : ((event.button ?? 0) as Button);
        this.mouse.press(element, point.x, point.y, button, event.modifiers ?? {});
        this.clicked(element, event.x, event.y, command.agent);
        return;
      }
      case 'dblclick':
        this.mouse.press(element, point.x, point.y, 0, event.modifiers ?? {}, 1);
        this.mouse.press(element, point.x, point.y, 0, event.modifiers ?? {}, 2);
        fireMouse(element, 'dblclick', { ...point, detail: 2, modifiers: event.modifiers ?? {} });
        this.clicked(element, event.x, event.y, command.agent);
        return;
      case 'hover':
        this.mouse.move(element, point.x, point.y);
        return;
      case 'key':
        this.keyboard.press(focusTarget(element), event.key, event.code || codeOf(event.key), event.modifiers ?? {});
        return;
      case 'text':
        this.keyboard.type(focusTarget(element), event.text);
        return;
      case 'scroll':
        scrollElement(element, event.x, event.y);
        return;
      case 'select':
        selectOptions(element, event.indexes);
        return;
      case 'check': {
        const box = element as HTMLInputElement;
        if (box.localName !== 'input' || (box.type !== 'checkbox' && box.type !== 'radio')) return;
        if (box.checked === event.checked || (box.type === 'radio' && !event.checked) || box.disabled) return;
        // A click, as the user's: frameworks listen to click for checkboxes; it fires input and change.
        const centre = pointOn(box, undefined, undefined, top);
        this.mouse.press(box, centre.x, centre.y, 0, {});
        return;
      }
      case 'focus':
        if (element.ownerDocument.activeElement !== element) (element as HTMLElement).focus?.();
        return;
      default:
        event satisfies never;
    }
  }

  /** Ends control for good (session over). */
  dispose(): void {
    if (this.disposed) return;
    this.listen(false);
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.disposed = true;
  }

  private set(enabled: boolean, suspended: boolean): void {
    this.enabled = enabled;
    this.suspended = suspended;
    if (!enabled && this.resumeTimer) clearTimeout(this.resumeTimer);
    this.listen(enabled);
    this.host.state.setRc({ enabled, suspended });
    this.host.emit('rc', { enabled, suspended });
  }

  private listen(on: boolean): void {
    const win = this.host.win;
    for (const type of VISITOR_INPUT) {
      if (on) win.addEventListener(type, this.onVisitorInput, { capture: true, passive: true });
      else win.removeEventListener(type, this.onVisitorInput, { capture: true });
    }
    this.lastMove = null;
  }

  /** [RC4] the visitor's own input suspends control until they have been still for a while. */
  private visitorInput(event: Event): void {
    if (!event.isTrusted || !this.enabled) return;
    if (event.type === 'mousemove') {
      // Browsers send still-pointer moves after scrolling or layout changes: only movement counts.
      const move = event as MouseEvent;
      const last = this.lastMove;
      this.lastMove = { x: move.screenX, y: move.screenY };
      if (!last || (last.x === move.screenX && last.y === move.screenY)) return;
    }
    if (this.host.layer.owns(event.composedPath()[0] as Node)) return; // the visitor is using our UI (e.g. Stop control)
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.resumeTimer = setTimeout(() => {
      this.resumeTimer = null;
      if (!this.enabled || this.disposed) return;
      this.suspended = false;
      this.host.state.setRc({ enabled: true, suspended: false });
      this.host.send({ type: 'rc', enabled: true, suspended: false });
      this.host.emit('rc', { enabled: true, suspended: false });
    }, SUSPEND_MS);
    if (this.suspended) return;
    this.suspended = true;
    this.host.state.setRc({ enabled: true, suspended: true });
    this.host.send({ type: 'rc', enabled: true, suspended: true });
    this.host.emit('rc', { enabled: true, suspended: true });
  }
}

/** The focused element (the body when nothing is), through open shadow roots and same-origin iframes. */
function deepActiveElement(doc: Document): Element | null {
  let active: Element | null = doc.activeElement;
  for (let depth = 0; active && depth < 32; depth++) {
    if (active.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    else if (active.localName === 'iframe' || active.localName === 'frame') {
      let inner: Document | null = null;
      try {
        inner = (active as HTMLIFrameElement).contentDocument;
      } catch {
        inner = null;
      }
      if (!inner?.activeElement) break;
      active = inner.activeElement;
    } else break;
  }
  return active;
}

/**
 * Keys go to the focused element: one the agent aimed at that can take focus gets it
 * first (as the click that would have put the caret there).
 */
function focusTarget(element: Element): Element {
  const focusable = focusableAncestor(element);
  if (focusable === element && deepActiveElement(element.ownerDocument) !== element) focusable.focus({ preventScroll: true });
  return element;
}

/** Scrolls an element, or its window for the root elements ([PS5] sends the result back). */
function scrollElement(element: Element, x: number, y: number): void {
  const doc = element.ownerDocument;
  if (element === doc.documentElement || element === doc.body) doc.defaultView?.scrollTo(x, y);
  else element.scrollTo(x, y);
}

/** Selects options of a `<select>` by index and fires `input` and `change`, as a user's choice does. */
function selectOptions(element: Element, indexes: number[]): void {
  if (element.localName !== 'select') return;
  const select = element as HTMLSelectElement;
  if (select.disabled) return;
  const wanted = select.multiple ? new Set(indexes) : new Set(indexes.slice(0, 1));
  let changed = false;
  Array.from(select.options).forEach((option, index) => {
    const selected = wanted.has(index);
    if (option.selected !== selected && !option.disabled) {
      option.selected = selected;
      changed = true;
    }
  });
  if (!changed) return;
  fireEvent(select, 'input');
  fireEvent(select, 'change');
}
