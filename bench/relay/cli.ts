/**
 * Command line of the relay benchmark, for working on it without the project's runner
 * (`node bench/relay/dev-run.mjs <command> [options]`):
 *
 *   bench [--parts throughput,concurrency,idle] [--sizes 100,1024,16384] [--sessions 100,1000,5000]
 *         [--no-bare] [--no-profile] [--quick] [--out results.json]
 *                     run the benchmark, print Markdown, optionally write the JSON
 *   load [--sessions 1000] [--seconds 30]
 *                     start a server and a background load on it (startBackgroundLoad), print its stats
 *   profile throughput <frame bytes> | concurrency <sessions> [--bare]
 *                     run one scenario with the relay under `node --cpu-prof`, print where its time went
 *   record            record page frames from real pages into bench/relay/frames/
 */
import { writeFileSync } from 'node:fs';
import { formatRelayResults, runRelayBenchmarks, type RelayBenchmarkOptions, type RelayBenchmarkPart } from './index.js';
import { startBackgroundLoad } from './load.js';
import { runConcurrency } from './concurrency.js';
import { summariseCpuProfile } from './profile.js';
import { recordFrames } from './record-frames.js';
import { defaultWindowBytes, runThroughput } from './throughput.js';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServerProcess } from './server-process.js';

function flag(argv: string[], name: string): string | undefined {
  const index = argv.indexOf(`--${name}`);
  return index >= 0 ? argv[index + 1] : undefined;
}

const numbers = (text: string | undefined) => text?.split(',').map(Number);

async function bench(argv: string[]): Promise<void> {
  const options: RelayBenchmarkOptions = { log: (line) => process.stderr.write(`${line}\n`) };
  const parts = flag(argv, 'parts');
  if (parts) options.parts = parts.split(',') as RelayBenchmarkPart[];
  const sizes = numbers(flag(argv, 'sizes'));
  if (sizes) options.frameSizes = sizes;
  const sessions = numbers(flag(argv, 'sessions'));
  if (sessions) options.sessionCounts = sessions;
  if (argv.includes('--no-bare')) options.concurrencyBare = false;
  if (argv.includes('--no-profile')) options.profileMisses = false;
  if (argv.includes('--quick')) {
    Object.assign(options, { throughputWindows: 3, throughputWindowMs: 2_000, throughputWarmupMs: 2_000, concurrencyWarmupMs: 5_000, concurrencyMeasureMs: 12_000, idleSessions: 500 });
  }
  const results = await runRelayBenchmarks(options);
  process.stdout.write(`${formatRelayResults(results)}\n`);
  const out = flag(argv, 'out');
  if (out) writeFileSync(out, JSON.stringify(results, null, 2));
}

async function load(argv: string[]): Promise<void> {
  const sessions = Number(flag(argv, 'sessions') ?? 1_000);
  const seconds = Number(flag(argv, 'seconds') ?? 30);
  const server = await startServerProcess({ fileLimit: sessions * 2 + 512 });
  try {
    const started = performance.now();
    const background = await startBackgroundLoad({ serverUrl: server.baseUrl, sessions, credentials: { username: server.username, password: server.password } });
    process.stderr.write(`${background.connected} sessions up in ${((performance.now() - started) / 1000).toFixed(1)} s; plan ${JSON.stringify(background.plan)}\n`);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    process.stderr.write(`so far: ${JSON.stringify(await background.stats())}\n`);
    process.stdout.write(`${JSON.stringify(await background.stop(), null, 2)}\n`);
  } finally {
    await server.stop();
  }
}

async function profile(argv: string[]): Promise<void> {
  const [scenario, size] = argv;
  const relay = argv.includes('--bare') ? 'bare' : 'opencobrowse';
  const dir = mkdtempSync(path.join(tmpdir(), 'oc-relay-profile-'));
  if (scenario === 'throughput') {
    const frameBytes = Number(size ?? 1024);
    const { run } = await runThroughput(relay, {
      frameBytes,
      sessions: 8,
      windowBytes: defaultWindowBytes(frameBytes),
      warmupMs: 3_000,
      windowMs: 3_000,
      windows: 3,
      relayConfig: { maxFramesPerSecond: 10_000_000 },
      cpuProfileDir: dir,
    });
    process.stderr.write(`${Math.round(run.messagesPerSecond)} msg/s, relay ${run.relayCores.toFixed(2)} cores, generator ${run.generatorCores.toFixed(2)}, other ${run.otherCores.toFixed(2)}\n`);
  } else if (scenario === 'concurrency') {
    const { run } = await runConcurrency(relay, { sessions: Number(size ?? 1000), bitsPerSecond: 50_000, warmupMs: 10_000, measureMs: 30_000, subWindows: 3, cpuProfileDir: dir });
    process.stderr.write(`p50 ${run.latency.p50.toFixed(2)} p99 ${run.latency.p99.toFixed(2)} ms, relay ${run.relayCores.toFixed(2)} cores, generator ${run.generatorCores.toFixed(2)}, other ${run.otherCores.toFixed(2)}\n`);
  } else {
    throw new Error('profile throughput <frame bytes> | concurrency <sessions> [--bare]');
  }
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile was written into ${dir}`);
  const summary = summariseCpuProfile(path.join(dir, file), 30);
  process.stdout.write(`${path.join(dir, file)}: busy ${(summary.busyMs / 1000).toFixed(1)} s of ${(summary.durationMs / 1000).toFixed(1)} s\n`);
  for (const [area, ms] of Object.entries(summary.byArea).sort((a, b) => b[1] - a[1])) process.stdout.write(`  ${area}: ${((100 * ms) / summary.busyMs).toFixed(1)} %\n`);
  process.stdout.write('self:\n');
  for (const e of summary.topSelf) process.stdout.write(`  ${(100 * e.selfShare).toFixed(1).padStart(5)} %  ${e.location}\n`);
  process.stdout.write('total (ours):\n');
  for (const e of summary.topOwnTotal) process.stdout.write(`  ${(100 * e.totalShare).toFixed(1).padStart(5)} %  ${e.location}\n`);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'bench':
      return bench(rest);
    case 'load':
      return load(rest);
    case 'profile':
      return profile(rest);
    case 'record':
      return recordFrames();
    default:
      process.stderr.write('usage: node bench/relay/dev-run.mjs <bench|load|profile|record> [options] (see bench/relay/cli.ts)\n');
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`relay benchmark: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
