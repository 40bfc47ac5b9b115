/**
 * Many concurrent sessions at a realistic rate: each session (one visitor, one agent
 * socket) replays the recorded frames at ~50 kbit/s with their bursts (replay-plan.ts).
 * Measures relay latency (visitor send → agent receive) of every frame over a window
 * after a warm-up, errors, and the relay's RSS.
 */
import { GeneratorProcess } from './generator-process.js';
import type { GeneratorReady } from './generator-protocol.js';
import { Histogram } from './histogram.js';
import { framesDir } from './paths.js';
import { ProcMonitor, sampleProcess } from './proc-stats.js';
import { endWindow, sleep, startRelay, startWindow, type RelayKind } from './relay-under-test.js';
import type { ConcurrencyRun } from './results.js';
import { drain, median, summariseErrors } from './run-helpers.js';

/** Options of one concurrency run. */
export interface ConcurrencyOptions {
  sessions: number;
  /** Mean page-frame rate per session, bits/s. */
  bitsPerSecond: number;
  warmupMs: number;
  /** The measured window, split into `subWindows` for stability. */
  measureMs: number;
  subWindows: number;
  /** Profile the relay with `node --cpu-prof` into this folder. */
  cpuProfileDir?: string;
  /** Receives a progress line per sub-window. */
  log?: (line: string) => void;
}

/** Server warning lines kept in the result. */
const WARNING_SAMPLES = 5;

/** Runs `options.sessions` realistic sessions through `relay`. */
export async function runConcurrency(relay: RelayKind, options: ConcurrencyOptions): Promise<{ run: ConcurrencyRun; plan: GeneratorReady['plan'] }> {
  const log = options.log;
  const server = await startRelay(relay, { sessions: options.sessions, ...(options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {}) });
  let generator: GeneratorProcess | undefined;
  let monitor: ProcMonitor | undefined;
  try {
    generator = await GeneratorProcess.spawn(options.sessions);
    const ready = await generator.start({
      target: server.target,
      sessions: options.sessions,
      keyPrefix: `cc-${options.sessions}`,
      traffic: { mode: 'replay', bitsPerSecond: options.bitsPerSecond },
      framesDir: framesDir(),
      connectConcurrency: 64,
      connectTimeoutMs: 30_000,
      seed: 7,
    });
    log?.(
      `  ${ready.sessions} of ${options.sessions} sessions set up in ${(ready.connectMs / 1000).toFixed(1)} s`,
    );
    const relayRssConnectedBytes = sampleProcess(server.pid).rssBytes;
    monitor = new ProcMonitor(server.pid);
    await generator.begin();
    await sleep(options.warmupMs);
    await generator.snapshot(true);
    monitor.resetPeak();
    const latency = new Histogram();
    const sendLag = new Histogram();
    const windowP99Ms: number[] = [];
    const cpu = {
      relay: [] as number[],
      generator: [] as number[],
      other: [] as number[],
      relayWaiting: [] as number[],
      generatorWaiting: [] as number[],
    };
    let framesSent = 0;
    let bytesSent = 0;
    let framesReceived = 0;
    let elapsedMs = 0;
    let needKeyframe = 0;
    let behindMs = 0;
    let scheduledMs = 0;
    const windowBehind: number[] = [];
    let loopDelayP99Ms = 0;
    let loopDelayMaxMs = 0;
    const subWindowMs = options.measureMs / options.subWindows;
    for (let i = 0; i < options.subWindows; i++) {
      const start = startWindow(server.pid, generator);
      await sleep(subWindowMs);
      const window = await endWindow(start, server.pid, generator);
      const snapshot = window.snapshot;
      latency.add(snapshot.latency);
      sendLag.add(snapshot.sendLag);
      windowP99Ms.push(Histogram.from(snapshot.latency).quantile(0.99));
      cpu.relay.push(window.cpu.relay);
      cpu.generator.push(window.cpu.generator);
      cpu.other.push(window.cpu.other);
      cpu.relayWaiting.push(window.cpu.relayWaiting);
      cpu.generatorWaiting.push(window.cpu.generatorWaiting);
      framesSent += snapshot.framesSent;
      bytesSent += snapshot.bytesSent;
      framesReceived += snapshot.framesReceived;
      elapsedMs += snapshot.elapsedMs;
      needKeyframe += snapshot.needKeyframe;
      const scheduled = snapshot.elapsedMs * snapshot.sessionsScheduled;
      behindMs += snapshot.behindMs;
      scheduledMs += scheduled;
      windowBehind.push(scheduled > 0 ? Math.max(0, snapshot.behindMs / scheduled) : 0);
      loopDelayP99Ms = Math.max(loopDelayP99Ms, snapshot.loopDelayP99Ms);
      loopDelayMaxMs = Math.max(loopDelayMaxMs, snapshot.loopDelayMaxMs);
      log?.(
        `  window ${i + 1}/${options.subWindows}: p99 ${windowP99Ms[i]!.toFixed(1)} ms, ${Math.round(snapshot.framesReceived / (snapshot.elapsedMs / 1000))} frames/s, ` +
          `generator behind ${(100 * windowBehind[i]!).toFixed(1)} %, loop delay p99 ${snapshot.loopDelayP99Ms.toFixed(1)} ms, ` +
          `cores relay ${window.cpu.relay.toFixed(2)} / generator ${window.cpu.generator.toFixed(2)} / other ${window.cpu.other.toFixed(2)}, ` +
          `waiting for a core: relay ${(100 * window.cpu.relayWaiting).toFixed(0)} % / generator ${(100 * window.cpu.generatorWaiting).toFixed(0)} %`,
      );
    }
    const relayRssPeakBytes = monitor.peakRssBytes;
    const relayRssEndBytes = sampleProcess(server.pid).rssBytes;
    await generator.pause();
    const g = generator;
    await drain(async () => (await g.snapshot(false)).inflightFrames);
    const final = await generator.stop();
    const seconds = elapsedMs / 1000;
    const warnings = server.warnings();
    return {
      plan: ready.plan,
      run: {
        relay,
        sessions: options.sessions,
        connected: ready.sessions,
        connectMs: ready.connectMs,
        measureMs: elapsedMs,
        offeredBitsPerSecondPerSession: (bytesSent * 8) / seconds / Math.max(1, ready.sessions),
        offeredFramesPerSecond: framesSent / seconds,
        deliveredFramesPerSecond: framesReceived / seconds,
        latency: latency.summary(),
        windowP99Ms,
        generatorSendLagP99Ms: sendLag.quantile(0.99),
        askedBitsPerSecondPerSession: ready.plan?.bitsPerSecond ?? options.bitsPerSecond,
        generatorBehindShare: scheduledMs > 0 ? Math.max(0, behindMs / scheduledMs) : 0,
        windowGeneratorBehindShare: windowBehind,
        generatorLoopDelayP99Ms: loopDelayP99Ms,
        generatorLoopDelayMaxMs: loopDelayMaxMs,
        relayRssConnectedBytes,
        relayRssPeakBytes,
        relayRssEndBytes,
        relayCores: median(cpu.relay),
        generatorCores: median(cpu.generator),
        otherCores: median(cpu.other),
        relayWaitingShare: median(cpu.relayWaiting),
        generatorWaitingShare: median(cpu.generatorWaiting),
        needKeyframe,
        errors: summariseErrors(final.errors, final),
        serverWarnings: warnings.length,
        serverWarningSamples: warnings.slice(0, WARNING_SAMPLES),
      },
    };
  } finally {
    monitor?.stop();
    await generator?.kill();
    await server.stop();
  }
}
