/**
 * Keyframes and deltas sent but not yet acknowledged ([CM2], DESIGN §3.4): after a
 * reconnect the visitor resends those after the server's `nextSeq - 1` ([SS5]). Bounded in
 * bytes: past the bound the frames are dropped and the next welcome gets a fresh keyframe
 * instead (the page state is still all here, only the history is gone).
 */

/** Default bound of the buffer, bytes. */
export const MAX_UNACKED_BYTES = 32 * 1024 * 1024;

interface Entry {
  seq: number;
  frame: Uint8Array;
}

/** Sent-but-unacknowledged frames, in sequence order. */
export class UnackedFrames {
  private entries: Entry[] = [];
  private total = 0;
  /** True once frames were dropped to honour the bound; cleared by `clear()`. */
  overflowed = false;

  /** @param maxBytes bound of the buffered frames, bytes */
  constructor(private readonly maxBytes = MAX_UNACKED_BYTES) {}

  /** Bytes held. */
  get bytes(): number {
    return this.total;
  }

  /** Frames held. */
  get size(): number {
    return this.entries.length;
  }

  /** Keeps a numbered frame until acknowledged. After an overflow nothing is kept until `clear()`. */
  add(seq: number, frame: Uint8Array): void {
    if (this.overflowed) return;
    this.entries.push({ seq, frame });
    this.total += frame.length;
    if (this.total > this.maxBytes) {
      this.entries = [];
      this.total = 0;
      this.overflowed = true;
    }
  }

  /** The server has every frame up to `seq`: forget them. */
  ack(seq: number): void {
    let n = 0;
    while (n < this.entries.length && this.entries[n]!.seq <= seq) this.total -= this.entries[n++]!.frame.length;
    if (n > 0) this.entries.splice(0, n);
  }

  /**
   * The frames to resend when the server expects `serverNext` and ours would be
   * `ownNext`, or null when some are missing (overflow, or the server is ahead of us):
   * then only a keyframe can repair the stream.
   */
  resendFrom(serverNext: number, ownNext: number): Uint8Array[] | null {
    if (this.overflowed || serverNext > ownNext) return null;
    this.ack(serverNext - 1);
    if (serverNext === ownNext) return [];
    const first = this.entries[0];
    if (!first || first.seq !== serverNext) return null;
    return this.entries.map((entry) => entry.frame);
  }

  /** Forgets everything, overflow included. */
  clear(): void {
    this.entries = [];
    this.total = 0;
    this.overflowed = false;
  }
}
