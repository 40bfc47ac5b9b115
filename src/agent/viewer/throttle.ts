/**
 * Sends the latest of a fast stream of values at most once per interval, the last one
 * always included (the agent's pointer, scrolling): the visitor sees where the agent
 * stopped, not where they were 30 ms before.
 */

/** A trailing-edge throttle for one stream of values. */
export class Throttle<T> {
  private lastSent = -Infinity;
  private pending: { value: T } | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  /**
   * @param intervalMs shortest time between two sends, ms
   * @param send receives each value that goes out
   * @param now clock, ms (default `performance.now`)
   */
  constructor(
    private readonly intervalMs: number,
    private readonly send: (value: T) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Offers a value: sent now if the interval has passed, else when it has (unless replaced). */
  push(value: T): void {
    const wait = this.lastSent + this.intervalMs - this.now();
    if (wait <= 0 && !this.timer) {
      this.emit(value);
      return;
    }
    this.pending = { value };
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.flush();
    }, Math.max(0, wait));
  }

  /** The value waiting to go out, if any. */
  get waiting(): T | undefined {
    return this.pending?.value;
  }

  /** Sends the waiting value now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const pending = this.pending;
    this.pending = null;
    if (pending) this.emit(pending.value);
  }

  /** Forgets the waiting value. */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
  }

  private emit(value: T): void {
    this.lastSent = this.now();
    this.send(value);
  }
}
