/**
 * Writes live sessions to the store as they start, change and end, so a server restart —
 * clean or a crash — ends no session ([RS1]). Writes are coalesced per session over a short
 * delay and run one at a time, in order, so a session's row never goes back to an older
 * state and an end is never overtaken by a late write of its state.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import type { Session } from './session.js';

/** How long changes gather before they are written, ms. */
export const PERSIST_DELAY_MS = 50;
/**
 * Writes between two yields to the event loop: SQLite writes are synchronous (~0.1 ms), so a
 * burst of session starts must not hold page frames back for its whole length.
 */
const WRITES_PER_TURN = 16;

export class SessionPersistence {
  /** Pending writes by session id: the session to write, or null to delete its row. */
  private readonly pending = new Map<string, Session | null>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    /** This server's node id, written with every row. */
    private readonly nodeId: string,
    private readonly logger: Logger,
    private readonly delayMs = PERSIST_DELAY_MS,
  ) {}

  /** The session started or changed: write it soon. */
  changed(session: Session): void {
    if (session.ended || session.halted) return;
    this.pending.set(session.id, session);
    this.schedule();
  }

  /** The session ended: delete its row soon (after any write still queued for it). */
  ended(session: Session): void {
    this.pending.set(session.id, null);
    this.schedule();
  }

  /** Writes everything pending now; resolves when every write so far is done. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = [...this.pending];
    this.pending.clear();
    if (batch.length > 0) this.chain = this.chain.then(() => this.write(batch));
    return this.chain;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.delayMs);
    this.timer.unref();
  }

  private async write(batch: [string, Session | null][]): Promise<void> {
    let written = 0;
    for (const [id, session] of batch) {
      if (++written % WRITES_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
      try {
        if (session && !session.ended) await this.store.putLiveSession(session.toLiveSession(this.nodeId));
        else await this.store.deleteLiveSession(id);
      } catch (error) {
        // The session goes on in memory; only a restart now would lose it.
        this.logger.error({ err: error, session: id }, 'could not write a live session to the store');
      }
    }
  }
}
