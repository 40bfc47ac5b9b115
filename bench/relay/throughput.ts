/**
 * Relay throughput: a few sessions whose visitors send frames of one size as fast as the
 * relay delivers them (each keeping a bounded number of bytes in flight), measured at the
 * agents over fixed windows after a warm-up; the median window is the result. Run for our
 * server and for the bare `ws` relay, each in a fresh process.
 */
import { GeneratorProcess } from './generator-process.js';
import { Histogram } from './histogram.js';
import { framesDir } from './paths.js';
import { ProcMonitor } from './proc-stats.js';
import type { RelayConfig } from '../../src/server/relay/types.js';
import { endWindow, sleep, startRelay, startWindow, type RelayKind } from './relay-under-test.js';
import type { ThroughputRun, ThroughputWindow } from './results.js';
import { DRAIN_MS, median, summariseErrors } from './run-helpers.js';

/** Options of one throughput run. */
export interface ThroughputOptions {
  frameBytes: number;
  sessions: number;
  /** Bytes in flight per visitor. */
  windowBytes: number;
  warmupMs: number;
  windowMs: number;
  windows: number;
  /** Relay limits for our server that differ from the defaults. */
  relayConfig?: Partial<RelayConfig>;
  /** Profile the relay with `node --cpu-prof` into this folder. */
  cpuProfileDir?: string;
}

/** The in-flight window for a frame size: 256 frames, within 32 KiB – 1 MiB. */
export function defaultWindowBytes(frameBytes: number): number {
  return Math.min(1024 * 1024, Math.max(32 * 1024, frameBytes * 256));
}

/** One throughput run and its latency samples (to combine runs). */
export interface ThroughputMeasurement {
  run: ThroughputRun;
  latency: Histogram;
}

/**
 * One result from several runs of the same relay and size (interleaved with the other
 * relay's, so that a machine whose load drifts affects both alike): all their windows,
 * medians over them.
 */
export function combineThroughput(measurements: readonly ThroughputMeasurement[]): ThroughputRun {
  const first = measurements[0];
  if (!first) throw new Error('no throughput run to combine');
  const windows = measurements.flatMap((m) => m.run.windows);
  const latency = new Histogram();
  for (const m of measurements) latency.add(m.latency.toData());
  const unexpectedCloses: Record<string, number> = {};
  for (const m of measurements) for (const [key, count] of Object.entries(m.run.errors.unexpectedCloses)) unexpectedCloses[key] = (unexpectedCloses[key] ?? 0) + count;
  const sum = (pick: (run: ThroughputRun) => number) => measurements.reduce((total, m) => total + pick(m.run), 0);
  return {
    ...first.run,
    messagesPerSecond: median(windows.map((w) => w.messagesPerSecond)),
    megabytesPerSecond: median(windows.map((w) => w.megabytesPerSecond)),
    relayCores: median(windows.map((w) => w.relayCores)),
    generatorCores: median(windows.map((w) => w.generatorCores)),
    otherCores: median(windows.map((w) => w.otherCores)),
    windows,
    latency: latency.summary(),
    relayMicrosPerMessage: median(windows.map((w) => (w.relayCores * 1e6) / w.messagesPerSecond)),
    relayPeakRssBytes: Math.max(...measurements.map((m) => m.run.relayPeakRssBytes)),
    needKeyframe: sum((run) => run.needKeyframe),
    errors: {
      total: sum((run) => run.errors.total),
      connectFailed: sum((run) => run.errors.connectFailed),
      unexpectedCloses,
      socketErrors: sum((run) => run.errors.socketErrors),
      serverErrors: sum((run) => run.errors.serverErrors),
      undeliveredFrames: sum((run) => run.errors.undeliveredFrames),
      overloaded: measurements.some((m) => m.run.errors.overloaded),
      samples: measurements.flatMap((m) => m.run.errors.samples).slice(0, 10),
    },
  };
}

/** Saturates `relay` with frames of `options.frameBytes` and measures what reaches the agents. */
export async function runThroughput(relay: RelayKind, options: ThroughputOptions): Promise<ThroughputMeasurement> {
  const server = await startRelay(relay, {
    sessions: options.sessions,
    ...(relay === 'opencobrowse' && options.relayConfig ? { relayConfig: options.relayConfig } : {}),
    ...(options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {}),
  });
  let generator: GeneratorProcess | undefined;
  let monitor: ProcMonitor | undefined;
  try {
    generator = await GeneratorProcess.spawn(options.sessions);
    const ready = await generator.start({
      target: server.target,
      sessions: options.sessions,
      keyPrefix: `tp-${options.frameBytes}`,
      traffic: { mode: 'saturate', frameBytes: options.frameBytes, windowBytes: options.windowBytes },
      framesDir: framesDir(),
      connectConcurrency: 16,
      connectTimeoutMs: 20_000,
      seed: 1,
    });
    if (ready.sessions === 0) throw new Error(`no session could be set up: ${ready.errors.samples.join('; ')}`);
    monitor = new ProcMonitor(server.pid);
    await generator.begin();
    await sleep(options.warmupMs);
    await generator.snapshot(true);
    monitor.resetPeak();
    const windows: ThroughputWindow[] = [];
    const latency = new Histogram();
    let needKeyframe = 0;
    for (let i = 0; i < options.windows; i++) {
      const start = startWindow(server.pid, generator);
      await sleep(options.windowMs);
      const { snapshot, cpu } = await endWindow(start, server.pid, generator);
      const seconds = snapshot.elapsedMs / 1000;
      windows.push({
        messagesPerSecond: snapshot.framesReceived / seconds,
        megabytesPerSecond: snapshot.bytesReceived / 1e6 / seconds,
        relayCores: cpu.relay,
        generatorCores: cpu.generator,
        otherCores: cpu.other,
      });
      latency.add(snapshot.latency);
      needKeyframe += snapshot.needKeyframe;
    }
    await generator.pause();
    await sleep(DRAIN_MS);
    const final = await generator.stop();
    const messagesPerSecond = median(windows.map((w) => w.messagesPerSecond));
    const relayCores = median(windows.map((w) => w.relayCores));
    const run: ThroughputRun = {
      relay,
      frameBytes: options.frameBytes,
      sessions: ready.sessions,
      windowBytes: options.windowBytes,
      messagesPerSecond,
      megabytesPerSecond: median(windows.map((w) => w.megabytesPerSecond)),
      relayCores,
      generatorCores: median(windows.map((w) => w.generatorCores)),
      otherCores: median(windows.map((w) => w.otherCores)),
      windows,
      latency: latency.summary(),
      relayMicrosPerMessage: median(windows.map((w) => (w.relayCores * 1e6) / w.messagesPerSecond)),
      relayPeakRssBytes: monitor.peakRssBytes,
      needKeyframe,
      errors: summariseErrors(final.errors, final),
    };
    return { run, latency };
  } finally {
    monitor?.stop();
    await generator?.kill();
    await server.stop();
  }
}
