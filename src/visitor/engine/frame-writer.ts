/**
 * Turns the recorder's payload JSON text into page frames ([FR1], [FR5], [PS9]).
 *
 * - Payloads above {@link COMPRESS_ABOVE_BYTES} are compressed with raw DEFLATE
 *   (`CompressionStream('deflate-raw')`, flag `FrameFlag.Deflate`); smaller ones are sent
 *   as they are, because deflate costs more than it saves there.
 * - Keyframe pieces (the recorder slices big pages) stream into one compressor as they
 *   arrive, so compression overlaps the capture and no full copy of the text is built.
 * - Frames leave in the order the recorder wrote them (an async queue), whatever each
 *   compression takes; keyframes and deltas are numbered as they leave, consecutively from
 *   the `welcome`'s `nextSeq`.
 * - Volatile (pointer) frames are uncompressed with seq 0 and skip the queue: a pointer
 *   position is stale by the time a big keyframe has compressed. None leaves before the
 *   session's first keyframe (the agent has nothing to draw it on); the latest is held.
 */
import { encodeFrame, FrameFlag, FrameKind } from '../../shared/protocol/frame.js';
import type { CaptureSink } from '../capture/recorder.js';

/** Payloads larger than this many bytes (UTF-8) are compressed. */
export const COMPRESS_ABOVE_BYTES = 1024;

/** Options of a frame writer. */
export interface FrameWriterOptions {
  /** Receives every finished frame, in order. Volatile frames have seq 0. */
  send(frame: Uint8Array, kind: FrameKind, seq: number): void;
  /** Receives our own errors (a failed compression, a throwing `send`); they never reach the page. */
  report(error: unknown): void;
  /** Compress payloads above this size, bytes. Default {@link COMPRESS_ABOVE_BYTES}. */
  compressAboveBytes?: number;
  /** Whether to compress at all. Default: when the browser has `CompressionStream('deflate-raw')`. */
  deflate?: boolean;
}

interface Payload {
  bytes: Uint8Array;
  flags: number;
}

interface Queued {
  kind: FrameKind;
  /** Never rejects: a failed compression falls back to the raw bytes. */
  payload: Promise<Payload>;
  /** Set by `restart()` for deltas that must not be sent any more. */
  dropped: boolean;
}

const encoder = new TextEncoder();

/** The capture sink of one session: numbers, compresses and orders its frames. */
export class FrameWriter implements CaptureSink {
  private seq = 1;
  private readonly queue: Queued[] = [];
  private draining = false;
  private keyframe: KeyframeEncoder | null = null;
  private keyframeSent = false;
  /** Keyframes written by the recorder and not yet numbered and sent. */
  private keyframesPending = 0;
  private lastKeyframeSeq: number | null = null;
  private heldVolatile: string | null = null;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  private readonly threshold: number;
  private readonly deflate: boolean;

  constructor(private readonly options: FrameWriterOptions) {
    this.threshold = options.compressAboveBytes ?? COMPRESS_ABOVE_BYTES;
    this.deflate = options.deflate ?? supportsDeflateRaw();
  }

  /** The sequence number the next keyframe or delta will carry. */
  get nextSeq(): number {
    return this.seq;
  }

  /**
   * The sequence number of the last keyframe sent: the keyframe epoch the agents' mirrors
   * show ([RC7]). Null before the first keyframe and while a newer keyframe is being
   * written or compressed: the recorder's node ids already belong to that newer keyframe,
   * so no agent action may be resolved against them until it has left.
   */
  get keyframeSeq(): number | null {
    return this.keyframesPending > 0 ? null : this.lastKeyframeSeq;
  }

  /** Numbers the following frames from `nextSeq` (the first `welcome`'s). */
  start(nextSeq: number): void {
    this.seq = nextSeq;
  }

  /**
   * The server lost the stream (it asked for a keyframe in its `welcome`, or our resend
   * buffer overflowed): queued deltas are dropped, keyframes kept, and numbering restarts
   * at `nextSeq`. The caller must then have the recorder take a keyframe.
   */
  restart(nextSeq: number): void {
    for (const item of this.queue) if (item.kind === FrameKind.Delta) item.dropped = true;
    this.seq = nextSeq;
  }

  /** Stops writing; queued frames are discarded. Idempotent. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.keyframe = null;
    this.heldVolatile = null;
  }

  /** Resolves when every queued frame has been sent (or dropped). */
  idle(): Promise<void> {
    if (!this.draining && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  keyframePiece(text: string, last: boolean): void {
    if (this.closed) return;
    let keyframe = this.keyframe;
    if (!keyframe) {
      keyframe = this.keyframe = new KeyframeEncoder(this.deflate, this.threshold, this.options.report);
      // The recorder switched its ids to the new epoch in the same task as this first piece.
      this.keyframesPending++;
      this.enqueue(FrameKind.Keyframe, keyframe.result);
    }
    keyframe.write(text);
    if (last) {
      keyframe.end();
      this.keyframe = null;
    }
  }

  delta(text: string): void {
    if (this.closed) return;
    const bytes = encoder.encode(text);
    this.enqueue(
      FrameKind.Delta,
      this.deflate && bytes.length > this.threshold
        ? compress([bytes]).then(
            (compressed) => ({ bytes: compressed, flags: FrameFlag.Deflate }),
            (error: unknown) => {
              this.options.report(error);
              return { bytes, flags: 0 };
            },
          )
        : Promise.resolve({ bytes, flags: 0 }),
    );
  }

  volatile(text: string): void {
    if (this.closed) return;
    if (!this.keyframeSent) {
      this.heldVolatile = text;
      return;
    }
    this.emit(FrameKind.Volatile, 0, 0, encoder.encode(text));
  }

  private enqueue(kind: FrameKind, payload: Promise<Payload>): void {
    this.queue.push({ kind, payload, dropped: false });
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const item = this.queue[0]!;
        const payload = await item.payload;
        if (this.closed) break;
        this.queue.shift();
        if (item.dropped) continue;
        // Numbered as it leaves: the order of leaving is the order of writing.
        const seq = this.seq++;
        this.emit(item.kind, payload.flags, seq, payload.bytes);
        if (item.kind === FrameKind.Keyframe) {
          this.keyframesPending--;
          this.lastKeyframeSeq = seq;
        }
        if (item.kind === FrameKind.Keyframe && !this.keyframeSent) {
          this.keyframeSent = true;
          const held = this.heldVolatile;
          this.heldVolatile = null;
          if (held !== null) this.volatile(held);
        }
      }
    } finally {
      this.draining = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private emit(kind: FrameKind, flags: number, seq: number, payload: Uint8Array): void {
    try {
      this.options.send(encodeFrame(kind, flags, seq, payload), kind, seq);
    } catch (error) {
      this.options.report(error);
    }
  }
}

/**
 * One keyframe's payload, built from pieces. Pieces are kept raw until they pass the
 * threshold; from then on they stream into a compressor. The raw bytes are kept too, so a
 * failed compression still yields the keyframe.
 */
class KeyframeEncoder {
  readonly result: Promise<Payload>;
  private resolve!: (payload: Payload) => void;
  private readonly chunks: Uint8Array<ArrayBuffer>[] = [];
  private size = 0;
  private writer: WritableStreamDefaultWriter<BufferSource> | null = null;
  private compressed: Promise<Uint8Array> | null = null;

  constructor(
    private readonly deflate: boolean,
    private readonly threshold: number,
    private readonly report: (error: unknown) => void,
  ) {
    this.result = new Promise((resolve) => (this.resolve = resolve));
  }

  write(text: string): void {
    const bytes = encoder.encode(text);
    this.chunks.push(bytes);
    this.size += bytes.length;
    if (this.writer) {
      this.writer.write(bytes).catch(() => {}); // a failure surfaces through `compressed`
    } else if (this.deflate && this.size > this.threshold) {
      try {
        const stream = new CompressionStream('deflate-raw');
        // Read while writing, or the stream's backpressure would hold the writes.
        this.compressed = readAll(stream.readable);
        const writer = (this.writer = stream.writable.getWriter());
        for (const chunk of this.chunks) writer.write(chunk).catch(() => {});
      } catch (error) {
        this.report(error);
        this.writer = null;
        this.compressed = null;
      }
    }
  }

  end(): void {
    const raw = () => ({ bytes: concat(this.chunks, this.size), flags: 0 });
    if (!this.writer || !this.compressed) {
      this.resolve(raw());
      return;
    }
    this.writer.close().catch(() => {});
    this.compressed.then(
      (bytes) => this.resolve({ bytes, flags: FrameFlag.Deflate }),
      (error: unknown) => {
        this.report(error);
        this.resolve(raw());
      },
    );
  }
}

/** Compresses byte chunks into one raw DEFLATE buffer. */
function compress(chunks: Uint8Array<ArrayBuffer>[]): Promise<Uint8Array> {
  const stream = new CompressionStream('deflate-raw');
  const out = readAll(stream.readable);
  const writer = stream.writable.getWriter();
  for (const chunk of chunks) writer.write(chunk).catch(() => {});
  writer.close().catch(() => {});
  return out;
}

/**
 * Reads the compressor's output with a reader, not `new Response(readable)`: a reader's
 * reads resolve as microtasks, so a delta compressed right after the page's task leaves
 * before the browser renders; a Response body is read in later tasks, behind the page's
 * style, layout and paint (100 ms and more on a big page after a burst of changes).
 */
async function readAll(readable: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = readable.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
  }
  return concat(chunks, size);
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** Whether `CompressionStream('deflate-raw')` exists (Chrome 103, Firefox 113, Safari 16.4). */
function supportsDeflateRaw(): boolean {
  try {
    new CompressionStream('deflate-raw');
    return true;
  } catch {
    return false;
  }
}
