/**
 * Memory per idle session: the server's RSS with a baseline of idle sessions (which also
 * warms it up), then with many more; every session sent one recorded keyframe (held in its
 * catch-up log, [LG1]) and nothing else. Per session = RSS difference / added sessions.
 */
import { GeneratorProcess } from './generator-process.js';
import { framesDir } from './paths.js';
import { sampleProcess } from './proc-stats.js';
import { sleep, startRelay } from './relay-under-test.js';
import type { IdleMemoryResult } from './results.js';
import { summariseErrors } from './run-helpers.js';
import type { RelayTarget } from './generator-protocol.js';

/** Options of the idle-memory run. */
export interface IdleMemoryOptions {
  baselineSessions: number;
  sessions: number;
  /** Quiet time before reading RSS, ms. */
  settleMs: number;
}

/** RSS once it stops moving (two readings 1 s apart within 1 %), at most `maxMs`. */
async function settledRss(pid: number, minMs: number, maxMs = 20_000): Promise<number> {
  await sleep(minMs);
  const deadline = Date.now() + maxMs;
  let previous = sampleProcess(pid).rssBytes;
  for (;;) {
    await sleep(1_000);
    const current = sampleProcess(pid).rssBytes;
    if (Math.abs(current - previous) <= previous * 0.01 || Date.now() > deadline) return current;
    previous = current;
  }
}

async function idleGenerator(target: RelayTarget, sessions: number, prefix: string): Promise<{ generator: GeneratorProcess; ready: Awaited<ReturnType<GeneratorProcess['start']>> }> {
  const generator = await GeneratorProcess.spawn(sessions);
  const ready = await generator.start({
    target,
    sessions,
    keyPrefix: prefix,
    traffic: { mode: 'idle' },
    framesDir: framesDir(),
    connectConcurrency: 64,
    connectTimeoutMs: 30_000,
    seed: 3,
  });
  await generator.begin();
  return { generator, ready };
}

/** Measures the memory of idle sessions on our server. */
export async function runIdleMemory(options: IdleMemoryOptions): Promise<IdleMemoryResult> {
  const server = await startRelay('opencobrowse', { sessions: options.baselineSessions + options.sessions });
  const generators: GeneratorProcess[] = [];
  try {
    const baseline = await idleGenerator(server.target, options.baselineSessions, 'idle-base');
    generators.push(baseline.generator);
    const baselineRssBytes = await settledRss(server.pid, options.settleMs);
    const measured = await idleGenerator(server.target, options.sessions, 'idle');
    generators.push(measured.generator);
    const rssBytes = await settledRss(server.pid, options.settleMs);
    const snapshot = await measured.generator.snapshot(false);
    const meanKeyframeBytes = snapshot.framesSent > 0 ? snapshot.bytesSent / snapshot.framesSent : 0;
    const finals = [await baseline.generator.stop(), await measured.generator.stop()];
    const perSessionBytes = (rssBytes - baselineRssBytes) / Math.max(1, measured.ready.sessions);
    const [first, second] = [finals[0]!.errors, finals[1]!.errors];
    const unexpectedCloses: Record<string, number> = { ...first.unexpectedCloses };
    for (const [key, count] of Object.entries(second.unexpectedCloses)) unexpectedCloses[key] = (unexpectedCloses[key] ?? 0) + count;
    const errors = summariseErrors(
      {
        connectFailed: first.connectFailed + second.connectFailed,
        unexpectedCloses,
        socketErrors: first.socketErrors + second.socketErrors,
        serverErrors: first.serverErrors + second.serverErrors,
        overloaded: false,
        samples: [...first.samples, ...second.samples],
      },
      null,
    );
    return {
      baselineSessions: baseline.ready.sessions,
      baselineRssBytes,
      sessions: measured.ready.sessions,
      rssBytes,
      perSessionBytes,
      meanKeyframeBytes,
      perSessionOverheadBytes: perSessionBytes - meanKeyframeBytes,
      errors,
    };
  } finally {
    for (const generator of generators) await generator.kill();
    await server.stop();
  }
}
