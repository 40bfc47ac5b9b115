/**
 * The viewer's frame reader: page frames from the socket become tokens for the mirror, in
 * order, once each. Real DEFLATE (node:zlib) against the platform's DecompressionStream.
 */
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FrameReader, FrameReadError, type FrameSink } from '../../src/agent/viewer/frame-reader.js';
import { FrameFlag, FrameKind, encodeFrame } from '../../src/shared/protocol/frame.js';
import { Op, type Token } from '../../src/shared/dom/format.js';

type Applied = ['keyframe' | 'delta', number, Token[]] | ['volatile', Token[]];

function setup(options: { maxInflatedBytes?: number; sink?: Partial<FrameSink> } = {}) {
  const applied: Applied[] = [];
  const errors: FrameReadError[] = [];
  const reader = new FrameReader({
    sink: {
      keyframe: (tokens, seq) => applied.push(['keyframe', seq, tokens]),
      delta: (tokens, seq) => applied.push(['delta', seq, tokens]),
      volatile: (tokens) => applied.push(['volatile', tokens]),
      ...options.sink,
    },
    onError: (error) => errors.push(error),
    ...(options.maxInflatedBytes === undefined ? {} : { maxInflatedBytes: options.maxInflatedBytes }),
  });
  return { reader, applied, errors };
}

const utf8 = new TextEncoder();

function frame(kind: FrameKind, seq: number, tokens: Token[], compress = false): Uint8Array {
  const json = utf8.encode(JSON.stringify(tokens));
  return compress
    ? encodeFrame(kind, FrameFlag.Deflate, seq, new Uint8Array(deflateRawSync(json)))
    : encodeFrame(kind, 0, seq, json);
}

/** A keyframe big enough that inflating it takes many event-loop turns. */
function bigKeyframeTokens(): Token[] {
  const tokens: Token[] = [Op.Viewport, 1280, 800];
  for (let i = 0; i < 40_000; i++) tokens.push(Op.Text, i, `paragraph ${i} ${'lorem ipsum '.repeat(4)}`);
  return tokens;
}

const seqsOf = (applied: Applied[]) => applied.map((entry) => (entry[0] === 'volatile' ? 'v' : `${entry[0][0]}${entry[1]}`));

describe('frame reader', () => {
  it('[FR1][FR6] applies a compressed keyframe before the uncompressed frames that arrived after it', async () => {
    const { reader, applied, errors } = setup();
    const keyframe = bigKeyframeTokens();
    reader.push(frame(FrameKind.Keyframe, 1, keyframe, true));
    reader.push(frame(FrameKind.Delta, 2, [Op.Text, 7, 'b']));
    reader.push(frame(FrameKind.Volatile, 0, [Op.Pointer, 10, 20]));
    reader.push(frame(FrameKind.Delta, 3, [Op.Text, 7, 'c'], true));
    reader.push(frame(FrameKind.Delta, 4, [Op.Attr, 7, 'class', 'x']));
    await reader.whenIdle();
    expect(errors).toEqual([]);
    expect(seqsOf(applied)).toEqual(['k1', 'd2', 'v', 'd3', 'd4']);
    expect(applied[0]).toEqual(['keyframe', 1, keyframe]);
    expect(applied[3]).toEqual(['delta', 3, [Op.Text, 7, 'c']]);
    expect(reader.lastSeq).toBe(4);
  });

  it('[JN4] skips deltas resent after a resume that were already applied', async () => {
    const { reader, applied, errors } = setup();
    reader.push(frame(FrameKind.Keyframe, 5, [Op.Viewport, 800, 600]));
    reader.push(frame(FrameKind.Delta, 6, [Op.Text, 1, 'a']));
    reader.push(frame(FrameKind.Delta, 7, [Op.Text, 1, 'b'], true));
    // The reconnect overlaps: the server's log replays 6 and 7 before the new 8.
    reader.push(frame(FrameKind.Delta, 6, [Op.Text, 1, 'a']));
    reader.push(frame(FrameKind.Delta, 7, [Op.Text, 1, 'b'], true));
    reader.push(frame(FrameKind.Delta, 8, [Op.Text, 1, 'c']));
    await reader.whenIdle();
    expect(errors).toEqual([]);
    expect(seqsOf(applied)).toEqual(['k5', 'd6', 'd7', 'd8']);
  });

  it('[JN3][PS1] a keyframe resets: it applies whatever came before and later deltas follow it', async () => {
    const { reader, applied, errors } = setup();
    reader.push(frame(FrameKind.Keyframe, 1, [Op.Viewport, 800, 600]));
    reader.push(frame(FrameKind.Delta, 2, [Op.Text, 1, 'a']));
    reader.push(frame(FrameKind.Keyframe, 3, [Op.Viewport, 1024, 768], true));
    reader.push(frame(FrameKind.Delta, 4, [Op.Text, 1, 'b']));
    await reader.whenIdle();
    expect(seqsOf(applied)).toEqual(['k1', 'd2', 'k3', 'd4']);
    // A fresh start after a resume the log could not serve: the keyframe has a lower number
    // than what was applied, and its deltas must not be taken for resends.
    reader.push(frame(FrameKind.Keyframe, 2, [Op.Viewport, 640, 480]));
    reader.push(frame(FrameKind.Delta, 3, [Op.Text, 1, 'c']));
    reader.push(frame(FrameKind.Delta, 4, [Op.Text, 1, 'd']));
    await reader.whenIdle();
    expect(errors).toEqual([]);
    expect(seqsOf(applied)).toEqual(['k1', 'd2', 'k3', 'd4', 'k2', 'd3', 'd4']);
    expect(reader.lastSeq).toBe(4);
  });

  it('[LG3] volatile frames apply in place without moving the sequence number', async () => {
    const { reader, applied } = setup();
    reader.push(frame(FrameKind.Keyframe, 1, [Op.Viewport, 800, 600]));
    reader.push(frame(FrameKind.Volatile, 0, [Op.Pointer, 1, 2]));
    reader.push(frame(FrameKind.Delta, 2, [Op.Text, 1, 'a']));
    reader.push(frame(FrameKind.Volatile, 0, [Op.Pointer, 3, 4], true));
    await reader.whenIdle();
    expect(applied).toEqual([
      ['keyframe', 1, [Op.Viewport, 800, 600]],
      ['volatile', [Op.Pointer, 1, 2]],
      ['delta', 2, [Op.Text, 1, 'a']],
      ['volatile', [Op.Pointer, 3, 4]],
    ]);
    expect(reader.lastSeq).toBe(2);
  });

  it('[JN3] ignores deltas before the first keyframe: there is no page to change yet', async () => {
    const { reader, applied, errors } = setup();
    reader.push(frame(FrameKind.Delta, 3, [Op.Text, 1, 'a']));
    reader.push(frame(FrameKind.Keyframe, 4, [Op.Viewport, 800, 600]));
    await reader.whenIdle();
    expect(errors).toEqual([]);
    expect(seqsOf(applied)).toEqual(['k4']);
    expect(reader.lastSeq).toBe(4);
  });

  const badFrames: Array<[string, () => Uint8Array, string]> = [
    ['a header shorter than 6 bytes', () => new Uint8Array([2, 0, 0]), 'header'],
    ['an unknown kind', () => encodeFrame(9 as FrameKind, 0, 2, utf8.encode('[]')), 'header'],
    ['unknown flags', () => encodeFrame(FrameKind.Delta, 4, 2, utf8.encode('[]')), 'header'],
    ['a payload flagged DEFLATE that is not', () => encodeFrame(FrameKind.Delta, FrameFlag.Deflate, 2, utf8.encode('[4,1,"a"]')), 'inflate'],
    ['a payload that is not JSON', () => encodeFrame(FrameKind.Delta, 0, 2, utf8.encode('[4,1,')), 'json'],
    ['a payload that is not an array', () => encodeFrame(FrameKind.Delta, 0, 2, utf8.encode('{"op":4}')), 'json'],
    ['a delta after a gap in the numbers', () => frame(FrameKind.Delta, 4, [Op.Text, 1, 'x']), 'gap'],
  ];

  for (const [what, make, failure] of badFrames) {
    it(`[FR1][FR5] reports ${what} once and applies nothing more until reset`, async () => {
      const { reader, applied, errors } = setup();
      reader.push(frame(FrameKind.Keyframe, 1, [Op.Viewport, 800, 600]));
      reader.push(make());
      reader.push(frame(FrameKind.Delta, 2, [Op.Text, 1, 'after']));
      reader.push(frame(FrameKind.Volatile, 0, [Op.Pointer, 1, 1]));
      await reader.whenIdle();
      expect(seqsOf(applied)).toEqual(['k1']);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(FrameReadError);
      expect(errors[0]!.failure).toBe(failure);
      expect(errors[0]!.message).not.toBe('');
      expect(reader.failed).toBe(true);
      expect(reader.lastSeq).toBeNull(); // a resume must not trust what was applied

      // The owner starts over: the server sends the keyframe and the deltas again.
      reader.reset();
      reader.push(frame(FrameKind.Keyframe, 1, [Op.Viewport, 800, 600], true));
      reader.push(frame(FrameKind.Delta, 2, [Op.Text, 1, 'after']));
      await reader.whenIdle();
      expect(seqsOf(applied)).toEqual(['k1', 'k1', 'd2']);
      expect(errors).toHaveLength(1);
      expect(reader.lastSeq).toBe(2);
    });
  }

  it('[PS1] reports a frame the mirror throws on, with its sequence number', async () => {
    const { reader, errors } = setup({
      sink: {
        delta: () => {
          throw new Error('unknown operation 99 at 0');
        },
      },
    });
    reader.push(frame(FrameKind.Keyframe, 1, []));
    reader.push(frame(FrameKind.Delta, 2, [99]));
    await reader.whenIdle();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.failure).toBe('apply');
    expect(errors[0]!.seq).toBe(2);
    expect(errors[0]!.message).toContain('unknown operation 99');
  });

  it('refuses a payload that inflates beyond the limit instead of filling memory', async () => {
    const { reader, applied, errors } = setup({ maxInflatedBytes: 1024 * 1024 });
    const bomb = new Uint8Array(deflateRawSync(Buffer.alloc(8 * 1024 * 1024, 0x20)));
    expect(bomb.length).toBeLessThan(16 * 1024);
    reader.push(encodeFrame(FrameKind.Keyframe, FrameFlag.Deflate, 1, bomb));
    await reader.whenIdle();
    expect(applied).toEqual([]);
    expect(errors.map((e) => e.failure)).toEqual(['too-large']);
  });

  it('drops frames still inflating when reset: they belong to the abandoned stream', async () => {
    const { reader, applied, errors } = setup();
    reader.push(frame(FrameKind.Keyframe, 1, bigKeyframeTokens(), true));
    reader.push(frame(FrameKind.Delta, 2, [Op.Text, 1, 'old']));
    reader.reset();
    reader.push(frame(FrameKind.Keyframe, 7, [Op.Viewport, 800, 600]));
    await reader.whenIdle();
    expect(errors).toEqual([]);
    expect(seqsOf(applied)).toEqual(['k7']);
  });
});
