/**
 * What one benchmark run produced (written to bench/results.json) and the targets of the
 * benchmark issue, judged against it: each target is met, missed, or not measured.
 */
import type { LateJoinMeasure } from './browser/late-join.js';
import type { LatencyResult } from './browser/latency.js';
import type { BurstMeasure, CaptureMeasure } from './browser/measures.js';
import type { ProfileSummary } from './browser/profile.js';
import type { RebuildPageResult } from './browser/rebuild.js';
import type { RelayOutcome } from './relay-entry.js';
import type { BackgroundLoadStats } from './relay/index.js';
import type { BundleShare, ScriptSize } from './sizes.js';
import { median } from './stats.js';

/** The machine and software the run measured. */
export interface RunInfo {
  /** ISO date and time the run started. */
  date: string;
  durationS: number;
  quick: boolean;
  cpuModel: string;
  cpus: number;
  memoryGiB: number;
  os: string;
  node: string;
  chromium: string;
  rrweb: string;
  /** 1-minute load average at start and end, and the highest seen between benchmarks. */
  load: { start: number; end: number; max: number };
  /** Git commit of the code measured, with `+dirty` when the tree had changes. */
  commit: string;
}

/** Capture and burst on one page, without the payloads. */
export interface CapturePageSummary {
  page: { id: string; label: string };
  capture: { ours: CaptureMeasure[]; rrweb: CaptureMeasure[] };
  burst: { ours: BurstMeasure[]; rrweb: BurstMeasure[] };
}

/** The end-to-end latency runs. */
export interface LatencySection {
  alone: LatencyResult | null;
  loaded: LatencyResult | null;
  /** Why the loaded run did not happen, when it did not. */
  loadedSkipped?: string;
  /** Background sessions running during the loaded run. */
  loadSessions?: number;
  /** What the background load reported (its generator's own view: latency, rates, errors). */
  load?: BackgroundLoadStats;
}

/** A CPU profile taken for a missed target. */
export interface ProfileRecord {
  /** The target it explains. */
  target: string;
  /** What was profiled (side, page, step). */
  subject: string;
  summary: ProfileSummary;
}

/** A benchmark that failed; the others still ran. */
export interface BenchFailure {
  benchmark: string;
  message: string;
}

/** Everything a run produced. */
export interface BenchResults {
  run: RunInfo;
  capture: CapturePageSummary[];
  rebuild: RebuildPageResult[];
  latency: LatencySection | null;
  lateJoin: LateJoinMeasure[] | null;
  sizes: ScriptSize[] | null;
  /** Where the visitor engine's minified bytes come from. */
  visitorShares: BundleShare[] | null;
  /** The relay-capacity benchmark's own results (bench/relay/). */
  relay: RelayOutcome | null;
  profiles: ProfileRecord[];
  failures: BenchFailure[];
}

/** A target judged. */
export interface TargetResult {
  /** Stable id, e.g. `snapshot-time:gen-10000`. */
  id: string;
  /** The target as the issue states it. */
  target: string;
  /** Where it was measured (a page, a mode); empty when global. */
  where: string;
  /** The measured value, formatted. */
  value: string;
  /** The limit, formatted. */
  limit: string;
  /** null: not measured in this run. */
  met: boolean | null;
  /** Page id or other key the runner uses to profile a miss. */
  subject?: { kind: 'capture' | 'burst' | 'rebuild' | 'latency' | 'late-join' | 'size' | 'relay'; page?: string };
}

const ratio = (ours: number, theirs: number) => ours / theirs;
const fmtRatio = (value: number) => `${value.toFixed(2)}×`;
const ms = (value: number) => `${value.toFixed(1)} ms`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

function medianOf<T>(items: readonly T[], pick: (item: T) => number): number {
  return median(items.map(pick));
}

/** Judges every target of the issue against `results`. */
export function evaluateTargets(results: BenchResults): TargetResult[] {
  const targets: TargetResult[] = [];
  for (const page of results.capture) {
    const { ours, rrweb } = page.capture;
    const where = page.page.label;
    const time = ratio(medianOf(ours, (m) => m.readyMs), medianOf(rrweb, (m) => m.readyMs));
    targets.push({
      id: `snapshot-time:${page.page.id}`,
      target: 'Snapshot time ≤ 0.4× rrweb’s',
      where,
      value: `${fmtRatio(time)} (${ms(medianOf(ours, (m) => m.readyMs))} vs ${ms(medianOf(rrweb, (m) => m.readyMs))})`,
      limit: '0.40×',
      met: time <= 0.4,
      subject: { kind: 'capture', page: page.page.id },
    });
    const bytes = ratio(medianOf(ours, (m) => m.deflateBytes), medianOf(rrweb, (m) => m.deflateBytes));
    targets.push({
      id: `keyframe-bytes:${page.page.id}`,
      target: 'Compressed keyframe ≤ 0.7× rrweb’s compressed full snapshot',
      where,
      value: `${fmtRatio(bytes)} (${kb(medianOf(ours, (m) => m.deflateBytes))} vs ${kb(medianOf(rrweb, (m) => m.deflateBytes))})`,
      limit: '0.70×',
      met: bytes <= 0.7,
    });
    if (page.page.id === 'gen-50000') {
      const longest = Math.max(...ours.map((m) => m.longestTaskMs));
      targets.push({
        id: `long-task:${page.page.id}`,
        target: 'No main-thread task over 50 ms while capturing 50,000 elements',
        where,
        value:
          longest > 0
            ? `longest ${ms(longest)} (${ours.filter((m) => m.longTasks > 0).length} of ${ours.length} runs; ` +
              `tasks [start after capture began, duration] ms: ${ours.flatMap((m) => m.longTaskList.map(([at, d]) => `[${at}, ${d}]`)).join(' ')})`
            : `none in ${ours.length} runs`,
        limit: '0 tasks > 50 ms',
        met: longest === 0,
        subject: { kind: 'capture', page: page.page.id },
      });
    }
    const burst = page.burst;
    const process = ratio(medianOf(burst.ours, (m) => m.processMs), medianOf(burst.rrweb, (m) => m.processMs));
    targets.push({
      id: `burst-time:${page.page.id}`,
      target: 'Mutation burst processing ≤ 0.5× rrweb’s',
      where,
      value: `${fmtRatio(process)} (${ms(medianOf(burst.ours, (m) => m.processMs))} vs ${ms(medianOf(burst.rrweb, (m) => m.processMs))})`,
      limit: '0.50×',
      met: process <= 0.5,
      subject: { kind: 'burst', page: page.page.id },
    });
    const wire = ratio(medianOf(burst.ours, (m) => m.wireBytes), medianOf(burst.rrweb, (m) => m.wireBytes));
    targets.push({
      id: `burst-bytes:${page.page.id}`,
      target: 'Mutation burst compressed bytes ≤ 0.7× rrweb’s',
      where,
      value: `${fmtRatio(wire)} (${kb(medianOf(burst.ours, (m) => m.wireBytes))} vs ${kb(medianOf(burst.rrweb, (m) => m.wireBytes))})`,
      limit: '0.70×',
      met: wire <= 0.7,
    });
  }
  for (const page of results.rebuild) {
    const build = ratio(medianOf(page.ours, (m) => m.buildMs), medianOf(page.rrweb, (m) => m.buildMs));
    targets.push({
      id: `rebuild:${page.page.id}`,
      target: 'Rebuild ≤ 0.7× rrweb’s',
      where: page.page.label,
      value: `${fmtRatio(build)} (${ms(medianOf(page.ours, (m) => m.buildMs))} vs ${ms(medianOf(page.rrweb, (m) => m.buildMs))})`,
      limit: '0.70×',
      met: build <= 0.7,
      subject: { kind: 'rebuild', page: page.page.id },
    });
  }
  const latency = results.latency;
  const loadedWhere = `server under the ${(latency?.loadSessions ?? 1_000).toLocaleString('en-US')}-session background load`;
  for (const [mode, where] of [
    ['alone', 'server otherwise idle'],
    ['loaded', loadedWhere],
  ] as const) {
    const run = latency?.[mode] ?? null;
    const skipped = mode === 'loaded' ? latency?.loadedSkipped : undefined;
    const subject = { kind: 'latency' as const, page: mode };
    targets.push({
      id: `latency-p50:${mode}`,
      target: 'End-to-end latency p50 ≤ 25 ms',
      where,
      value: run ? ms(run.p50) : `not measured${skipped ? `: ${skipped}` : ''}`,
      limit: '25 ms',
      met: run ? run.p50 <= 25 : null,
      subject,
    });
    targets.push({
      id: `latency-p99:${mode}`,
      target: 'End-to-end latency p99 ≤ 60 ms',
      where,
      value: run ? ms(run.p99) : `not measured${skipped ? `: ${skipped}` : ''}`,
      limit: '60 ms',
      met: run ? run.p99 <= 60 : null,
      subject,
    });
  }
  for (const check of results.relay?.results.targets ?? []) {
    targets.push({ id: `relay:${check.name}`, target: `Relay: ${check.name}`, where: 'bench/relay/', value: check.measured, limit: check.target, met: check.met, subject: { kind: 'relay' } });
  }
  const joins = results.lateJoin;
  targets.push({
    id: 'late-join',
    target: 'Late join of a 10,000-element page ≤ 150 ms',
    where: 'median, socket open → page shown',
    value: joins?.length ? ms(medianOf(joins, (m) => m.shownMs)) : 'not measured',
    limit: '150 ms',
    met: joins?.length ? medianOf(joins, (m) => m.shownMs) <= 150 : null,
    subject: { kind: 'late-join' },
  });
  const size = (id: ScriptSize['id']) => results.sizes?.find((s) => s.id === id);
  const loader = size('loader');
  targets.push({
    id: 'size-loader',
    target: 'Loader ≤ 4 KB gzip',
    where: 'dist/public/loader.js',
    value: loader?.gzip != null ? kb(loader.gzip) : 'not built',
    limit: '4.0 KB',
    met: loader?.gzip != null ? loader.gzip <= 4096 : null,
  });
  // The capture engine is what captures and encodes the page: the recorder (serialiser,
  // mutations, masking, stylesheets, form state) and the frame writer. The visitor engine
  // (dist/public/visitor.js) ships it with the connection, the Visitor API, the default UI
  // and remote control; its size is in the sizes table.
  const core = size('capture-core');
  const visitor = size('visitor');
  targets.push({
    id: 'size-capture-engine',
    target: 'Capture engine ≤ 20 KB gzip',
    where: 'capture engine (Recorder + FrameWriter, bundled alone)',
    value:
      core?.gzip != null
        ? `${kb(core.gzip)}${visitor?.gzip != null ? ` (the whole visitor engine with UI and remote control, dist/public/visitor.js: ${kb(visitor.gzip)})` : ''}`
        : 'not built',
    limit: '20.0 KB',
    met: core?.gzip != null ? core.gzip <= 20 * 1024 : null,
  });
  return targets;
}
