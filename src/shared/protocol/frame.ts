/**
 * Binary page frames ([FR1]–[FR6] in SPEC.md).
 *
 * A page frame is a fixed 6-byte header followed by an opaque payload:
 *
 *   byte 0     kind   (FrameKind)
 *   byte 1     flags  (FrameFlag bit set)
 *   bytes 2–5  seq    (uint32, big-endian)
 *
 * The server reads the header only; it forwards and logs the bytes unchanged,
 * so one buffer serves every agent and the catch-up log.
 */

/** What a page frame carries. */
export const FrameKind = {
  /** A full serialisation of the page; resets the mirror. Starts a new log epoch. */
  Keyframe: 1,
  /** Changes since the previous frame, applied in sequence order. */
  Delta: 2,
  /** Transient state (the visitor's pointer): relayed, never logged, never resent. */
  Volatile: 3,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/** Bits of the flags byte. */
export const FrameFlag = {
  /** The payload is compressed with raw DEFLATE (CompressionStream 'deflate-raw'). */
  Deflate: 1,
} as const;

export const FRAME_HEADER_BYTES = 6;
/** Largest sequence number before the counter wraps; sessions never get near it. */
export const MAX_SEQ = 0xffffffff;

/** A decoded page-frame header. */
export interface FrameHeader {
  kind: FrameKind;
  flags: number;
  seq: number;
}

/** Why a frame could not be decoded. */
export type FrameError = 'too-short' | 'unknown-kind' | 'unknown-flags';

const KNOWN_FLAGS = FrameFlag.Deflate;

/** Reads the header of a page frame, or says why it is not one. Never throws. */
export function readFrameHeader(bytes: Uint8Array): FrameHeader | FrameError {
  if (bytes.length < FRAME_HEADER_BYTES) return 'too-short';
  const kind = bytes[0]!;
  if (kind !== FrameKind.Keyframe && kind !== FrameKind.Delta && kind !== FrameKind.Volatile) {
    return 'unknown-kind';
  }
  const flags = bytes[1]!;
  if ((flags & ~KNOWN_FLAGS) !== 0) return 'unknown-flags';
  const seq = ((bytes[2]! << 24) | (bytes[3]! << 16) | (bytes[4]! << 8) | bytes[5]!) >>> 0;
  return { kind: kind as FrameKind, flags, seq };
}

/** Builds a page frame from a header and a payload (one copy of the payload). */
export function encodeFrame(kind: FrameKind, flags: number, seq: number, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  writeFrameHeader(frame, kind, flags, seq);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

/** Writes a header into the first bytes of `frame`. */
export function writeFrameHeader(frame: Uint8Array, kind: FrameKind, flags: number, seq: number): void {
  frame[0] = kind;
  frame[1] = flags;
  frame[2] = (seq >>> 24) & 0xff;
  frame[3] = (seq >>> 16) & 0xff;
  frame[4] = (seq >>> 8) & 0xff;
  frame[5] = seq & 0xff;
}

/** The payload bytes of a frame (a view, not a copy). */
export function framePayload(frame: Uint8Array): Uint8Array {
  return frame.subarray(FRAME_HEADER_BYTES);
}
