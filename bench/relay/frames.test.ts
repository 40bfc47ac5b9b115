import { describe, expect, it } from 'vitest';
import { FrameKind, readFrameHeader } from '../../src/shared/protocol/frame.js';
import { decodeRecording, encodeRecording, framePools, loadRecordings, MIN_STAMPED_FRAME_BYTES, readStamp, stampFrame, syntheticFrame } from './frames.js';
import { framesDir } from './paths.js';
import { planReplay, POINTER_INTERVAL_MS } from './replay-plan.js';

describe('recorded frames', () => {
  it('round-trip through the recording format', () => {
    const frames = [
      { atMs: 0, kind: FrameKind.Keyframe, bytes: syntheticFrame(FrameKind.Keyframe, 5000) },
      { atMs: 17, kind: FrameKind.Delta, bytes: syntheticFrame(FrameKind.Delta, 120) },
      { atMs: 40, kind: FrameKind.Volatile, bytes: syntheticFrame(FrameKind.Volatile, 17) },
    ];
    const decoded = decodeRecording(encodeRecording(frames));
    expect(decoded.map((f) => [f.atMs, f.kind, Buffer.compare(f.bytes, frames[decoded.indexOf(f)]!.bytes)])).toEqual([
      [0, FrameKind.Keyframe, 0],
      [17, FrameKind.Delta, 0],
      [40, FrameKind.Volatile, 0],
    ]);
  });

  it('refuses a truncated recording', () => {
    const data = encodeRecording([{ atMs: 0, kind: FrameKind.Delta, bytes: syntheticFrame(FrameKind.Delta, 100) }]);
    expect(() => decodeRecording(data.subarray(0, data.length - 1), 'cut.bin')).toThrow(/cut\.bin: bad frame record/);
  });

  it('the committed recordings are page frames our relay accepts, each starting with a keyframe', () => {
    const recordings = loadRecordings(framesDir());
    expect(recordings.length).toBeGreaterThanOrEqual(4);
    for (const recording of recordings) {
      expect(recording.frames[0]!.kind, recording.name).toBe(FrameKind.Keyframe);
      for (const frame of recording.frames) {
        expect(typeof readFrameHeader(frame.bytes), `${recording.name}: a frame with a bad header`).toBe('object');
        expect(frame.bytes.length).toBeGreaterThanOrEqual(MIN_STAMPED_FRAME_BYTES);
      }
    }
    const pools = framePools(recordings);
    const total = [...pools.keyframes, ...pools.deltas, ...pools.volatiles].reduce((sum, f) => sum + f.length, 0);
    expect(total).toBeLessThan(1024 * 1024);
  });

  it('a stamp carries the sequence number and the send time through unchanged bytes', () => {
    const frame = syntheticFrame(FrameKind.Delta, 100);
    stampFrame(frame, FrameKind.Keyframe, 70_000, 1234.5678);
    const header = readFrameHeader(frame);
    expect(header).toEqual({ kind: FrameKind.Keyframe, flags: 1, seq: 70_000 });
    expect(readStamp(frame)).toBe(1234.5678);
  });
});

describe('replay plan', () => {
  it('plays the recordings at the target bit rate, pointer at most every 40 ms, each scene from its keyframe', () => {
    const plan = planReplay(loadRecordings(framesDir()), 50_000);
    expect(Math.abs(plan.bitsPerSecond / 50_000 - 1)).toBeLessThan(0.01);
    for (const scene of plan.scenes) {
      expect(scene.events[0]!.kind).toBe(FrameKind.Keyframe);
      let lastPointer = Number.NEGATIVE_INFINITY;
      for (const event of scene.events) {
        if (event.kind !== FrameKind.Volatile) continue;
        expect(event.atMs - lastPointer).toBeGreaterThanOrEqual(POINTER_INTERVAL_MS);
        lastPointer = event.atMs;
      }
    }
  });

  it('a lower target plays the same frames more slowly', () => {
    const recordings = loadRecordings(framesDir());
    const fast = planReplay(recordings, 50_000);
    const slow = planReplay(recordings, 10_000);
    expect(slow.timeScale).toBeLessThan(fast.timeScale);
    expect(Math.abs(slow.bitsPerSecond / 10_000 - 1)).toBeLessThan(0.01);
  });
});
