import { describe, expect, it } from 'vitest';
import {
  FRAME_HEADER_BYTES,
  FrameFlag,
  FrameKind,
  encodeFrame,
  framePayload,
  readFrameHeader,
} from '../../src/shared/protocol/frame.js';

describe('page frame codec', () => {
  it('[FR1] round-trips kind, flags, sequence number and payload', () => {
    const payload = new TextEncoder().encode('[1,2,3]');
    const frame = encodeFrame(FrameKind.Delta, FrameFlag.Deflate, 0xfedcba98, payload);
    expect(frame.length).toBe(FRAME_HEADER_BYTES + payload.length);
    expect(readFrameHeader(frame)).toEqual({ kind: FrameKind.Delta, flags: FrameFlag.Deflate, seq: 0xfedcba98 });
    expect(new TextDecoder().decode(framePayload(frame))).toBe('[1,2,3]');
  });

  it('[FR1] writes the sequence number big-endian', () => {
    const frame = encodeFrame(FrameKind.Keyframe, 0, 258, new Uint8Array());
    expect([...frame]).toEqual([1, 0, 0, 0, 1, 2]);
  });

  it('[FR3] refuses frames that are too short, of unknown kind or with unknown flags', () => {
    expect(readFrameHeader(new Uint8Array([1, 0, 0, 0, 0]))).toBe('too-short');
    expect(readFrameHeader(new Uint8Array([9, 0, 0, 0, 0, 1]))).toBe('unknown-kind');
    expect(readFrameHeader(new Uint8Array([0, 0, 0, 0, 0, 1]))).toBe('unknown-kind');
    expect(readFrameHeader(new Uint8Array([2, 0x80, 0, 0, 0, 1]))).toBe('unknown-flags');
  });

  it('[FR1] reads a header from a view into a larger buffer', () => {
    const backing = new Uint8Array(32);
    backing.set([2, 0, 0, 0, 0, 7], 10);
    expect(readFrameHeader(backing.subarray(10, 16))).toEqual({ kind: 2, flags: 0, seq: 7 });
  });
});
