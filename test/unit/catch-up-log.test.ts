import { describe, expect, it } from 'vitest';
import { CatchUpLog } from '../../src/server/relay/catch-up-log.js';

const frame = (size: number, fill = 0) => new Uint8Array(size).fill(fill);

describe('catch-up log', () => {
  it('[JN3] serves the keyframe and then every delta in order', () => {
    const log = new CatchUpLog(1000);
    const keyframe = frame(10, 1);
    const d1 = frame(5, 2);
    const d2 = frame(5, 3);
    log.setKeyframe(keyframe, 1);
    log.append(d1);
    log.append(d2);
    expect(log.framesFor()).toEqual([keyframe, d1, d2]);
    expect(log.lastSeq).toBe(3);
  });

  it('[JN4] serves only the frames after afterSeq when it holds them all', () => {
    const log = new CatchUpLog(1000);
    log.setKeyframe(frame(10), 5);
    const d6 = frame(1, 6);
    const d7 = frame(1, 7);
    log.append(d6);
    log.append(d7);
    expect(log.framesFor(6)).toEqual([d7]);
    expect(log.framesFor(7)).toEqual([]);
    // Before this keyframe or beyond the log: start over from the keyframe.
    expect(log.framesFor(3)?.length).toBe(3);
    expect(log.framesFor(99)?.length).toBe(3);
  });

  it('[LG1] a keyframe replaces the log', () => {
    const log = new CatchUpLog(1000);
    log.setKeyframe(frame(10), 1);
    log.append(frame(5));
    const second = frame(20, 9);
    log.setKeyframe(second, 3);
    expect(log.framesFor()).toEqual([second]);
    expect(log.bytes).toBe(20);
  });

  it('[LG2] says when deltas pass the budget and stops logging at twice the budget', () => {
    const log = new CatchUpLog(100);
    log.setKeyframe(frame(10), 1);
    expect(log.append(frame(60))).toBe('logged');
    expect(log.append(frame(60))).toBe('over-budget');
    expect(log.servable).toBe(true);
    expect(log.append(frame(100))).toBe('not-logged');
    expect(log.servable).toBe(false);
    expect(log.framesFor()).toBeNull();
    expect(log.bytes).toBe(10);
    log.setKeyframe(frame(10), 9);
    expect(log.servable).toBe(true);
  });

  it('[JN3] has nothing to serve before the first keyframe', () => {
    const log = new CatchUpLog(100);
    expect(log.append(frame(5))).toBe('not-logged');
    expect(log.framesFor()).toBeNull();
  });

  it('[SS8] releases everything when cleared', () => {
    const log = new CatchUpLog(100);
    log.setKeyframe(frame(1000), 1);
    log.append(frame(50));
    log.clear();
    expect(log.bytes).toBe(0);
    expect(log.framesFor()).toBeNull();
  });

  it('[LG1] keeps frames that arrived as views into a socket read buffer as bytes of their own, so the budget is the memory held', () => {
    const log = new CatchUpLog(1000);
    // What ws hands over for messages that came in one 64 KiB socket read.
    const read = new Uint8Array(64 * 1024).fill(9);
    const keyframe = read.subarray(100, 140);
    const delta = read.subarray(200, 210);
    log.setKeyframe(keyframe, 1);
    log.append(delta);
    const [storedKeyframe, storedDelta] = log.framesFor()!;
    expect(storedKeyframe).toEqual(keyframe);
    expect(storedDelta).toEqual(delta);
    expect(storedKeyframe!.buffer.byteLength).toBe(40);
    expect(storedDelta!.buffer.byteLength).toBe(10);
    // A frame that owns its bytes already is kept as it is (no copy).
    const whole = frame(8, 4);
    log.append(whole);
    expect(log.framesFor()![2]).toBe(whole);
  });
});
