/**
 * The load generator in this process against the bare relay, also in this process: a
 * generator whose event loop is held up must say how far behind its schedule it fell
 * (instead of sending the backlog in one go or going silent), and still deliver every frame.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBareRelay, type BareRelay } from './bare-relay.js';
import { LoadGenerator } from './generator.js';
import { framesDir } from './paths.js';
import { drain } from './run-helpers.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Hold the event loop, as a generator short of CPU would be held.
  }
}

describe('load generator schedule', () => {
  let relay: BareRelay;
  beforeAll(async () => {
    relay = await startBareRelay();
  });
  afterAll(() => relay?.close());

  it('reports the time it fell behind, keeps answering, and every frame still arrives', async () => {
    const sessions = 20;
    const generator = new LoadGenerator({
      target: { kind: 'bare', wsUrl: `ws://127.0.0.1:${relay.port}` },
      sessions,
      keyPrefix: 'behind',
      traffic: { mode: 'replay', bitsPerSecond: 50_000 },
      framesDir: framesDir(),
      connectConcurrency: 4,
      connectTimeoutMs: 10_000,
      seed: 3,
    });
    try {
      expect((await generator.connect()).sessions).toBe(sessions);
      generator.begin();
      // Past the random start offsets (a mean scene, ~5 s) every session plays.
      await sleep(6_000);
      const onTime = generator.snapshot(true);
      expect(onTime.sessionsScheduled).toBe(sessions);
      await sleep(1_000);
      const quiet = generator.snapshot(true);
      // (The loop-delay monitor misses a block in the very callback that reset it.)
      await sleep(100);
      busy(1_500);
      await sleep(500);
      const held = generator.snapshot(true);
      // Held 1.5 s: each session is ~1.5 s behind (a frame > 250 ms late moves its timeline on).
      expect(held.behindMs / (held.elapsedMs * sessions)).toBeGreaterThan(0.5);
      expect(held.loopDelayMaxMs).toBeGreaterThan(1_000);
      expect(quiet.behindMs / (quiet.elapsedMs * sessions)).toBeLessThan(0.2);
      await sleep(1_000);
      // It plays on from where it was, not catching up with a burst: no longer behind.
      const after = generator.snapshot(true);
      expect(after.behindMs / (after.elapsedMs * sessions)).toBeLessThan(0.2);
      generator.pause();
      await drain(async () => generator.snapshot(false).inflightFrames);
      const final = await generator.stop();
      expect(final.framesReceived).toBe(final.framesSent);
      expect(final.errors).toMatchObject({
        connectFailed: 0,
        unexpectedCloses: {},
        socketErrors: 0,
        overloaded: false,
      });
    } finally {
      await generator.stop();
    }
  }, 30_000);
});
