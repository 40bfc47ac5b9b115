/**
 * The engine's side of a cross-domain hand-over ([XD1]–[XD4]): runs the helper pages of the
 * group's other trusted domains one after the other and gives each the session info, so
 * the page the visitor goes to next (on that domain) finds it in its own first-party
 * storage and continues the session.
 *
 * The helpers run in one small popup window, opened synchronously by {@link handOver} (so
 * it must be called inside the click that leaves the page: browsers allow a popup only
 * with the user's gesture) and navigated from helper to helper. A popup is a top-level
 * window, so its storage is first-party for its domain; current Chromium partitions the
 * storage of third-party iframes, so the hidden-iframe fallback used when the popup is
 * blocked only works where storage is not partitioned (or the helper is on the same site).
 */
import type { StoredSession } from '../engine/session-store.js';
import { HANDSHAKE_TIMEOUT_MS, helperAddress, type XdomMessage } from './protocol.js';

/** One helper's outcome. */
export interface HelperResult {
  helper: string;
  ok: boolean;
}

/** What `crossDomain()` resolves to: `done` when every helper stored the session. */
export interface HandOverResult {
  done: boolean;
  results: HelperResult[];
}

/** What a hand-over needs. */
export interface HandOverOptions {
  win: Window;
  /** The session info to give each helper (it never includes anything but what the next page needs). */
  session: StoredSession;
  /** Helper pages, each on a trusted domain as the server listed it. */
  helpers: readonly URL[];
  /** Per helper, ms. Default {@link HANDSHAKE_TIMEOUT_MS}. */
  timeoutMs?: number;
}

/** Size of the helper popup. */
const POPUP_FEATURES = 'popup,width=360,height=200';
/** The popup's window name, so a second hand-over reuses the window. */
const POPUP_NAME = 'glance_xdom';

/**
 * Runs the helpers. The popup is opened before this returns (inside the caller's user
 * gesture); the rest happens asynchronously. Never rejects.
 */
export function handOver(options: HandOverOptions): Promise<HandOverResult> {
  const { win, helpers } = options;
  if (helpers.length === 0) return Promise.resolve({ done: true, results: [] });
  let popup: Window | null = null;
  try {
    popup = win.open(helperAddress(helpers[0]!), POPUP_NAME, POPUP_FEATURES);
  } catch {
    popup = null; // blocked, or the page's sandbox forbids popups
  }
  return (async () => {
    const results: HelperResult[] = [];
    for (const [index, helper] of helpers.entries()) {
      let frame: HTMLIFrameElement | null = null;
      let peer: Window | null = null;
      try {
        if (popup && !popup.closed) {
          if (index > 0) popup.location.href = helperAddress(helper);
          peer = popup;
        } else {
          frame = win.document.createElement('iframe');
          frame.hidden = true;
          frame.setAttribute('aria-hidden', 'true');
          frame.src = helperAddress(helper);
          (win.document.body ?? win.document.documentElement).appendChild(frame);
          peer = frame.contentWindow;
        }
      } catch {
        peer = null;
      }
      const ok = peer ? await handshake(win, peer, helper.origin, options.session, options.timeoutMs ?? HANDSHAKE_TIMEOUT_MS) : false;
      frame?.remove();
      results.push({ helper: helper.href, ok });
    }
    try {
      popup?.close();
    } catch {
      // gone already
    }
    return { done: results.every((result) => result.ok), results };
  })();
}

/**
 * One helper: waits for its `ready`, sends the session info to its exact origin only, and
 * waits for `done`. Messages from any other window or origin are ignored.
 */
function handshake(win: Window, peer: Window, origin: string, session: StoredSession, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let sent = false;
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      win.removeEventListener('message', onMessage);
      resolve(ok);
    };
    const onMessage = (event: MessageEvent) => {
      if (event.source !== peer || event.origin !== origin) return;
      const data = event.data as Partial<XdomMessage> | null;
      if (!data || typeof data !== 'object') return;
      if (data.glance_xdom === 'ready' && !sent) {
        sent = true;
        const message: XdomMessage = { glance_xdom: 'session', session };
        peer.postMessage(message, origin);
      } else if (data.glance_xdom === 'done' && sent) {
        finish((data as { ok?: unknown }).ok === true);
      }
    };
    win.addEventListener('message', onMessage);
    const timer = setTimeout(() => finish(false), timeoutMs);
  });
}
