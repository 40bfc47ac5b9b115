/**
 * The benchmark's machinery end to end, small: the server and the bare relay in their own
 * processes, the generator in its own, a few sessions of each traffic kind. Asserts what
 * the benchmark relies on (every frame delivered, latency measured, no error), not speed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeneratorProcess } from './generator-process.js';
import type { RelayTarget, TrafficSpec } from './generator-protocol.js';
import { Histogram } from './histogram.js';
import { startBackgroundLoad } from './load.js';
import { framesDir } from './paths.js';
import { sleep, startRelay, type RelayUnderTest } from './relay-under-test.js';
import { DRAIN_MS } from './run-helpers.js';
import { startServerProcess, type ServerProcess } from './server-process.js';
import { signIn } from './tickets.js';

async function drive(target: RelayTarget, traffic: TrafficSpec, sessions: number, ms: number, maxInflightBytes?: number) {
  const generator = await GeneratorProcess.spawn(sessions);
  try {
    const ready = await generator.start({
      target,
      sessions,
      keyPrefix: 'test',
      traffic,
      framesDir: framesDir(),
      connectConcurrency: 8,
      connectTimeoutMs: 20_000,
      seed: 5,
      ...(maxInflightBytes !== undefined ? { maxInflightBytes } : {}),
    });
    await generator.begin();
    await sleep(ms);
    await generator.pause();
    await sleep(DRAIN_MS);
    return { ready, final: await generator.stop() };
  } finally {
    await generator.kill();
  }
}

describe.each(['opencobrowse', 'bare'] as const)('load generator against %s', (kind) => {
  let relay: RelayUnderTest;
  beforeAll(async () => {
    relay = await startRelay(kind, { sessions: 50, relayConfig: { maxFramesPerSecond: 10_000_000 } });
  });
  afterAll(() => relay?.stop());

  it('replayed sessions: every frame reaches its agent, with a latency, and nothing fails', async () => {
    const { ready, final } = await drive(relay.target, { mode: 'replay', bitsPerSecond: 50_000 }, 20, 3_000);
    expect(ready.sessions).toBe(20);
    expect(final.framesSent).toBeGreaterThan(20);
    expect(final.framesReceived).toBe(final.framesSent);
    expect(Histogram.from(final.latency).count).toBe(final.framesReceived);
    expect(final.inflightFrames).toBe(0);
    expect(final.sessionsScheduled).toBe(20);
    expect(final.errors).toMatchObject({ connectFailed: 0, unexpectedCloses: {}, socketErrors: 0, serverErrors: 0 });
  });

  it('saturating sessions: the window keeps frames flowing and all of them arrive', async () => {
    const { final } = await drive(relay.target, { mode: 'saturate', frameBytes: 1024, windowBytes: 64 * 1024 }, 4, 1_500);
    expect(final.framesReceived).toBeGreaterThan(1000);
    expect(final.framesReceived).toBe(final.framesSent);
    expect(final.errors.unexpectedCloses).toEqual({});
  });

  it('stops sending and says so when more is in flight than the overload bound', async () => {
    // A bound below one keyframe: the first frame already trips it.
    const { final } = await drive(relay.target, { mode: 'replay', bitsPerSecond: 50_000 }, 5, 3_000, 1_000);
    expect(final.errors.overloaded).toBe(true);
    expect(final.framesSent).toBe(1);
  });
});

describe('background load', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess();
  });
  afterAll(() => server?.stop());

  const liveKeys = async () => {
    const cookie = await signIn(server.baseUrl, server.username, server.password);
    const body = (await (await fetch(`${server.baseUrl}/api/sessions`, { headers: { cookie } })).json()) as { sessions: Array<{ key: string }> };
    return body.sessions.map((session) => session.key).sort();
  };

  it('runs sessions on a server it is only given the URL and a login of, and ends them when stopped', async () => {
    const load = await startBackgroundLoad({ serverUrl: server.baseUrl, sessions: 3, keyPrefix: 'bg', credentials: { username: server.username, password: server.password } });
    expect(load.connected).toBe(3);
    expect(await liveKeys()).toEqual(['bg-0', 'bg-1', 'bg-2']);
    // Sessions start at random points of the first few seconds, as visitors would.
    for (let i = 0; i < 100 && (await load.stats()).latency.count < 10; i++) await sleep(200);
    const stats = await load.stop();
    expect(stats.deliveredFramesPerSecond).toBeGreaterThan(0);
    expect(stats.errors.total).toBe(0);
    expect(stats.latency.count).toBeGreaterThan(0);
    expect(await liveKeys()).toEqual([]);
    expect(await load.stop()).toBe(stats);
  });

  it('says why when it cannot get a ticket', async () => {
    await expect(startBackgroundLoad({ serverUrl: server.baseUrl, sessions: 1, credentials: { username: server.username, password: 'wrong' } })).rejects.toThrow(/sign-in as demo .* failed: HTTP/);
  });
});
