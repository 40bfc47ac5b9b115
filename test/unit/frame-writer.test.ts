import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FrameWriter } from '../../src/visitor/engine/frame-writer.js';
import { FrameFlag, FrameKind, framePayload, readFrameHeader, type FrameHeader } from '../../src/shared/protocol/frame.js';

interface Sent {
  header: FrameHeader;
  text: string;
}

/** A writer whose frames are decoded (header read, payload inflated) as they leave. */
function writer(options: { deflate?: boolean } = {}) {
  const sent: Sent[] = [];
  const errors: unknown[] = [];
  const frameWriter = new FrameWriter({
    ...options,
    send(frame, kind, seq) {
      const header = readFrameHeader(frame);
      if (typeof header === 'string') throw new Error(`bad frame: ${header}`);
      expect(header.kind).toBe(kind);
      expect(header.seq).toBe(seq);
      const payload = framePayload(frame);
      const bytes = header.flags & FrameFlag.Deflate ? inflateRawSync(payload) : Buffer.from(payload);
      sent.push({ header, text: bytes.toString('utf8') });
    },
    report: (error) => errors.push(error),
  });
  return { frameWriter, sent, errors };
}

/** A JSON array text of about `bytes` bytes. */
function payload(bytes: number, tag = 'x'): string {
  return JSON.stringify([1, tag.repeat(Math.max(1, bytes - 10))]);
}

describe('[FR1] frame writer: framing and compression', () => {
  it('sends a small delta as it is: flags 0, the payload text unchanged', async () => {
    const { frameWriter, sent } = writer();
    frameWriter.start(1);
    frameWriter.delta('[4,7,"hi"]');
    await frameWriter.idle();
    expect(sent).toEqual([{ header: { kind: FrameKind.Delta, flags: 0, seq: 1 }, text: '[4,7,"hi"]' }]);
  });

  it('compresses a delta above 1 KB with raw DEFLATE and flags it', async () => {
    const { frameWriter, sent } = writer();
    frameWriter.start(1);
    const text = payload(5000);
    frameWriter.delta(text);
    await frameWriter.idle();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.header.flags).toBe(FrameFlag.Deflate);
    expect(sent[0]!.text).toBe(text);
  });

  it('streams keyframe pieces into one compressed frame equal to their concatenation', async () => {
    const { frameWriter, sent } = writer();
    frameWriter.start(1);
    const pieces = ['[12,"http://x/","t",7,1280,800,1,0,0,1', ',' + JSON.stringify('a'.repeat(3000)), ',"b"', ']'];
    for (let i = 0; i < pieces.length; i++) frameWriter.keyframePiece(pieces[i]!, i === pieces.length - 1);
    await frameWriter.idle();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.header).toEqual({ kind: FrameKind.Keyframe, flags: FrameFlag.Deflate, seq: 1 });
    expect(sent[0]!.text).toBe(pieces.join(''));
    expect(() => JSON.parse(sent[0]!.text) as unknown).not.toThrow();
  });

  it('sends a keyframe of 1 KB or less uncompressed, even in pieces', async () => {
    const { frameWriter, sent } = writer();
    frameWriter.start(1);
    frameWriter.keyframePiece('[12,"u","t"', false);
    frameWriter.keyframePiece(',7,10,10]', true);
    await frameWriter.idle();
    expect(sent).toEqual([{ header: { kind: FrameKind.Keyframe, flags: 0, seq: 1 }, text: '[12,"u","t",7,10,10]' }]);
  });

  it('without CompressionStream support, sends large payloads uncompressed', async () => {
    const { frameWriter, sent } = writer({ deflate: false });
    frameWriter.start(1);
    const text = payload(5000);
    frameWriter.delta(text);
    frameWriter.keyframePiece(text, true);
    await frameWriter.idle();
    expect(sent.map((s) => s.header.flags)).toEqual([0, 0]);
    expect(sent.map((s) => s.text)).toEqual([text, text]);
  });
});

describe('[FR5] frame writer: order and sequence numbers', () => {
  it('numbers keyframes and deltas consecutively from the welcome nextSeq', async () => {
    const { frameWriter, sent } = writer();
    frameWriter.start(41);
    frameWriter.keyframePiece('[1]', true);
    frameWriter.delta('[2]');
    frameWriter.delta('[3]');
    await frameWriter.idle();
    expect(sent.map((s) => [s.header.kind, s.header.seq, s.text])).toEqual([
      [FrameKind.Keyframe, 41, '[1]'],
      [FrameKind.Delta, 42, '[2]'],
      [FrameKind.Delta, 43, '[3]'],
    ]);
    expect(frameWriter.nextSeq).toBe(44);
  });

  it('keeps the recorder order when a big keyframe compresses longer than the small deltas after it', async () => {
    const { frameWriter, sent } = writer();
    frameWriter.start(1);
    const big = payload(2_000_000, 'k');
    frameWriter.keyframePiece(big.slice(0, 1_000_000), false);
    frameWriter.keyframePiece(big.slice(1_000_000), true);
    const medium = payload(3000, 'd');
    frameWriter.delta(medium);
    frameWriter.delta('[5,1,"a","c"]');
    await frameWriter.idle();
    expect(sent.map((s) => [s.header.kind, s.header.seq])).toEqual([
      [FrameKind.Keyframe, 1],
      [FrameKind.Delta, 2],
      [FrameKind.Delta, 3],
    ]);
    expect(sent.map((s) => s.text)).toEqual([big, medium, '[5,1,"a","c"]']);
  });

  it('restart drops queued deltas, keeps keyframes and renumbers from the new nextSeq', async () => {
    const { frameWriter, sent } = writer();
    frameWriter.start(10);
    frameWriter.keyframePiece(payload(200_000, 'k'), true);
    frameWriter.delta(payload(5000, 'd')); // still compressing when the server asks for a keyframe
    frameWriter.restart(3);
    frameWriter.keyframePiece('[9]', true);
    frameWriter.delta('[10]');
    await frameWriter.idle();
    expect(sent.map((s) => [s.header.kind, s.header.seq])).toEqual([
      [FrameKind.Keyframe, 3],
      [FrameKind.Keyframe, 4],
      [FrameKind.Delta, 5],
    ]);
  });

  it('close discards what is queued and ignores later payloads', async () => {
    const { frameWriter, sent } = writer();
    frameWriter.start(1);
    frameWriter.delta(payload(5000));
    frameWriter.close();
    frameWriter.delta('[1]');
    frameWriter.volatile('[8,1,1]');
    await frameWriter.idle();
    expect(sent).toEqual([]);
  });
});

describe('[PS9] frame writer: volatile pointer frames', () => {
  it('holds the pointer until the first keyframe has left, then sends only the latest', async () => {
    const { frameWriter, sent } = writer();
    frameWriter.start(1);
    frameWriter.volatile('[8,1,1]');
    frameWriter.volatile('[8,2,2]');
    expect(sent).toEqual([]);
    frameWriter.keyframePiece('[1]', true);
    await frameWriter.idle();
    expect(sent.map((s) => [s.header.kind, s.header.seq, s.text])).toEqual([
      [FrameKind.Keyframe, 1, '[1]'],
      [FrameKind.Volatile, 0, '[8,2,2]'],
    ]);
  });

  it('sends the pointer at once, uncompressed with seq 0, while a later keyframe is still compressing', async () => {
    const { frameWriter, sent } = writer();
    frameWriter.start(1);
    frameWriter.keyframePiece('[1]', true);
    await frameWriter.idle();
    frameWriter.keyframePiece(payload(2_000_000, 'k'), true);
    frameWriter.volatile('[8,5,6]');
    expect(sent.at(-1)).toEqual({ header: { kind: FrameKind.Volatile, flags: 0, seq: 0 }, text: '[8,5,6]' });
    await frameWriter.idle();
    expect(sent.map((s) => [s.header.kind, s.header.seq])).toEqual([
      [FrameKind.Keyframe, 1],
      [FrameKind.Volatile, 0],
      [FrameKind.Keyframe, 2],
    ]);
  });

  it('a throwing send is reported and the frames after it still leave', async () => {
    const errors: unknown[] = [];
    const seqs: number[] = [];
    const frameWriter = new FrameWriter({
      send(_frame, _kind, seq) {
        seqs.push(seq);
        if (seq === 1) throw new Error('socket gone');
      },
      report: (error) => errors.push(error),
    });
    frameWriter.start(1);
    frameWriter.delta('[1]');
    frameWriter.delta('[2]');
    await frameWriter.idle();
    expect(seqs).toEqual([1, 2]);
    expect(errors).toHaveLength(1);
  });
});
