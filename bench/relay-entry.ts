/**
 * The relay-capacity benchmark (bench/relay/, its own engineer's) as a step of the runner.
 *
 * Its own defaults take about ten minutes; the runner uses shorter windows so that
 * `npm run bench` stays within minutes (the windows and warm-ups of the relay benchmark's
 * `--quick`), and smaller scenarios with BENCH_QUICK. `BENCH_RELAY=full` runs its defaults.
 */
import { formatRelayResults, runRelayBenchmarks, type RelayBenchmarkOptions, type RelayResults } from './relay/index.js';

/** What the runner keeps of the relay benchmark. */
export interface RelayOutcome {
  /** Its report, headings demoted to sit under the runner's section. */
  markdown: string;
  results: RelayResults;
  /** Which preset ran. */
  preset: 'full' | 'runner' | 'quick';
}

/** Shorter windows: the relay benchmark's own `--quick` settings. */
const RUNNER_WINDOWS: RelayBenchmarkOptions = {
  throughputWindows: 3,
  throughputWindowMs: 2_000,
  throughputWarmupMs: 2_000,
  concurrencyWarmupMs: 5_000,
  concurrencyMeasureMs: 12_000,
  idleSessions: 500,
};

/** Runs the relay-capacity benchmark; `quick` for the smoke mode. */
export async function runRelayForBench(quick: boolean, log: (line: string) => void): Promise<RelayOutcome> {
  const preset = process.env['BENCH_RELAY'] === 'full' ? 'full' : quick ? 'quick' : 'runner';
  const options: RelayBenchmarkOptions = { log: (line) => log(`  ${line}`) };
  if (preset !== 'full') Object.assign(options, RUNNER_WINDOWS);
  if (preset === 'quick') Object.assign(options, { frameSizes: [1024], sessionCounts: [100, 1_000], idleSessions: 200, idleBaselineSessions: 50, profileMisses: false });
  const results = await runRelayBenchmarks(options);
  const markdown = formatRelayResults(results)
    .replace(/^## Relay capacity\s*\n/, '')
    .replace(/^### /gm, '#### ');
  return { markdown, results, preset };
}
