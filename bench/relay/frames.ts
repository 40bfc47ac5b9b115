/**
 * Page frames for the load generator: the recorded ones (`frames/*.bin`, captured from real
 * pages by `record-frames.ts`) and synthetic ones of an exact size for the throughput runs,
 * plus the latency stamp every sent frame carries.
 *
 * File format of a recording (`frames/<name>.bin`): a sequence of records, each
 *   uint32 BE  time since the recording started, ms
 *   uint32 BE  frame length, bytes
 *   bytes      the page frame exactly as the agent received it ([FR1]: 6-byte header + payload)
 *
 * Stamp: before a frame is sent, the generator writes its sequence number into the header
 * and the send time (`performance.now()`, float64 little-endian) into payload bytes 0–7;
 * the agent side reads it back. The relay never decodes payloads ([FR6]), so overwriting
 * 8 bytes of a compressed payload changes nothing it does. Visitor and agent sockets live
 * in the same generator process: one clock.
 */
import { randomFillSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FRAME_HEADER_BYTES, FrameFlag, FrameKind, writeFrameHeader } from '../../src/shared/protocol/frame.js';

/** Where the send time is written in a frame. */
export const STAMP_OFFSET = FRAME_HEADER_BYTES;
/** Smallest frame that can carry a stamp. */
export const MIN_STAMPED_FRAME_BYTES = STAMP_OFFSET + 8;

/** One frame of a recording. */
export interface RecordedFrame {
  /** Time since the recording started, ms. */
  atMs: number;
  kind: FrameKind;
  bytes: Buffer;
}

/** The recorded frames by kind, and the recordings they come from. */
export interface FramePools {
  keyframes: Buffer[];
  deltas: Buffer[];
  volatiles: Buffer[];
  /** Names of the recordings. */
  sources: string[];
}

/** Serialises a recording (see the file comment for the format). */
export function encodeRecording(frames: readonly RecordedFrame[]): Buffer {
  const total = frames.reduce((sum, frame) => sum + 8 + frame.bytes.length, 0);
  const out = Buffer.alloc(total);
  let offset = 0;
  for (const frame of frames) {
    out.writeUInt32BE(Math.max(0, Math.round(frame.atMs)), offset);
    out.writeUInt32BE(frame.bytes.length, offset + 4);
    frame.bytes.copy(out, offset + 8);
    offset += 8 + frame.bytes.length;
  }
  return out;
}

/** Parses a recording; throws on a truncated file. */
export function decodeRecording(data: Buffer, name = 'recording'): RecordedFrame[] {
  const frames: RecordedFrame[] = [];
  let offset = 0;
  while (offset < data.length) {
    if (offset + 8 > data.length) throw new Error(`${name}: truncated record header at byte ${offset}`);
    const atMs = data.readUInt32BE(offset);
    const length = data.readUInt32BE(offset + 4);
    const start = offset + 8;
    if (start + length > data.length || length < FRAME_HEADER_BYTES) throw new Error(`${name}: bad frame record at byte ${offset}`);
    const bytes = data.subarray(start, start + length);
    frames.push({ atMs, kind: bytes[0] as FrameKind, bytes });
    offset = start + length;
  }
  return frames;
}

/** One recorded session: its name (the file name without `.bin`) and its frames in order. */
export interface Recording {
  name: string;
  frames: RecordedFrame[];
}

/**
 * Loads every `*.bin` of `dir`, sorted by name. Frames too short to carry a stamp are
 * padded with zero bytes to {@link MIN_STAMPED_FRAME_BYTES} (a handful of 13-byte deltas);
 * every frame is an own copy, since the generator writes stamps into them.
 */
export function loadRecordings(dir: string): Recording[] {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.bin'))
    .sort();
  if (files.length === 0) throw new Error(`no recorded frames (*.bin) in ${dir}: run \`node bench/relay/dev-run.mjs record\``);
  return files.map((file) => ({
    name: file.slice(0, -4),
    frames: decodeRecording(readFileSync(path.join(dir, file)), file).map((frame) => {
      const bytes = Buffer.alloc(Math.max(frame.bytes.length, MIN_STAMPED_FRAME_BYTES));
      frame.bytes.copy(bytes);
      return { ...frame, bytes };
    }),
  }));
}

/** The frames of `recordings` by kind. Throws when a kind is missing (the generator needs each). */
export function framePools(recordings: readonly Recording[]): FramePools {
  const pools: FramePools = { keyframes: [], deltas: [], volatiles: [], sources: recordings.map((r) => r.name) };
  for (const recording of recordings) {
    for (const frame of recording.frames) {
      if (frame.kind === FrameKind.Keyframe) pools.keyframes.push(frame.bytes);
      else if (frame.kind === FrameKind.Delta) pools.deltas.push(frame.bytes);
      else if (frame.kind === FrameKind.Volatile) pools.volatiles.push(frame.bytes);
    }
  }
  for (const [kind, pool] of Object.entries({ keyframes: pools.keyframes, deltas: pools.deltas, volatiles: pools.volatiles })) {
    if (pool.length === 0) throw new Error(`the recordings ${pools.sources.join(', ')} hold no ${kind}`);
  }
  return pools;
}

/**
 * A frame of exactly `totalBytes` (header included) with an incompressible payload, as a
 * visitor's deflated delta would be.
 */
export function syntheticFrame(kind: FrameKind, totalBytes: number): Buffer {
  if (totalBytes < MIN_STAMPED_FRAME_BYTES) throw new Error(`a frame must be at least ${MIN_STAMPED_FRAME_BYTES} bytes`);
  const frame = Buffer.alloc(totalBytes);
  randomFillSync(frame, FRAME_HEADER_BYTES);
  writeFrameHeader(frame, kind, kind === FrameKind.Volatile ? 0 : FrameFlag.Deflate, 0);
  return frame;
}

/** Writes the kind, sequence number and send time into `frame` (see the file comment). */
export function stampFrame(frame: Buffer, kind: FrameKind, seq: number, now: number): void {
  frame[0] = kind;
  frame.writeUInt32BE(seq >>> 0, 2);
  frame.writeDoubleLE(now, STAMP_OFFSET);
}

/** The send time stamped into a received frame, or NaN when it is too short. */
export function readStamp(frame: Buffer): number {
  return frame.length >= MIN_STAMPED_FRAME_BYTES ? frame.readDoubleLE(STAMP_OFFSET) : Number.NaN;
}
