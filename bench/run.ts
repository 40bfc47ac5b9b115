/**
 * The benchmark suite in one run (`npm run bench`, through bench/run.mjs): capture and
 * mutation burst, rebuild, end-to-end latency (alone and under the relay benchmark's
 * background load), relay capacity (bench/relay/), late join and script sizes — each
 * side by side with its yardstick — then bench/RESULTS.md and bench/results.json.
 *
 * Environment:
 *   BENCH_QUICK=1    smoke run: fewer sizes, runs and changes (minutes → about one)
 *   BENCH_ONLY=a,b   only these: capture, rebuild, latency, latejoin, relay, sizes
 *                    (rebuild needs capture; RESULTS.md is then marked partial)
 *   BENCH_PROFILE=0  no CPU profiles of missed targets
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { backgroundSessions, startBackgroundLoadForBench } from './background.js';
import { BENCH_BUNDLE_PATH, FIXTURES_PREFIX, benchPages, type BenchPage } from './browser/bench-pages.js';
import { buildBenchBundle } from './browser/bundle.js';
import { launchChromium } from './browser/chromium.js';
import { profileCapture, runCaptureBench, type CapturePageResult } from './browser/capture.js';
import type { CobrowseServer } from './browser/cobrowse.js';
import { measureLateJoin, profileLateJoin } from './browser/late-join.js';
import { measureLatency } from './browser/latency.js';
import { SourceMapper } from './browser/profile.js';
import { profileRebuild, runRebuildBench } from './browser/rebuild.js';
import { startSite, type Site } from './browser/site.js';
import { runRelayForBench } from './relay-entry.js';
import { startServerProcess, type ServerProcess } from './relay/index.js';
import { signIn } from './relay/tickets.js';
import { renderReport } from './report.js';
import { evaluateTargets, type BenchResults, type ProfileRecord } from './results.js';
import { measureSizes, visitorBundleShares } from './sizes.js';

/** How much of everything one run does. */
interface Plan {
  quick: boolean;
  only: Set<string> | null;
  profile: boolean;
  /** Generated page sizes, elements. */
  sizes: number[];
  withTable: boolean;
  /** Runs per side of capture + burst, and of rebuild. */
  captureRuns: number;
  rebuildRuns: number;
  /** Changes per latency run. */
  latencyChanges: number;
  lateJoinRuns: number;
}

const BENCHMARKS = ['capture', 'rebuild', 'latency', 'latejoin', 'relay', 'sizes'] as const;

function readPlan(): Plan {
  const quick = process.env['BENCH_QUICK'] === '1';
  const onlyText = process.env['BENCH_ONLY']?.trim();
  const only = onlyText ? new Set(onlyText.split(',').map((s) => s.trim().toLowerCase())) : null;
  for (const name of only ?? []) {
    if (!(BENCHMARKS as readonly string[]).includes(name)) throw new Error(`BENCH_ONLY: unknown benchmark "${name}" (known: ${BENCHMARKS.join(', ')})`);
  }
  return {
    quick,
    only,
    profile: process.env['BENCH_PROFILE'] !== '0',
    sizes: quick ? [1_000, 10_000] : [1_000, 10_000, 50_000],
    withTable: !quick,
    captureRuns: quick ? 2 : 5,
    rebuildRuns: quick ? 2 : 5,
    latencyChanges: quick ? 100 : 500,
    lateJoinRuns: quick ? 3 : 7,
  };
}

function repoRoot(): string {
  // This file runs as dist/bench/run.mjs.
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
}

function gitCommit(root: string): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: root, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit}+dirty (uncommitted changes in src/)` : commit;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

function packageVersion(root: string, name: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

/** Runs the whole suite and writes the report. */
export async function main(): Promise<void> {
  const plan = readPlan();
  const root = repoRoot();
  const started = Date.now();
  const loads = [os.loadavg()[0]!];
  const noteLoad = () => loads.push(os.loadavg()[0]!);
  const log = (line: string) => console.log(line);
  const wanted = (name: (typeof BENCHMARKS)[number]) => plan.only === null || plan.only.has(name);

  const results: BenchResults = {
    run: {
      date: new Date(started).toISOString(),
      durationS: 0,
      quick: plan.quick,
      cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
      cpus: os.cpus().length,
      memoryGiB: os.totalmem() / 1024 ** 3,
      os: `${os.type()} ${os.release()} (${os.arch()})`,
      node: process.version,
      chromium: 'not launched',
      rrweb: `${packageVersion(root, 'rrweb')} / ${packageVersion(root, 'rrweb-snapshot')}`,
      load: { start: loads[0]!, end: 0, max: 0 },
      commit: gitCommit(root),
    },
    capture: [],
    rebuild: [],
    latency: null,
    lateJoin: null,
    sizes: null,
    visitorShares: null,
    relay: null,
    profiles: [],
    failures: [],
  };
  const step = async (name: string, action: () => Promise<void>) => {
    log(`\n${name}…`);
    const began = Date.now();
    try {
      await action();
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      results.failures.push({ benchmark: name, message: message.split('\n').slice(0, 6).join(' ⏎ ') });
      log(`  FAILED: ${message}`);
    }
    noteLoad();
    log(`  (${((Date.now() - began) / 1000).toFixed(0)} s, load average ${os.loadavg()[0]!.toFixed(2)})`);
  };

  const outDir = path.join(root, 'dist', 'bench');
  mkdirSync(outDir, { recursive: true });
  log(`OpenCobrowse benchmarks${plan.quick ? ' (quick)' : ''} — load average ${loads[0]!.toFixed(2)} on ${os.cpus().length} cores`);

  let site: Site | null = null;
  let browser: Browser | null = null;
  let server: ServerProcess | null = null;
  let captured: CapturePageResult[] = [];
  let pages: BenchPage[] = [];
  try {
    const bundle = await buildBenchBundle(root, outDir);
    site = await startSite({ [FIXTURES_PREFIX]: path.join(root, 'test/fixtures/pages') });
    site.route(BENCH_BUNDLE_PATH, { type: 'text/javascript; charset=utf-8', body: bundle });
    pages = benchPages(site, plan.sizes, plan.withTable);
    const needsBrowser = wanted('capture') || wanted('rebuild') || wanted('latency') || wanted('latejoin');
    if (needsBrowser) {
      browser = await launchChromium();
      results.run.chromium = browser.version();
    }
    const theSite = site;
    const theBrowser = browser!;

    if (wanted('capture') || wanted('rebuild')) {
      await step('1. Capture and mutation burst (ours vs rrweb)', async () => {
        captured = await runCaptureBench(theBrowser, theSite, pages, plan.captureRuns, log);
        results.capture = captured.map(({ page, capture, burst }) => ({ page: { id: page.id, label: page.label }, capture, burst }));
      });
    }
    if (wanted('rebuild') && captured.length > 0) {
      await step('2. Rebuild in the viewer (ours vs rrweb)', async () => {
        results.rebuild = await runRebuildBench(theBrowser, theSite, captured, plan.rebuildRuns, log);
      });
    }

    let cobrowse: CobrowseServer | null = null;
    const serverFor = async () => {
      if (cobrowse) return cobrowse;
      // Room for the background load's sockets (two per session) besides the pages'.
      server = await startServerProcess({ fileLimit: backgroundSessions(plan.quick) * 2 + 1_024 });
      cobrowse = { baseUrl: server.baseUrl, groupId: server.groupId, sessionCookie: await signIn(server.baseUrl, server.username, server.password) };
      return cobrowse;
    };
    if (wanted('latency')) {
      results.latency = { alone: null, loaded: null };
      const section = results.latency;
      await step('3. End-to-end latency, server otherwise idle', async () => {
        section.alone = await measureLatency(theBrowser, theSite, await serverFor(), 'latency-alone', plan.latencyChanges, 1);
        log(`  p50 ${section.alone.p50.toFixed(1)} ms, p95 ${section.alone.p95.toFixed(1)} ms, p99 ${section.alone.p99.toFixed(1)} ms`);
      });
      await step('3. End-to-end latency under the 1,000-session background load', async () => {
        const target = await serverFor();
        log(`  starting ${backgroundSessions(plan.quick)} background sessions`);
        const load = await startBackgroundLoadForBench(server!, plan.quick);
        section.loadSessions = load.connected;
        try {
          section.loaded = await measureLatency(theBrowser, theSite, target, 'latency-loaded', plan.latencyChanges, 2);
          log(`  p50 ${section.loaded.p50.toFixed(1)} ms, p95 ${section.loaded.p95.toFixed(1)} ms, p99 ${section.loaded.p99.toFixed(1)} ms`);
        } finally {
          section.load = await load.stop();
        }
      });
    }
    if (wanted('latejoin')) {
      await step('5. Late join of a 10,000-element page', async () => {
        results.lateJoin = await measureLateJoin(theBrowser, theSite, await serverFor(), 'late-join', plan.lateJoinRuns, log);
      });
    }
    if (wanted('sizes')) {
      await step('6. Script sizes', async () => {
        results.sizes = await measureSizes(root);
        results.visitorShares = await visitorBundleShares(root);
      });
    }
    if (plan.profile && browser) {
      const misses = evaluateTargets(results);
      if (misses.some((t) => t.met === false && t.subject)) {
        await step('Profiles of missed targets', async () => {
          const mapper = new SourceMapper(root, [path.join(outDir, 'bench-page.js'), ...['viewer', 'visitor', 'loader'].map((name) => path.join(root, 'dist/public', `${name}.js`))]);
          results.profiles = await profileMisses(theBrowser, theSite, pages, misses, wanted('latejoin') ? await serverFor() : null, mapper, log);
        });
      }
    }
  } finally {
    await browser?.close().catch(() => {});
    await (server as ServerProcess | null)?.stop().catch(() => {});
    await site?.close();
  }

  // Last, with the browser and our server gone: it loads the machine on its own.
  if (wanted('relay')) {
    await step('4. Relay capacity (bench/relay)', async () => {
      results.relay = await runRelayForBench(plan.quick, log);
    });
  }

  noteLoad();
  results.run.durationS = (Date.now() - started) / 1000;
  results.run.load = { start: loads[0]!, end: loads[loads.length - 1]!, max: Math.max(...loads) };
  const targets = evaluateTargets(results);
  const partial = plan.only !== null;
  const reportFile = path.join(root, 'bench', partial ? 'RESULTS.partial.md' : 'RESULTS.md');
  const jsonFile = path.join(root, 'bench', partial ? 'results.partial.json' : 'results.json');
  writeFileSync(reportFile, renderReport(results, targets));
  writeFileSync(jsonFile, JSON.stringify({ ...results, targets }, null, 1) + '\n');
  log(`\n${targets.filter((t) => t.met === true).length} targets met, ${targets.filter((t) => t.met === false).length} missed, ${targets.filter((t) => t.met === null).length} not measured.`);
  for (const target of targets) log(`  ${target.met === null ? '·' : target.met ? '✓' : '✗'} ${target.target} — ${target.where}: ${target.value}`);
  log(`\nWrote ${path.relative(root, reportFile)} and ${path.relative(root, jsonFile)} in ${results.run.durationS.toFixed(0)} s.`);
  if (results.failures.length > 0) {
    log(`${results.failures.length} benchmark(s) failed: ${results.failures.map((f) => f.benchmark).join(', ')}`);
    process.exitCode = 1;
  }
}

/** One CPU profile of our side per missed target (deduplicated by what is profiled). */
async function profileMisses(
  browser: Browser,
  site: Site,
  pages: readonly BenchPage[],
  targets: ReturnType<typeof evaluateTargets>,
  server: CobrowseServer | null,
  mapper: SourceMapper,
  log: (line: string) => void,
): Promise<ProfileRecord[]> {
  const records: ProfileRecord[] = [];
  const done = new Set<string>();
  for (const target of targets) {
    if (target.met !== false || !target.subject) continue;
    const { kind, page: pageId } = target.subject;
    const key = `${kind}:${pageId ?? ''}`;
    if (done.has(key)) continue;
    done.add(key);
    const page = pages.find((p) => p.id === pageId);
    const label = `${target.target} (${target.where})`;
    if ((kind === 'capture' || kind === 'burst') && page) {
      log(`  profiling our ${kind} on ${page.id}`);
      const profiles = await profileCapture(browser, site, page, 'ours', mapper);
      records.push({ target: label, subject: `ours, ${kind === 'capture' ? 'keyframe capture' : 'mutation burst'}, ${page.label}`, summary: kind === 'capture' ? profiles.capture : profiles.burst });
    } else if (kind === 'rebuild' && page) {
      log(`  profiling our rebuild on ${page.id}`);
      records.push({ target: label, subject: `ours, Mirror.applyKeyframe, ${page.label}`, summary: await profileRebuild(browser, site, page, 'ours', mapper) });
    } else if (kind === 'late-join' && server) {
      log('  profiling a late join (viewer page)');
      records.push({ target: label, subject: 'the viewer page, from navigation until the mirror is painted', summary: await profileLateJoin(browser, site, server, 'late-join-profile', mapper) });
    }
  }
  return records;
}
