/**
 * The visitor's WebSocket to `ws(s)://<server>/ws/visitor` ([HS*], [CM*], [SS4]–[SS5]).
 *
 * It sends the `hello` (with `resume` once the session exists), dispatches the server's
 * control messages, keeps sent-but-unacknowledged frames for resending, answers pings,
 * and reconnects through the {@link Reconnector} until the session ends, a final close
 * code arrives ([CM3]) or the retry budget is spent. It knows nothing of capture: the
 * session decides what a welcome means for the page stream.
 */
import { FINAL_CLOSE_CODES } from '../../shared/protocol/close-codes.js';
import { FrameKind } from '../../shared/protocol/frame.js';
import type { AgentsState, EndReason, ServerToVisitor, VisitorHello, VisitorToServer } from '../../shared/protocol/control.js';
import type { Log } from './log.js';
import { Reconnector, type ReconnectOptions } from './reconnect.js';
import { UnackedFrames } from './unacked-frames.js';

/** The server's `welcome` ([SS4]). */
export type Welcome = Extract<ServerToVisitor, { type: 'welcome' }>;

/** What a visitor hello carries besides `resume`, which the connection adds itself. */
export type HelloBody = Omit<VisitorHello, 'resume'>;

/** How to continue a session ([SS5]). */
export interface ResumeInfo {
  sessionId: string;
  token: string;
}

/** Server messages that carry agents' commands and messages to the page. */
export type VisitorCommand = Exclude<ServerToVisitor, { type: 'welcome' | 'ack' | 'need-keyframe' | 'agents' | 'ended' | 'error' | 'ping' }>;

/** What the connection reports to its session. Called inside guards: a throw is logged. */
export interface ConnectionEvents {
  /** The server welcomed this socket (first connection, reconnect or continue). */
  welcome(message: Welcome): void;
  /** The server wants a keyframe ([FR5], [LG2]). */
  needKeyframe(): void;
  agents(state: AgentsState): void;
  /** The session ended on the server (agent, timeout, …). The connection is finished. */
  ended(reason: EndReason): void;
  /** An `error` message from the server (usually followed by a final close). */
  serverError(code: string, message: string): void;
  /** An agent's message or command for the page (session messages, remote control, navigation…). */
  command?(message: VisitorCommand): void;
  /** The welcomed socket dropped; retries are under way. */
  reconnecting(): void;
  /** The server closed with a final code ([CM3]); no more attempts. */
  closed(code: number): void;
  /** The retry budget is spent; no more attempts. */
  gaveUp(): void;
}

/** Options of a connection; durations in milliseconds. */
export interface ConnectionOptions {
  /** `ws(s)://host/ws/visitor`. */
  url: string;
  /** Builds the hello for each attempt (so the page's url and title are current). */
  hello(): HelloBody;
  /** Continue this session instead of starting one (a page load inside a session). */
  resume?: ResumeInfo;
  events: ConnectionEvents;
  log: Log;
  /** The page's window (online / visibility events). */
  win: Window;
  /** A socket that is not welcomed within this time is dropped and retried. Default 15 000. */
  handshakeTimeoutMs?: number;
  /** Bound of the resend buffer, bytes. Default 32 MiB. */
  maxUnackedBytes?: number;
  /** Overrides of the reconnect schedule (tests). */
  reconnect?: Omit<ReconnectOptions, 'connect' | 'giveUp'>;
}

/** Default handshake deadline, ms (the server's own is 10 s, [HS2]). */
export const HANDSHAKE_TIMEOUT_MS = 15_000;
/**
 * Without any message for this long after the server has shown it sends application
 * pings, the socket is presumed dead (a half-open TCP connection never fires `close`), ms.
 */
export const SILENCE_TIMEOUT_MS = 75_000;
/** How long we wait for the server to close after our `stop`, ms. */
const STOP_LINGER_MS = 5_000;
/**
 * Control messages kept while the socket is down (session messages, user state, …), sent
 * after the next welcome. The oldest are dropped beyond this many.
 */
export const MAX_QUEUED_CONTROLS = 256;

/** Control messages the session sends; the connection itself sends `hello`, `pong` and `stop`. */
export type SessionControl = Exclude<VisitorToServer, { type: 'hello' | 'pong' | 'stop' }>;

/** One session's connection, across reconnects. */
export class VisitorConnection {
  private socket: WebSocket | null = null;
  private welcomed = false;
  private resume: ResumeInfo | null;
  private ackedSeq = 0;
  private readonly unacked: UnackedFrames;
  private readonly reconnector: Reconnector;
  /** Session over (for us): no events, no attempts. */
  private finished = false;
  /** The visitor stopped: send `stop` on the next welcome, then finish silently. */
  private stopping = false;
  private handshakeTimer: ReturnType<typeof setTimeout> | null = null;
  private silenceTimer: ReturnType<typeof setInterval> | null = null;
  private lastMessageAt = 0;
  private readonly disposers: Array<() => void> = [];
  private queued: SessionControl[] = [];

  constructor(private readonly options: ConnectionOptions) {
    this.resume = options.resume ?? null;
    this.unacked = new UnackedFrames(options.maxUnackedBytes);
    this.reconnector = new Reconnector({
      ...options.reconnect,
      connect: () => this.connect(),
      giveUp: () => {
        this.finish();
        if (!this.stopping) this.guard(() => this.options.events.gaveUp());
      },
    });
    const hurry = () => {
      if (options.win.document.visibilityState !== 'hidden') this.reconnector.hurry();
    };
    options.win.addEventListener('online', hurry);
    options.win.document.addEventListener('visibilitychange', hurry);
    this.disposers.push(
      () => options.win.removeEventListener('online', hurry),
      () => options.win.document.removeEventListener('visibilitychange', hurry),
    );
  }

  /** Whether the server has welcomed the current socket. */
  get isOpen(): boolean {
    return this.welcomed;
  }

  /** Opens the first socket. */
  open(): void {
    this.reconnector.start();
  }

  /**
   * Sends a page frame. Keyframes and deltas are kept until acknowledged and go out when
   * the socket is welcomed (or are resent after the next welcome); volatile frames are
   * sent only on a welcomed socket and otherwise dropped.
   */
  sendFrame(frame: Uint8Array, kind: FrameKind, seq: number): void {
    if (this.finished || this.stopping) return;
    if (kind !== FrameKind.Volatile) this.unacked.add(seq, frame);
    if (this.welcomed) this.socket?.send(frame as Uint8Array<ArrayBuffer>);
  }

  /**
   * Sends a control message of the session ([AP1]–[AP4], [RC2]–[RC4]). The server refuses
   * them before a welcome (it closes the socket), so while the socket is down they wait
   * for the next welcome, in order; dropped once the session is over.
   */
  send(message: SessionControl): void {
    if (this.finished || this.stopping) return;
    if (this.welcomed) {
      this.sendControl(message);
      return;
    }
    if (this.queued.push(message) > MAX_QUEUED_CONTROLS) {
      this.queued.shift();
      this.options.log.warn(`more than ${MAX_QUEUED_CONTROLS} messages waiting for the connection: the oldest was dropped`);
    }
  }

  /**
   * After a welcome: resends what the server is missing. False when that is impossible
   * (frames dropped on overflow, or the server is ahead of us); the caller then restarts
   * the stream with a keyframe and calls {@link dropUnacked}.
   */
  resendFrom(serverNext: number, ownNext: number): boolean {
    const frames = this.unacked.resendFrom(serverNext, ownNext);
    if (!frames) return false;
    // encodeFrame allocates a fresh ArrayBuffer: never a SharedArrayBuffer view.
    for (const frame of frames) this.socket?.send(frame as Uint8Array<ArrayBuffer>);
    return true;
  }

  /** Forgets every unacknowledged frame (the stream restarts with a keyframe). */
  dropUnacked(): void {
    this.unacked.clear();
  }

  /**
   * The visitor ends the session: `stop` goes to the server now, or on the next welcome
   * if the socket is down (one more attempt is hurried); nothing is reported any more.
   */
  stop(): void {
    if (this.finished || this.stopping) return;
    this.stopping = true;
    if (this.welcomed) this.sendStop();
    else this.reconnector.hurry();
  }

  /** Ends the connection without telling the server (the session already ended). Idempotent. */
  close(): void {
    this.finish();
  }

  // -------------------------------------------------------------------------------------------

  private connect(): void {
    if (this.finished) return;
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.options.url);
    } catch (error) {
      // A malformed URL or a CSP `connect-src` refusal throws synchronously.
      this.options.log.error(`cannot open ${this.options.url}`, error);
      this.reconnector.dropped();
      return;
    }
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    this.welcomed = false;
    socket.onopen = () => this.guard(() => this.sendHello());
    socket.onmessage = (event: MessageEvent) => this.guard(() => this.onMessage(event.data));
    socket.onclose = (event: CloseEvent) => this.guard(() => this.onClose(socket, event.code));
    this.handshakeTimer = setTimeout(() => this.guard(() => {
      if (this.socket === socket && !this.welcomed) this.drop();
    }), this.options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS);
  }

  private sendHello(): void {
    const hello: VisitorHello = { ...this.options.hello() };
    if (this.resume) {
      // A continued session is found by id; the key it has is the server's business.
      delete hello.key;
      delete hello.visitor;
      hello.resume = { ...this.resume, ackedSeq: this.ackedSeq };
    }
    this.sendControl(hello);
  }

  private onMessage(data: unknown): void {
    if (typeof data !== 'string') return; // the server sends no binary to visitors
    this.lastMessageAt = Date.now();
    const message = JSON.parse(data) as ServerToVisitor;
    const events = this.options.events;
    switch (message.type) {
      case 'welcome':
        this.onWelcome(message);
        return;
      case 'ack':
        this.ackedSeq = Math.max(this.ackedSeq, message.seq);
        this.unacked.ack(message.seq);
        return;
      case 'need-keyframe':
        events.needKeyframe();
        return;
      case 'agents':
        events.agents({ count: message.count, agentlist: message.agentlist });
        return;
      case 'ended':
        this.finish();
        events.ended(message.reason);
        return;
      case 'error':
        if (!this.stopping) events.serverError(message.code, message.message);
        return;
      case 'ping':
        this.sendControl({ type: 'pong', t: message.t });
        this.watchSilence();
        return;
      case 'message':
      case 'rc-request':
      case 'rc':
      case 'rc-event':
      case 'gesture':
      case 'agent-pointer':
      case 'navigate':
      case 'screenshare':
      case 'accessibility':
        events.command?.(message);
        return;
      default:
        message satisfies never;
    }
  }

  private onWelcome(message: Welcome): void {
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
    this.welcomed = true;
    this.resume = { sessionId: message.sessionId, token: message.token };
    this.ackedSeq = Math.max(0, message.nextSeq - 1);
    this.reconnector.opened();
    if (this.stopping) {
      this.sendStop();
      return;
    }
    for (const queued of this.queued.splice(0)) this.sendControl(queued);
    this.options.events.welcome(message);
  }

  private onClose(socket: WebSocket, code: number): void {
    if (socket !== this.socket) return; // an old socket we already gave up on
    if (FINAL_CLOSE_CODES.has(code)) {
      const silent = this.finished || this.stopping;
      this.finish();
      if (!silent) this.options.events.closed(code);
      return;
    }
    this.drop();
  }

  /** The current socket is gone but the session is not: retry (or give up). */
  private drop(): void {
    const wasWelcomed = this.welcomed;
    this.detach();
    if (this.finished) return;
    if (this.stopping) {
      // One hurried attempt to deliver `stop` failed; the server ends the session after its grace period.
      this.finish();
      return;
    }
    if (wasWelcomed) this.options.events.reconnecting();
    this.reconnector.dropped();
  }

  private sendStop(): void {
    this.sendControl({ type: 'stop' });
    const socket = this.socket;
    this.finished = true;
    this.reconnector.stop();
    this.dispose();
    // The server closes after `stop` ([SS6]); close ourselves if it does not.
    setTimeout(() => {
      if (socket && socket.readyState !== WebSocket.CLOSED) socket.close(1000);
    }, STOP_LINGER_MS);
  }

  private sendControl(message: VisitorToServer): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  /** Arms the dead-socket check once the server shows it sends application pings. */
  private watchSilence(): void {
    if (this.silenceTimer) return;
    this.silenceTimer = setInterval(() => this.guard(() => {
      if (this.welcomed && Date.now() - this.lastMessageAt > SILENCE_TIMEOUT_MS) this.drop();
    }), SILENCE_TIMEOUT_MS / 5);
  }

  private detach(): void {
    const socket = this.socket;
    this.socket = null;
    this.welcomed = false;
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = null;
    try {
      socket.close(1000);
    } catch {
      // already closed
    }
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.reconnector.stop();
    this.detach();
    this.dispose();
  }

  private dispose(): void {
    if (this.silenceTimer) clearInterval(this.silenceTimer);
    this.silenceTimer = null;
    for (const dispose of this.disposers.splice(0)) dispose();
    this.unacked.clear();
    this.queued = [];
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.options.log.warn('connection error', error);
    }
  }
}
