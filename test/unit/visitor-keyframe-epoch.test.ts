import { describe, expect, it } from 'vitest';
import { FrameWriter } from '../../src/visitor/engine/frame-writer.js';

describe('[RC7] the keyframe epoch the visitor\'s node ids belong to', () => {
  it('is the sequence number of the last keyframe sent, and unknown while a newer one is on its way', async () => {
    const writer = new FrameWriter({ send: () => {}, report: (error) => { throw error; }, deflate: false });
    writer.start(7);
    expect(writer.keyframeSeq).toBeNull();
    writer.keyframePiece('[1', false);
    expect(writer.keyframeSeq).toBeNull();
    writer.keyframePiece(']', true);
    await writer.idle();
    expect(writer.keyframeSeq).toBe(7);
    writer.delta('[2]');
    writer.keyframePiece('[3]', true);
    // The recorder already uses the new keyframe's ids: nothing may be resolved until it has left.
    expect(writer.keyframeSeq).toBeNull();
    await writer.idle();
    expect(writer.keyframeSeq).toBe(9);
    writer.restart(20);
    writer.keyframePiece('[4]', true);
    await writer.idle();
    expect(writer.keyframeSeq).toBe(20);
  });
});
