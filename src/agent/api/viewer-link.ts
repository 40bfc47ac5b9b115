/**
 * The CRM page's end of the bridge to the viewer iframe (see bridge-protocol.ts).
 *
 * Accepts messages only from the iframe's window and the viewer's origin — the origin of
 * the iframe's `src` (the OpenCobrowse server), or the origin agent-api.js came from while
 * the frame has no `src` — and sends only to that origin, so nothing reaches a page the
 * frame may have been navigated to. Calls wait in a queue until the viewer is connected,
 * and again while a reloaded viewer comes back.
 */
import {
  BRIDGE_VERSION,
  envelope,
  fromExpected,
  readViewerMessage,
  webOrigin,
  type BridgeCall,
  type BridgeError,
  type CrmToViewer,
  type StateSnapshot,
} from './bridge-protocol.js';

/** Calls kept while the viewer is not connected; more fail with `busy`. */
export const MAX_QUEUED_CALLS = 500;

/** What the link tells the API. */
export interface ViewerLinkEvents {
  /** The viewer connected (or came back after a reload) with the session state. */
  connected(snapshot: StateSnapshot): void;
  /** An Agent API event from the viewer. */
  event(name: string, data: unknown): void;
  /** A session message from the visitor. */
  message(name: string, data: unknown): void;
  /** A call could not be carried out. */
  failed(call: BridgeCall, error: BridgeError): void;
  /** A message of ours with another bridge version arrived (bundles of different servers). */
  versionMismatch(version: unknown): void;
}

/** The bridge to one viewer iframe. */
export class ViewerLink {
  private connected = false;
  private nextId = 1;
  private readonly queue: BridgeCall[] = [];
  private readonly inFlight = new Map<number, BridgeCall>();
  private readonly onMessage = (event: MessageEvent) => this.receive(event);
  private destroyed = false;

  constructor(
    private readonly win: Window,
    readonly frame: HTMLIFrameElement,
    /** The origin agent-api.js was loaded from, used while the frame has no http(s) `src`. */
    private readonly scriptOrigin: string | null,
    private readonly events: ViewerLinkEvents,
  ) {
    win.addEventListener('message', this.onMessage);
    // The viewer may have booted before init(): it said `ready` to nobody. Ask it.
    this.post(envelope<CrmToViewer>({ kind: 'connect' }));
  }

  /** The origin the viewer must have. */
  get viewerOrigin(): string | null {
    const src = this.frame.getAttribute('src');
    return (src && webOrigin(src, this.win.location.href)) || this.scriptOrigin;
  }

  /** Whether the viewer is connected. */
  get isConnected(): boolean {
    return this.connected;
  }

  /** Carries out `call` now, or once the viewer is connected. */
  call(call: BridgeCall): void {
    if (this.destroyed) return;
    if (!this.connected) {
      if (this.queue.length >= MAX_QUEUED_CALLS) {
        this.events.failed(call, { code: 'busy', message: `${MAX_QUEUED_CALLS} calls are already waiting for the viewer` });
        return;
      }
      this.queue.push(call);
      return;
    }
    this.send(call);
  }

  /** Stops listening; queued calls are dropped. Idempotent. */
  destroy(): void {
    this.destroyed = true;
    this.connected = false;
    this.queue.length = 0;
    this.inFlight.clear();
    this.win.removeEventListener('message', this.onMessage);
  }

  // -------------------------------------------------------------------------------------------

  private receive(event: MessageEvent): void {
    const origin = this.viewerOrigin;
    if (!origin || !fromExpected(event, this.frame.contentWindow, [origin])) return;
    const message = readViewerMessage(event.data);
    if (!message) {
      const version = (event.data as { v?: unknown }).v;
      if (version !== BRIDGE_VERSION) this.events.versionMismatch(version);
      return;
    }
    switch (message.kind) {
      case 'ready':
        this.post(envelope<CrmToViewer>({ kind: 'connect' }));
        return;
      case 'connected':
        this.connected = true;
        this.events.connected(message.snapshot);
        for (const call of this.queue.splice(0)) this.send(call);
        return;
      case 'event':
        this.events.event(message.name, message.data);
        return;
      case 'message':
        this.events.message(message.name, message.data);
        return;
      case 'result': {
        const call = this.inFlight.get(message.id);
        this.inFlight.delete(message.id);
        if (call && message.error) this.events.failed(call, message.error);
        return;
      }
      case 'bye':
        this.connected = false;
        // The viewer is unloading: whatever it had not confirmed may or may not have gone out.
        for (const call of this.inFlight.values()) {
          this.events.failed(call, { code: 'no-session', message: 'the viewer closed before confirming the call' });
        }
        this.inFlight.clear();
        return;
      default: {
        const never: never = message;
        return never;
      }
    }
  }

  private send(call: BridgeCall): void {
    const id = this.nextId++;
    this.inFlight.set(id, call);
    if (!this.post(envelope<CrmToViewer>({ kind: 'call', id, call }))) {
      this.inFlight.delete(id);
      this.events.failed(call, { code: 'no-session', message: 'the viewer frame is not available' });
    }
  }

  private post(message: CrmToViewer): boolean {
    const target = this.frame.contentWindow;
    const origin = this.viewerOrigin;
    if (!target || !origin || !mayShowViewer(target, origin)) return false;
    try {
      // targetOrigin: a frame showing anything else than the viewer never sees our calls.
      target.postMessage(message, origin);
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * Whether `target` may be showing the viewer. A frame whose location this page can read has
 * this page's origin (`about:blank` before the viewer loads, for one): unless that is the
 * viewer's origin, posting to it would only make the browser log a target-origin mismatch.
 */
function mayShowViewer(target: Window, viewerOrigin: string): boolean {
  try {
    return target.location.origin === viewerOrigin;
  } catch {
    return true; // another origin: possibly the viewer's
  }
}
