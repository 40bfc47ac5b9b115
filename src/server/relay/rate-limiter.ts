/** A token bucket: `rate` events per second with a burst of `burstSeconds` worth. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burstSeconds = 2,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = rate * burstSeconds;
    this.last = now();
  }

  /** Takes one token; false when the bucket is empty (the caller refuses the event). */
  take(): boolean {
    const now = this.now();
    const capacity = this.rate * this.burstSeconds;
    this.tokens = Math.min(capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Counts events per key in a sliding minute (brute-force protection). */
export class FailureCounter {
  private readonly counts = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs = 60_000,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Whether `key` has used up its failures for the current window. */
  blocked(key: string): boolean {
    const entry = this.counts.get(key);
    if (!entry) return false;
    if (this.now() - entry.since > this.windowMs) {
      this.counts.delete(key);
      return false;
    }
    return entry.count >= this.limit;
  }

  /** Records a failure for `key`. */
  fail(key: string): void {
    const now = this.now();
    const entry = this.counts.get(key);
    if (!entry || now - entry.since > this.windowMs) this.counts.set(key, { count: 1, since: now });
    else entry.count++;
    if (this.counts.size > 10_000) this.prune(now);
  }

  private prune(now: number): void {
    for (const [key, entry] of this.counts) if (now - entry.since > this.windowMs) this.counts.delete(key);
  }
}
