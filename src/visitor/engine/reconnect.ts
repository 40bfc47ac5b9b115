/**
 * When to try the visitor's socket again (STYLE §8): exponential backoff with jitter and a
 * cap, a retry budget after which the session is given up (`conndrop`), a reset of the
 * budget only after the connection stayed up a while (so a server that accepts and drops
 * at once cannot make us spin), and a faster retry when the browser says the network or
 * the tab came back.
 *
 * Pure state plus injected clock, random and timers, so the schedule is testable.
 */

/** First retry delay, ms. */
export const RECONNECT_BASE_DELAY_MS = 1_000;
/** Longest retry delay, ms (Glance retries every 2–4 s; we back off to this). */
export const RECONNECT_MAX_DELAY_MS = 8_000;
/** Each delay is shortened by up to this fraction at random, so a server restart is not hit by every visitor at once. */
export const RECONNECT_JITTER = 0.3;
/** Failed attempts in a row before giving up (Glance: about 20, then `conndrop`). */
export const RECONNECT_MAX_ATTEMPTS = 20;
/** A connection must stay up this long before the failure count starts again from zero, ms. */
export const RECONNECT_MIN_UPTIME_MS = 5_000;
/** Delay of a retry hurried by `online` or the tab becoming visible, ms. */
export const RECONNECT_HURRY_DELAY_MS = 0;

/** Where the reconnect machine is. */
export type ReconnectState = 'idle' | 'connecting' | 'open' | 'waiting' | 'gave-up' | 'stopped';

/** Options; every field has a default (the constants above, the real clock and timers). */
export interface ReconnectOptions {
  /** Opens a new socket; the owner reports back with `opened()` / `dropped()`. */
  connect(): void;
  /** The retry budget is spent. */
  giveUp(): void;
  baseDelayMs?: number;
  maxDelayMs?: number;
  jitter?: number;
  maxAttempts?: number;
  minUptimeMs?: number;
  /** Uniform in [0, 1). Default Math.random. */
  random?: () => number;
  /** Milliseconds. Default Date.now. */
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

/** The reconnect state machine of one session's connection. */
export class Reconnector {
  state: ReconnectState = 'idle';
  /** Failed attempts since the last connection that stayed up. */
  failures = 0;
  private openedAt = 0;
  private timer: unknown = null;
  private readonly o: Required<ReconnectOptions>;

  constructor(options: ReconnectOptions) {
    this.o = {
      baseDelayMs: RECONNECT_BASE_DELAY_MS,
      maxDelayMs: RECONNECT_MAX_DELAY_MS,
      jitter: RECONNECT_JITTER,
      maxAttempts: RECONNECT_MAX_ATTEMPTS,
      minUptimeMs: RECONNECT_MIN_UPTIME_MS,
      random: Math.random,
      now: Date.now,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
      ...options,
    };
  }

  /** The delay before retry number `failures + 1`, before jitter: base·2ⁿ, capped. */
  static backoff(failures: number, baseDelayMs: number, maxDelayMs: number): number {
    return Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(failures, 30));
  }

  /** First connection. */
  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'connecting';
    this.o.connect();
  }

  /** The socket is open and the server welcomed us. */
  opened(): void {
    if (this.state !== 'connecting') return;
    this.state = 'open';
    this.openedAt = this.o.now();
  }

  /**
   * The socket closed (or never opened) and may be retried. Schedules the next attempt,
   * or gives up when the budget is spent. Returns the delay, or null when giving up.
   */
  dropped(): number | null {
    if (this.state !== 'open' && this.state !== 'connecting') return null;
    if (this.state === 'open' && this.o.now() - this.openedAt >= this.o.minUptimeMs) this.failures = 0;
    if (this.failures >= this.o.maxAttempts) {
      this.state = 'gave-up';
      this.o.giveUp();
      return null;
    }
    const raw = Reconnector.backoff(this.failures, this.o.baseDelayMs, this.o.maxDelayMs);
    // Jitter only shortens, so the cap holds.
    const delay = Math.round(raw * (1 - this.o.jitter * this.o.random()));
    this.failures++;
    this.wait(delay);
    return delay;
  }

  /** The network or the tab came back: retry now instead of at the end of the backoff. */
  hurry(): void {
    if (this.state !== 'waiting') return;
    this.o.clearTimer(this.timer);
    this.wait(RECONNECT_HURRY_DELAY_MS);
  }

  /** No more attempts (session over). Idempotent. */
  stop(): void {
    if (this.timer !== null) this.o.clearTimer(this.timer);
    this.timer = null;
    this.state = 'stopped';
  }

  private wait(delay: number): void {
    this.state = 'waiting';
    this.timer = this.o.setTimer(() => {
      this.timer = null;
      if (this.state !== 'waiting') return;
      this.state = 'connecting';
      this.o.connect();
    }, delay);
  }
}
