/**
 * The viewer's end of the Agent API bridge (see src/agent/api/bridge-protocol.ts): active
 * when the viewer runs in a frame of a CRM page.
 *
 * Only the parent window may talk to it, and only from the viewer's own origin or one of
 * the configured CRM origins (`crmOrigins`). The viewer cannot read its parent's origin,
 * so it says `ready` once per allowed origin: the browser delivers the one that matches and
 * drops the others, and nothing reaches a parent of any other origin. Once the CRM page
 * answers `connect`, its origin is known and every event goes to it alone.
 */
import {
  BRIDGE_VERSION,
  envelope,
  fromExpected,
  readCrmMessage,
  type Body,
  type BridgeCall,
  type BridgeError,
  type StateSnapshot,
  type ViewerToCrm,
} from '../api/bridge-protocol.js';
import type { SessionChange } from './session-model.js';

/** What the bridge asks of the viewer. */
export interface BridgeHost {
  /** The session state for a CRM page that connects. */
  snapshot(): StateSnapshot;
  /**
   * What a CRM page that connects late (after the viewer joined) should hear at once:
   * `statereceived`, which it missed.
   */
  greeting(): SessionChange[];
  /** Carries out an Agent API call; `done` exactly once. */
  call(call: BridgeCall, done: (error: BridgeError | null) => void): void;
}

/** The bridge to the CRM page embedding this viewer. */
export class CrmBridge {
  private readonly origins: readonly string[];
  private crmOrigin: string | null = null;
  private readonly onMessage = (event: MessageEvent) => this.receive(event);
  private readonly onPageHide = () => this.post({ kind: 'bye' });

  /**
   * @param win the viewer's window (its `parent` is the CRM page)
   * @param crmOrigins the configured CRM origins; the viewer's own origin is added
   */
  constructor(
    private readonly win: Window,
    crmOrigins: readonly string[],
    private readonly host: BridgeHost,
  ) {
    this.origins = [...new Set([win.location.origin, ...crmOrigins])];
  }

  /** Whether the viewer runs inside another page's frame. */
  static isEmbedded(win: Window): boolean {
    return win.parent !== win;
  }

  /** The CRM page's origin once it connected. */
  get connectedOrigin(): string | null {
    return this.crmOrigin;
  }

  /** Starts listening and tells the parent the viewer is there. */
  start(): void {
    this.win.addEventListener('message', this.onMessage);
    this.win.addEventListener('pagehide', this.onPageHide);
    const ready = envelope<ViewerToCrm>({ kind: 'ready' });
    for (const origin of this.likelyParentOrigins()) {
      try {
        this.win.parent.postMessage(ready, origin);
      } catch {
        // An origin the browser cannot use as a target: the configuration check let it through.
      }
    }
  }

  /**
   * The allowed origins the parent may have. Where the browser says the parent's origin
   * (`location.ancestorOrigins`, Chromium and Safari), only that one — or none when it is not
   * allowed: a `ready` to any other origin makes the browser log a target-origin mismatch.
   * Elsewhere all of them. (Not the referrer: after a sign-in it is the server's own page.)
   */
  private likelyParentOrigins(): readonly string[] {
    const ancestors = this.win.location.ancestorOrigins as DOMStringList | undefined;
    if (!ancestors || ancestors.length === 0) return this.origins;
    const parent = ancestors[0]!;
    return this.origins.includes(parent) ? [parent] : [];
  }

  /** Tells the CRM page about a change (nothing before it connected). */
  publish(change: SessionChange): void {
    this.post({ kind: change.kind, name: change.name, data: change.data });
  }

  /** Stops listening. */
  destroy(): void {
    this.win.removeEventListener('message', this.onMessage);
    this.win.removeEventListener('pagehide', this.onPageHide);
  }

  private receive(event: MessageEvent): void {
    if (!fromExpected(event, this.win.parent, this.origins)) return;
    const message = readCrmMessage(event.data);
    if (!message) {
      const version = (event.data as { v?: unknown }).v;
      const why = version === BRIDGE_VERSION ? 'is malformed' : `has bridge version ${String(version)}, not ${BRIDGE_VERSION}`;
      console.warn(`viewer: ignored an Agent API message that ${why}`);
      return;
    }
    if (message.kind === 'connect') {
      this.crmOrigin = event.origin;
      this.post({ kind: 'connected', snapshot: this.host.snapshot() });
      for (const change of this.host.greeting()) this.publish(change);
      return;
    }
    // Calls only from the page that connected: another allowed origin in the parent would be a new page.
    if (event.origin !== this.crmOrigin) return;
    const { id, call } = message;
    let answered = false;
    this.host.call(call, (error) => {
      if (answered) return;
      answered = true;
      this.post({ kind: 'result', id, error });
    });
  }

  private post(body: Body<ViewerToCrm>): void {
    if (!this.crmOrigin) return;
    try {
      this.win.parent.postMessage(envelope<ViewerToCrm>(body), this.crmOrigin);
    } catch (error) {
      // Data that cannot be cloned (never ours: it all came as JSON) must not stop the viewer.
      console.warn('viewer: could not post to the CRM page', error);
    }
  }
}

