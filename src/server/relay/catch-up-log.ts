/**
 * The per-session catch-up log ([LG1]–[LG3], DESIGN §3.3): the latest keyframe and the
 * numbered deltas after it, as the exact bytes the visitor sent. A late or reconnecting
 * agent is served from here; the visitor is never asked to re-serialise for it.
 */

/**
 * The frame as bytes of its own. `ws` hands over a message that arrived within one socket
 * read as a view into that read's buffer (64 KiB): kept in the log, a 100-byte delta would
 * hold the whole buffer, and the log's byte budget would undercount its memory many times.
 */
function own(frame: Uint8Array): Uint8Array {
  return frame.byteOffset === 0 && frame.byteLength === frame.buffer.byteLength ? frame : frame.slice();
}

/** Outcome of appending a delta. */
export type AppendResult = 'logged' | 'over-budget' | 'not-logged';

export class CatchUpLog {
  private keyframe: Uint8Array | null = null;
  private keyframeSeq = 0;
  private deltas: Uint8Array[] = [];
  private deltaBytes = 0;
  /** True once deltas were dropped for lack of room: the log cannot serve until a keyframe. */
  private broken = false;

  constructor(
    /** Delta bytes after which a new keyframe is wanted. */
    private readonly budgetBytes: number,
  ) {}

  /** Whether a joining agent can be served (a keyframe and every delta since). */
  get servable(): boolean {
    return this.keyframe !== null && !this.broken;
  }

  /** Highest sequence number in the log (0 when empty). */
  get lastSeq(): number {
    return this.keyframe === null ? 0 : this.keyframeSeq + this.deltas.length;
  }

  /** Bytes held (keyframe and deltas). */
  get bytes(): number {
    return (this.keyframe?.length ?? 0) + this.deltaBytes;
  }

  /** Starts a new epoch with this keyframe ([LG1]). */
  setKeyframe(frame: Uint8Array, seq: number): void {
    this.keyframe = own(frame);
    this.keyframeSeq = seq;
    this.deltas = [];
    this.deltaBytes = 0;
    this.broken = false;
  }

  /**
   * Logs a delta that follows the last logged frame. Past the budget it still logs (and
   * says so, so a keyframe can be requested); past twice the budget it stops ([LG2]).
   */
  append(frame: Uint8Array): AppendResult {
    if (this.keyframe === null || this.broken) return 'not-logged';
    if (this.deltaBytes + frame.length > 2 * this.budgetBytes) {
      this.broken = true;
      this.deltas = [];
      this.deltaBytes = 0;
      return 'not-logged';
    }
    this.deltas.push(own(frame));
    this.deltaBytes += frame.length;
    return this.deltaBytes > this.budgetBytes ? 'over-budget' : 'logged';
  }

  /**
   * The frames an agent needs: those after `afterSeq` if the log holds all of them
   * ([JN4]; possibly none), else the keyframe and every delta ([JN3]). Null when the log
   * cannot serve (no keyframe yet, or deltas were dropped).
   */
  framesFor(afterSeq?: number): Uint8Array[] | null {
    if (!this.servable) return null;
    if (afterSeq !== undefined && afterSeq >= this.keyframeSeq && afterSeq <= this.lastSeq) {
      return this.deltas.slice(afterSeq - this.keyframeSeq);
    }
    return [this.keyframe!, ...this.deltas];
  }

  /** Releases everything ([SS8]). */
  clear(): void {
    this.keyframe = null;
    this.deltas = [];
    this.deltaBytes = 0;
    this.broken = false;
  }
}
