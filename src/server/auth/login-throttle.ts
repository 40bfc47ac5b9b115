/**
 * Limits password guessing ([AV4], DESIGN §5): failed logins are counted per client IP and
 * per username in fixed windows; once either reaches the limit, every attempt for it —
 * right password or not — is refused until the window ends. Successful logins are not
 * counted, so an agent signing in often is never locked out by their own success.
 */

/** Options of a `LoginThrottle`. */
export interface LoginThrottleOptions {
  /** Failed attempts allowed per IP and per username in one window. Default 10. */
  maxFailures?: number;
  /** Window length, ms. Default 60 000. */
  windowMs?: number;
  /** Most keys remembered; the oldest are forgotten beyond it (bounded memory). Default 50 000. */
  maxKeys?: number;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

interface Window {
  start: number;
  failures: number;
}

/** Per-IP and per-username failure counters. */
export class LoginThrottle {
  private readonly windows = new Map<string, Window>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(options: LoginThrottleOptions = {}) {
    this.maxFailures = options.maxFailures ?? 10;
    this.windowMs = options.windowMs ?? 60_000;
    this.maxKeys = options.maxKeys ?? 50_000;
    this.now = options.now ?? Date.now;
  }

  /** 0 when an attempt may proceed, else how long until it may, ms. */
  retryAfterMs(ip: string, username: string): number {
    const now = this.now();
    let wait = 0;
    for (const key of keysOf(ip, username)) {
      const window = this.current(key, now);
      if (window && window.failures >= this.maxFailures)
        wait = Math.max(wait, window.start + this.windowMs - now);
    }
    return wait;
  }

  /** Counts a failed attempt against the IP and the username. */
  recordFailure(ip: string, username: string): void {
    const now = this.now();
    for (const key of keysOf(ip, username)) {
      const window = this.current(key, now);
      if (window) {
        window.failures += 1;
        continue;
      }
      if (this.windows.size >= this.maxKeys) {
        // Maps iterate in insertion order: the first key is the oldest window.
        const oldest = this.windows.keys().next().value;
        if (oldest !== undefined) this.windows.delete(oldest);
      }
      this.windows.set(key, { start: now, failures: 1 });
    }
  }

  private current(key: string, now: number): Window | undefined {
    const window = this.windows.get(key);
    if (window && now - window.start >= this.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }
}

function keysOf(ip: string, username: string): string[] {
  return [`ip\u0000${ip}`, `user\u0000${username.trim().toLowerCase()}`];
}
