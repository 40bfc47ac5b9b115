/**
 * Everything the viewer sends to the server goes through here: checked against the
 * server's own schema first ([CM1]: a message the server would refuse closes the socket,
 * so one bad Agent API call must never reach it), paced below the server's control-message
 * rate cap (a burst of calls from a CRM page would otherwise get the socket closed, 4429),
 * and held back while the viewer is not joined ([AP9]).
 *
 * Three kinds of message:
 * - `command` (Agent API calls, toolbar buttons): kept in order until the viewer is joined
 *   and the visitor is there, across reconnects; they fail only once the session is over;
 * - `action` (remote-control events, gestures): sent in order while joined, dropped when
 *   not — an agent's click must not land on the visitor's page seconds later;
 * - `volatile` (pointer, hover): sent when there is room, else dropped.
 */
import { parseAgentMessage, type AgentToServer } from '../../shared/protocol/control.js';
import type { BridgeError } from '../api/bridge-protocol.js';

/** How a message is treated when it cannot go out at once. */
export type OutboxKind = 'command' | 'action' | 'volatile';

/** Called once per command: null when it was sent, else why not. */
export type CommandDone = (error: BridgeError | null) => void;

/** Pacing and limits. */
export interface OutboxOptions {
  /** Sends on the socket; false when there is no open socket. */
  send(message: AgentToServer): boolean;
  /** Messages per second at most, sustained. Default 100 (the server allows 200). */
  ratePerSecond?: number;
  /** Messages that may go out at once after a quiet spell. Default 100. */
  burst?: number;
  /** Messages waiting at most; more commands fail with `busy`. Default 500. */
  maxQueued?: number;
  /** Clock, ms. Default `performance.now`. */
  now?: () => number;
}

interface Queued {
  message: AgentToServer;
  kind: OutboxKind;
  done: CommandDone | undefined;
}

/** The viewer's outgoing control messages. */
export class Outbox {
  private readonly sendNow: (message: AgentToServer) => boolean;
  private readonly rate: number;
  private readonly burst: number;
  private readonly maxQueued: number;
  private readonly now: () => number;
  private readonly queue: Queued[] = [];
  private tokens: number;
  private last: number;
  private ready = false;
  private closedWith: BridgeError | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(options: OutboxOptions) {
    this.sendNow = options.send;
    this.rate = options.ratePerSecond ?? 100;
    this.burst = options.burst ?? 100;
    this.maxQueued = options.maxQueued ?? 500;
    this.now = options.now ?? (() => performance.now());
    this.tokens = this.burst;
    this.last = this.now();
  }

  /** Whether messages go out now (joined, socket open, visitor there). */
  get isReady(): boolean {
    return this.ready;
  }

  /**
   * Queues or sends `message`. Returns false when it was refused or dropped at once
   * (commands report through `done` as well).
   */
  send(message: AgentToServer, kind: OutboxKind, done?: CommandDone): boolean {
    const parsed = parseAgentMessage(JSON.stringify(message));
    if (!parsed.ok) {
      if (kind !== 'command') console.warn(`viewer: dropped a ${message.type} the server would refuse: ${parsed.error}`);
      done?.({ code: 'invalid', message: `the server would refuse this ${message.type}: ${parsed.error}` });
      return false;
    }
    if (kind === 'command') {
      if (this.closedWith) {
        done?.(this.closedWith);
        return false;
      }
      if (this.queue.length >= this.maxQueued) {
        done?.({ code: 'busy', message: `${this.maxQueued} messages are already waiting to be sent` });
        return false;
      }
    } else {
      if (!this.ready) return false;
      if (kind === 'volatile' && (this.queue.length > 0 || !this.take())) return false;
      if (kind === 'volatile') return this.sendNow(message);
      if (this.queue.length >= this.maxQueued) return false;
    }
    this.queue.push({ message, kind, done });
    this.drain();
    return true;
  }

  /** The viewer joined (true) or lost the session or the visitor for now (false). */
  setReady(ready: boolean): void {
    if (this.ready === ready) return;
    this.ready = ready;
    if (!ready) {
      // Actions were meant for the page as the agent saw it a moment ago.
      for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i]!.kind !== 'command') this.queue.splice(i, 1);
    }
    this.drain();
  }

  /** The session is over: waiting commands fail with `error`, and so will later ones. */
  close(error: BridgeError): void {
    if (this.closedWith) return;
    this.closedWith = error;
    this.ready = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const item of this.queue.splice(0)) item.done?.(error);
  }

  private drain(): void {
    if (this.timer) return;
    while (this.ready && this.queue.length > 0) {
      if (!this.take()) {
        const wait = Math.ceil(((1 - this.tokens) / this.rate) * 1000);
        this.timer = setTimeout(() => {
          this.timer = null;
          this.drain();
        }, wait);
        return;
      }
      const item = this.queue[0]!;
      if (!this.sendNow(item.message)) {
        // The socket went away under us; the link's state change will call setReady(false).
        this.tokens += 1;
        return;
      }
      this.queue.shift();
      item.done?.(null);
    }
  }

  /** Takes a token of the bucket; false when empty. */
  private take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
