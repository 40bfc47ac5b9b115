/**
 * The viewer's WebSocket to the relay, with its reconnect state machine
 * ([HS1], [JN1]–[JN4], [CM3] in SPEC.md; STYLE §8).
 *
 * One socket at a time. On open it sends the agent `hello`; pings are answered here; every
 * other control message and every binary frame goes to the owner. A close with a code in
 * `FINAL_CLOSE_CODES`, or after the server said the session `ended`, is final. Any other
 * close schedules a reconnect with exponential backoff, jitter and a cap; the backoff only
 * resets once a connection stayed up for a while (a server that accepts and drops at once
 * must not be hammered), and a wait is cut short when the browser comes back online or the
 * tab becomes visible. Each reconnect resumes after the last applied sequence number.
 */
import { FINAL_CLOSE_CODES } from '../../shared/protocol/close-codes.js';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.js';
import type { AgentHello, AgentToServer, EndReason, ServerToAgent } from '../../shared/protocol/control.js';

/** Reconnect timings, all in milliseconds. */
export interface ReconnectTiming {
  /** Delay before the first retry (before jitter). Default 500. */
  initialDelayMs: number;
  /** Factor applied to the delay per failed attempt. Default 2. */
  growth: number;
  /** Longest delay between attempts (before jitter). Default 15 000. */
  maxDelayMs: number;
  /** A connection that stayed open this long resets the backoff. Default 5 000. */
  minUptimeMs: number;
  /** An attempt that has not opened after this long is abandoned and retried. Default 15 000. */
  connectTimeoutMs: number;
  /**
   * An open socket that has heard nothing (not even the server's pings, every 15 s) for this
   * long is presumed dead and replaced: a half-open TCP connection never fires `close`.
   * Default 75 000, as the visitor's.
   */
  silenceTimeoutMs: number;
}

/** Defaults of `ReconnectTiming`. */
export const DEFAULT_RECONNECT_TIMING: Readonly<ReconnectTiming> = Object.freeze({
  initialDelayMs: 500,
  growth: 2,
  maxDelayMs: 15_000,
  minUptimeMs: 5_000,
  connectTimeoutMs: 15_000,
  silenceTimeoutMs: 75_000,
});

/**
 * The wait before reconnect attempt `attempt` (0-based): exponential up to the cap, then
 * "equal jitter" (between half and all of it) so many viewers dropped by one server restart
 * do not come back in lockstep.
 */
export function reconnectDelay(attempt: number, timing: ReconnectTiming, random: () => number = Math.random): number {
  const base = Math.min(timing.maxDelayMs, timing.initialDelayMs * timing.growth ** attempt);
  return Math.round(base / 2 + (random() * base) / 2);
}

/** Where the link to the server stands. */
export type LinkState =
  /** A socket is opening (first attempt or a retry). */
  | { phase: 'connecting'; attempt: number }
  /** The socket is open and the `hello` was sent. */
  | { phase: 'open' }
  /** The last socket closed; another attempt starts after `delayMs`. */
  | { phase: 'retrying'; delayMs: number; code: number }
  /**
   * Final: no more attempts. `code` is the close code (1006 when the socket failed);
   * `ended` the reason the server gave if it ended the session first.
   */
  | { phase: 'closed'; code: number; ended: EndReason | null; byViewer: boolean };

/** What the connection tells its owner. */
export interface ConnectionEvents {
  /** The link changed state. */
  state(state: LinkState): void;
  /** A control message from the server (pings are answered here and not passed on). */
  message(message: ServerToAgent): void;
  /** A binary page frame. */
  frame(data: ArrayBuffer): void;
}

/** Options of a viewer connection. */
export interface ViewerConnectionOptions {
  /** The `ws:`/`wss:` URL of the agent endpoint. */
  url: string;
  /** The viewer ticket issued with the page. */
  ticket: string;
  /** The session key to join. */
  key: string;
  /** Wait for a session that has not started ([JN2]). */
  wait: boolean;
  /** The sequence number to resume after, or undefined to start from a keyframe ([JN4]). */
  afterSeq(): number | undefined;
  events: ConnectionEvents;
  /** Overrides of the reconnect timings. */
  timing?: Partial<ReconnectTiming>;
}

/** The close code a browser reports when a socket failed without a close frame. */
const ABNORMAL_CLOSE = 1006;

/** How long `close()` waits for the socket's closing handshake, ms. */
const LEAVE_FLUSH_MS = 1_000;

/** One agent's link to one session, reconnecting until the session is over. */
export class ViewerConnection {
  private readonly options: ViewerConnectionOptions;
  private readonly timing: ReconnectTiming;
  private socket: WebSocket | null = null;
  private attempt = 0;
  private openedAt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private connectTimer: ReturnType<typeof setTimeout> | null = null;
  private silenceTimer: ReturnType<typeof setInterval> | null = null;
  /** When the open socket last heard from the server (`Date.now()`). */
  private lastHeardAt = 0;
  private ended: EndReason | null = null;
  private finished = false;
  private readonly disposers: Array<() => void> = [];

  constructor(options: ViewerConnectionOptions) {
    this.options = options;
    this.timing = { ...DEFAULT_RECONNECT_TIMING, ...options.timing };
  }

  /** Opens the first socket and starts watching the browser's network state. */
  start(): void {
    if (this.finished || this.socket || this.retryTimer) return;
    const wake = () => {
      if (this.retryTimer) this.retryNow();
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') wake();
    };
    window.addEventListener('online', wake);
    document.addEventListener('visibilitychange', onVisible);
    this.disposers.push(
      () => window.removeEventListener('online', wake),
      () => document.removeEventListener('visibilitychange', onVisible),
    );
    this.open();
  }

  /** Skips the wait of a scheduled reconnect. */
  retryNow(): void {
    if (this.finished || !this.retryTimer) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.open();
  }

  /**
   * Drops the current socket and reconnects (after the backoff delay). The owner calls it
   * after a frame failed, having reset its reader, so the new `hello` has no `afterSeq`
   * and the server starts over with the keyframe.
   */
  restart(): void {
    if (this.finished) return;
    const socket = this.socket;
    this.socket = null;
    this.clearConnectTimer();
    if (socket) closeQuietly(socket, 1000, 'fresh start');
    if (!this.retryTimer) this.scheduleRetry(1000);
  }

  /**
   * Sends a control message on the open socket. False when there is none (connecting,
   * retrying, closed): the caller keeps the message for later or drops it.
   */
  send(message: AgentToServer): boolean {
    const socket = this.socket;
    if (this.finished || !socket || socket.readyState !== WebSocket.OPEN) return false;
    this.sendOn(socket, message);
    return true;
  }

  /**
   * Closes for good (the agent leaves); idempotent. Resolves once the socket has closed, or
   * after `LEAVE_FLUSH_MS`, so a caller about to navigate away knows the `leave` went out.
   */
  close(): Promise<void> {
    if (this.finished) return Promise.resolve();
    const socket = this.socket;
    this.finish({ phase: 'closed', code: 1000, ended: null, byViewer: true });
    if (!socket) return Promise.resolve();
    const open = socket.readyState === WebSocket.OPEN;
    if (open) this.sendOn(socket, { type: 'leave' });
    closeQuietly(socket, 1000, 'agent left');
    if (!open) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, LEAVE_FLUSH_MS);
      socket.addEventListener('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  // -------------------------------------------------------------------------------------------

  private open(): void {
    this.options.events.state({ phase: 'connecting', attempt: this.attempt });
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.options.url);
    } catch {
      // A malformed URL: nothing will ever connect.
      this.finish({ phase: 'closed', code: ABNORMAL_CLOSE, ended: null, byViewer: false });
      return;
    }
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    this.connectTimer = setTimeout(() => {
      if (this.socket !== socket || socket.readyState === WebSocket.OPEN) return;
      this.socket = null;
      closeQuietly(socket, 1000, 'connect timeout');
      this.scheduleRetry(ABNORMAL_CLOSE);
    }, this.timing.connectTimeoutMs);

    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.clearConnectTimer();
      this.openedAt = this.lastHeardAt = Date.now();
      this.watchSilence();
      const afterSeq = this.options.afterSeq();
      const hello: AgentHello = {
        type: 'hello',
        v: PROTOCOL_VERSION,
        role: 'agent',
        ticket: this.options.ticket,
        key: this.options.key,
        wait: this.options.wait,
        ...(afterSeq === undefined ? {} : { afterSeq }),
      };
      this.sendOn(socket, hello);
      this.options.events.state({ phase: 'open' });
    };
    socket.onmessage = (event: MessageEvent) => {
      if (this.socket !== socket) return; // a socket we dropped may still deliver
      this.lastHeardAt = Date.now();
      if (typeof event.data === 'string') this.receive(socket, event.data);
      else if (event.data instanceof ArrayBuffer) this.options.events.frame(event.data);
    };
    socket.onclose = (event: CloseEvent) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.clearConnectTimer();
      this.closed(event.code);
    };
    // An error is always followed by a close event, which decides what happens next.
    socket.onerror = null;
  }

  private receive(socket: WebSocket, text: string): void {
    let message: ServerToAgent;
    try {
      message = JSON.parse(text) as ServerToAgent;
    } catch {
      console.warn('viewer: ignored a control message that is not JSON');
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    if (message.type === 'ping') {
      this.sendOn(socket, { type: 'pong', t: message.t });
      return;
    }
    if (message.type === 'ended') this.ended = message.reason;
    this.options.events.message(message);
  }

  private closed(code: number): void {
    if (this.finished) return;
    if (this.ended !== null || FINAL_CLOSE_CODES.has(code)) {
      this.finish({ phase: 'closed', code, ended: this.ended, byViewer: false });
      return;
    }
    if (this.openedAt > 0 && Date.now() - this.openedAt >= this.timing.minUptimeMs) this.attempt = 0;
    this.scheduleRetry(code);
  }

  private scheduleRetry(code: number): void {
    const delayMs = reconnectDelay(this.attempt, this.timing);
    this.attempt++;
    this.openedAt = 0;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.open();
    }, delayMs);
    this.options.events.state({ phase: 'retrying', delayMs, code });
  }

  /** Replaces an open socket that has gone silent (checked a few times per timeout). */
  private watchSilence(): void {
    if (this.silenceTimer) return;
    const timeout = this.timing.silenceTimeoutMs;
    this.silenceTimer = setInterval(() => {
      const socket = this.socket;
      if (this.finished || !socket || socket.readyState !== WebSocket.OPEN) return;
      if (Date.now() - this.lastHeardAt <= timeout) return;
      this.socket = null;
      closeQuietly(socket, 1000, 'no word from the server');
      this.scheduleRetry(ABNORMAL_CLOSE);
    }, Math.max(1_000, timeout / 5));
  }

  private finish(state: Extract<LinkState, { phase: 'closed' }>): void {
    this.finished = true;
    this.socket = null;
    if (this.silenceTimer) clearInterval(this.silenceTimer);
    this.silenceTimer = null;
    this.clearConnectTimer();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    for (const dispose of this.disposers.splice(0)) dispose();
    this.options.events.state(state);
  }

  private clearConnectTimer(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
  }

  private sendOn(socket: WebSocket, message: AgentToServer): void {
    try {
      socket.send(JSON.stringify(message));
    } catch {
      // The socket is closing; its close event decides what happens next.
    }
  }
}

function closeQuietly(socket: WebSocket, code: number, reason: string): void {
  socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
  try {
    socket.close(code, reason);
  } catch {
    // Already closed.
  }
}
