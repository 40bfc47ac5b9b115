/** The relay benchmark's results as Markdown, for the runner's report and the console. */
import type { LatencySummary } from './histogram.js';
import type { ConcurrencyRun, ErrorSummary, RelayResults, ThroughputRun } from './results.js';

const int = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–');
const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const mib = (bytes: number) => `${fixed(bytes / 1024 / 1024)} MiB`;
const kib = (bytes: number) => `${fixed(bytes / 1024)} KiB`;

function errors(summary: ErrorSummary): string {
  if (summary.total === 0) return '0';
  const parts: string[] = [];
  if (summary.connectFailed) parts.push(`${summary.connectFailed} connect failed`);
  for (const [key, count] of Object.entries(summary.unexpectedCloses)) parts.push(`${count} × ${key}`);
  if (summary.socketErrors) parts.push(`${summary.socketErrors} socket errors`);
  if (summary.serverErrors) parts.push(`${summary.serverErrors} server errors`);
  if (summary.undeliveredFrames) parts.push(`${summary.undeliveredFrames} frames undelivered`);
  if (summary.overloaded) parts.push('overloaded: traffic stopped');
  return `${summary.total} (${parts.join(', ')})`;
}

function latency(summary: LatencySummary): string {
  return `${fixed(summary.p50, 2)} / ${fixed(summary.p95, 2)} / ${fixed(summary.p99, 2)} / ${fixed(summary.max, 1)}`;
}

function cores(run: ThroughputRun | ConcurrencyRun): string {
  return `${fixed(run.relayCores, 2)} / ${fixed(run.generatorCores, 2)} / ${fixed(run.otherCores, 2)}`;
}

/** Renders `results` as Markdown. */
export function formatRelayResults(results: RelayResults): string {
  const out: string[] = [];
  const m = results.machine;
  out.push('## Relay capacity', '');
  out.push(
    `Run ${results.startedAt}, ${fixed(results.durationMs / 60_000)} min; server ${results.server.gitCommit} (bundle built ${results.server.bundleBuiltAt}); ` +
      `${m.cpus} × ${m.cpuModel}, Node ${m.node}, load average at start ${fixed(m.loadAverageAtStart, 2)}.`,
    '',
  );
  if (results.targets.length > 0) {
    out.push('### Targets', '', '| Target | Wanted | Measured | Met |', '|---|---|---|---|');
    for (const t of results.targets) out.push(`| ${t.name} | ${t.target} | ${t.measured} | ${t.met ? 'yes' : '**no**'} |`);
    out.push('');
  }
  if (results.throughput.length > 0) {
    out.push(
      '### Throughput (saturated, median of the windows)',
      '',
      '| Frame | Relay | msg/s | MB/s | ratio | relay µs CPU/msg | cores relay / gen / other | latency p50 / p95 / p99 / max ms | peak RSS | errors |',
      '|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const c of results.throughput) {
      for (const run of [c.ours, c.bare]) {
        const ours = run === c.ours;
        out.push(
          `| ${c.frameBytes} B | ${ours ? 'ours' : 'bare ws'} | ${int(run.messagesPerSecond)} | ${fixed(run.megabytesPerSecond)} | ${ours ? fixed(c.ratio, 2) : ''} | ` +
            `${fixed(run.relayMicrosPerMessage, 2)}${ours ? ` (${fixed(c.cpuCostRatio, 2)}×)` : ''} | ${cores(run)} | ${latency(run.latency)} | ${mib(run.relayPeakRssBytes)} | ${errors(run.errors)} |`,
        );
      }
    }
    const first = results.throughput[0]!.ours;
    out.push('', `${first.sessions} sessions per run, each keeping up to ${kib(first.windowBytes)}–${kib(results.throughput[results.throughput.length - 1]!.ours.windowBytes)} in flight (256 frames).`, '');
  }
  if (results.concurrency.length > 0) {
    const t = results.traffic;
    out.push('### Concurrent sessions at a realistic rate', '');
    if (t) {
      out.push(
        `Each session replays the recordings ${t.recordings.join(', ')} at ${fixed(t.bitsPerSecond / 1000)} kbit/s ` +
          `(${fixed(t.framesPerSecond)} frames/s: mean keyframe ${int(t.meanFrameBytes.keyframe)} B, delta ${int(t.meanFrameBytes.delta)} B, pointer ${int(t.meanFrameBytes.volatile)} B; recorded time ÷ ${fixed(t.timeScale, 2)}).`,
        '',
      );
    }
    out.push(
      '| Sessions | Relay | offered kbit/s/session | gen behind | frames/s | latency p50 / p95 / p99 / max ms | p99 per sub-window | RSS connected / peak / end | cores relay / gen / other | gen lag p99 / loop delay p99 | errors |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const run of results.concurrency) {
      out.push(
        `| ${int(run.sessions)}${run.connected !== run.sessions ? ` (${int(run.connected)} up)` : ''} | ${run.relay === 'opencobrowse' ? 'ours' : 'bare ws'} | ${fixed(run.offeredBitsPerSecondPerSession / 1000)} | ${fixed(100 * (run.generatorBehindShare ?? 0))} % | ${int(run.deliveredFramesPerSecond)} | ` +
          `${latency(run.latency)} | ${run.windowP99Ms.map((v) => fixed(v)).join(', ')} | ${mib(run.relayRssConnectedBytes)} / ${mib(run.relayRssPeakBytes)} / ${mib(run.relayRssEndBytes)} | ` +
          `${cores(run)} | ${fixed(run.generatorSendLagP99Ms)} / ${fixed(run.generatorLoopDelayP99Ms ?? 0)} ms | ${errors(run.errors)} |`,
      );
    }
    out.push('');
  }
  if (results.idle) {
    const i = results.idle;
    out.push(
      '### Idle sessions',
      '',
      `${int(i.sessions)} idle sessions (after ${int(i.baselineSessions)} for warm-up), each holding one recorded keyframe (mean ${kib(i.meanKeyframeBytes)}): ` +
        `RSS ${mib(i.baselineRssBytes)} → ${mib(i.rssBytes)}, **${kib(i.perSessionBytes)} per idle session** (${kib(i.perSessionOverheadBytes)} beyond its keyframe); errors ${errors(i.errors)}.`,
      '',
    );
  }
  for (const p of results.profiles) {
    out.push(`### CPU profile: ${p.scenario}`, '', `${p.file} — busy ${fixed(p.summary.busyMs / 1000)} s of ${fixed(p.summary.durationMs / 1000)} s.`, '');
    const areas = Object.entries(p.summary.byArea).sort((a, b) => b[1] - a[1]);
    out.push(`By area: ${areas.map(([area, ms]) => `${area} ${fixed((100 * ms) / p.summary.busyMs)} %`).join(', ')}.`, '');
    out.push('| Self % | Function |', '|---|---|');
    for (const e of p.summary.topSelf.slice(0, 15)) out.push(`| ${fixed(100 * e.selfShare)} | ${e.location} |`);
    out.push('', '| Total % | Our function |', '|---|---|');
    for (const e of p.summary.topOwnTotal.slice(0, 12)) out.push(`| ${fixed(100 * e.totalShare)} | ${e.location} |`);
    out.push('');
  }
  if (results.relayOverrides.length > 0 || results.notes.length > 0) {
    out.push('### Notes', '');
    for (const o of results.relayOverrides) out.push(`- ${o.part}: relay settings ${JSON.stringify(o.settings)} — ${o.reason}`);
    for (const note of results.notes) out.push(`- ${note}`);
    out.push('');
  }
  return out.join('\n');
}
