/**
 * Turns the binary page frames an agent socket receives into page-stream tokens, in order
 * ([FR1], [FR5], [FR6], [JN3], [JN4], [PS1] in SPEC.md).
 *
 * Inflating a compressed payload is asynchronous (`DecompressionStream`), so a small
 * uncompressed delta could overtake the big compressed keyframe before it. Every frame
 * therefore starts decoding at once (inflation runs in parallel) but is applied from a
 * queue, strictly in arrival order.
 *
 * Sequence rules on the agent side:
 * - a keyframe always applies: it is a complete page, and the server sends one exactly when
 *   the mirror must start over (a fresh join, a resume the log cannot serve, a new capture);
 * - a delta with a sequence number at or below the last applied one is a resend overlap
 *   after a resume ([JN4]) and is skipped; one above the next expected number means page
 *   changes were lost, which the mirror cannot recover from: it is reported as an error;
 * - a volatile frame (the pointer) applies without touching the sequence number ([LG3]).
 *
 * After an error the reader applies nothing more until `reset()`: the owner starts over
 * from a keyframe (reconnects without `afterSeq`).
 */
import { FrameFlag, FrameKind, framePayload, readFrameHeader } from '../../shared/protocol/frame.js';
import type { Token } from '../../shared/dom/format.js';

/** Receives decoded frames, in order. A throw counts as a frame that failed to apply. */
export interface FrameSink {
  /** A full page: reset the mirror to it. */
  keyframe(tokens: Token[], seq: number): void;
  /** Changes to the current page. */
  delta(tokens: Token[], seq: number): void;
  /** Transient state (the pointer); never numbered. */
  volatile(tokens: Token[]): void;
}

/** Why a frame could not be used. */
export type FrameFailure = 'header' | 'inflate' | 'too-large' | 'json' | 'gap' | 'apply';

/** A frame that could not be decoded or applied. */
export class FrameReadError extends Error {
  constructor(
    message: string,
    /** Which step failed. */
    readonly failure: FrameFailure,
    /** The frame's sequence number, when its header could be read. */
    readonly seq: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'FrameReadError';
  }
}

/** Options of a frame reader. */
export interface FrameReaderOptions {
  sink: FrameSink;
  /** Called once per failure; the reader then waits for `reset()`. */
  onError(error: FrameReadError): void;
  /**
   * Largest inflated payload accepted, in bytes. The server caps compressed sizes only, and
   * a hostile page could send a small payload that inflates to gigabytes. Default 256 MiB.
   */
  maxInflatedBytes?: number;
}

/** Default for `FrameReaderOptions.maxInflatedBytes`: 256 MiB. */
export const DEFAULT_MAX_INFLATED_BYTES = 256 * 1024 * 1024;

const DECODER = new TextDecoder();

/** Decodes and applies page frames in arrival order. */
export class FrameReader {
  private readonly sink: FrameSink;
  private readonly onError: (error: FrameReadError) => void;
  private readonly maxInflatedBytes: number;
  /** Frames queue behind this promise; it never rejects. */
  private tail: Promise<void> = Promise.resolve();
  /** Bumped by `reset()`: queued work of an older epoch is dropped. */
  private epoch = 0;
  private applied: number | null = null;
  private broken = false;

  constructor(options: FrameReaderOptions) {
    this.sink = options.sink;
    this.onError = options.onError;
    this.maxInflatedBytes = options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES;
  }

  /**
   * The sequence number of the last keyframe or delta applied since the last reset, or
   * null before the first keyframe: what a resuming agent sends as `afterSeq`.
   */
  get lastSeq(): number | null {
    return this.broken ? null : this.applied;
  }

  /** Whether a frame failed and the reader waits for `reset()`. */
  get failed(): boolean {
    return this.broken;
  }

  /** Queues one binary message from the socket. */
  push(data: ArrayBuffer | Uint8Array): void {
    if (this.broken) return;
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    const epoch = this.epoch;
    const header = readFrameHeader(bytes);
    // Start decoding now so inflation of later frames overlaps; apply in order below.
    const decoded: Promise<Token[] | FrameReadError> =
      typeof header === 'string'
        ? Promise.resolve(new FrameReadError(`malformed frame header (${header})`, 'header', null))
        : this.decode(framePayload(bytes), header.flags, header.seq);
    this.tail = this.tail.then(async () => {
      const result = await decoded;
      if (epoch !== this.epoch || this.broken) return;
      if (result instanceof FrameReadError) {
        this.fail(result);
        return;
      }
      if (typeof header !== 'string') this.apply(header.kind, header.seq, result);
    });
  }

  /** Forgets all state and queued frames; the next frame to apply must be a keyframe. */
  reset(): void {
    this.epoch++;
    this.applied = null;
    this.broken = false;
  }

  /** Resolves when every frame queued so far has been applied or dropped. */
  whenIdle(): Promise<void> {
    return this.tail;
  }

  // -------------------------------------------------------------------------------------------

  private apply(kind: FrameKind, seq: number, tokens: Token[]): void {
    try {
      switch (kind) {
        case FrameKind.Keyframe:
          this.sink.keyframe(tokens, seq);
          this.applied = seq;
          return;
        case FrameKind.Delta: {
          // Without a keyframe there is nothing to change; the server sends one first ([JN3]).
          if (this.applied === null || seq <= this.applied) return;
          if (seq !== this.applied + 1) {
            this.fail(new FrameReadError(`page updates ${this.applied + 1}–${seq - 1} are missing`, 'gap', seq));
            return;
          }
          this.sink.delta(tokens, seq);
          this.applied = seq;
          return;
        }
        case FrameKind.Volatile:
          this.sink.volatile(tokens);
          return;
        default: {
          const never: never = kind;
          throw new Error(`unknown frame kind ${String(never)}`);
        }
      }
    } catch (error) {
      const what = kind === FrameKind.Keyframe ? 'page' : kind === FrameKind.Delta ? 'page update' : 'pointer update';
      this.fail(new FrameReadError(`the ${what} could not be shown: ${describe(error)}`, 'apply', seq, { cause: error }));
    }
  }

  private async decode(payload: Uint8Array, flags: number, seq: number): Promise<Token[] | FrameReadError> {
    let text: string;
    if ((flags & FrameFlag.Deflate) !== 0) {
      try {
        const inflated = await inflate(payload, this.maxInflatedBytes);
        if (inflated === null) {
          const limit = Math.round(this.maxInflatedBytes / (1024 * 1024));
          return new FrameReadError(`a page frame inflates beyond ${limit} MiB`, 'too-large', seq);
        }
        text = inflated;
      } catch (error) {
        return new FrameReadError(`a page frame could not be inflated: ${describe(error)}`, 'inflate', seq, { cause: error });
      }
    } else {
      text = DECODER.decode(payload);
    }
    let tokens: unknown;
    try {
      tokens = JSON.parse(text);
    } catch (error) {
      return new FrameReadError(`a page frame is not valid JSON: ${describe(error)}`, 'json', seq, { cause: error });
    }
    if (!Array.isArray(tokens)) return new FrameReadError('a page frame is not a token array', 'json', seq);
    return tokens as Token[];
  }

  private fail(error: FrameReadError): void {
    this.broken = true;
    this.onError(error);
  }
}

/** Compressed bytes written to the decompressor at a time. */
const INFLATE_SLICE_BYTES = 16 * 1024;

/** Inflates raw DEFLATE to text, or null when it grows beyond `limit` bytes. */
export async function inflate(payload: Uint8Array, limit: number): Promise<string | null> {
  // Written straight into the decompressor, not piped from a Blob: a Blob's stream is read
  // in later tasks, a written chunk is inflated and read in microtasks (no wait behind the
  // viewer's rendering).
  // Slices bound what one write can inflate to (deflate expands at most ~1000×), so the
  // limit below stops a hostile payload early.
  const stream = new DecompressionStream('deflate-raw');
  const writer = stream.writable.getWriter();
  void (async () => {
    for (let at = 0; at < payload.length; at += INFLATE_SLICE_BYTES) {
      await writer.write(payload.subarray(at, at + INFLATE_SLICE_BYTES) as Uint8Array<ArrayBuffer>);
    }
    await writer.close();
  })().catch(() => {}); // a corrupt or cancelled stream fails the read below
  const reader = stream.readable.getReader();
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      return null;
    }
    parts.push(decoder.decode(value, { stream: true }));
  }
  parts.push(decoder.decode());
  return parts.join('');
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
