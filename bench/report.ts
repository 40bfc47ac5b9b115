/**
 * Turns a run's results into bench/RESULTS.md: the targets (met or missed), then one
 * table per benchmark with medians, min–max and the ratios to the yardsticks, the CPU
 * profiles that explain each missed target, and the machine the numbers come from.
 */
import type { BenchResults, TargetResult } from './results.js';
import { summarize } from './stats.js';

/** `median (min–max)` of samples, with `digits` decimals. */
function cell(all: readonly number[], digits = 1): string {
  const samples = all.filter(Number.isFinite);
  if (samples.length === 0) return '—';
  const { median, min, max } = summarize(samples);
  return `${median.toFixed(digits)} (${min.toFixed(digits)}–${max.toFixed(digits)})`;
}

function medianOf(samples: readonly number[]): number {
  return summarize(samples).median;
}

function ratioCell(ours: readonly number[], theirs: readonly number[]): string {
  if (ours.length === 0 || theirs.length === 0) return '—';
  return `${(medianOf(ours) / medianOf(theirs)).toFixed(2)}×`;
}

function kib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MB` : `${(bytes / 1024).toFixed(1)} KB`;
}

function kibCell(samples: readonly number[]): string {
  return samples.length === 0 ? '—' : kib(medianOf(samples));
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function verdict(target: TargetResult): string {
  return target.met === null ? '— not measured' : target.met ? '✅ met' : '❌ missed';
}

function targetsSection(targets: readonly TargetResult[]): string {
  const met = targets.filter((t) => t.met === true).length;
  const missed = targets.filter((t) => t.met === false).length;
  const unmeasured = targets.filter((t) => t.met === null).length;
  return [
    '## Targets',
    '',
    `${met} met, ${missed} missed, ${unmeasured} not measured. Ratios are ours ÷ rrweb’s, of the medians, measured in this one run.`,
    '',
    table(
      ['Target', 'Where', 'Measured', 'Limit', 'Verdict'],
      targets.map((t) => [t.target, t.where, t.value, t.limit, verdict(t)]),
    ),
  ].join('\n');
}

function captureSection(results: BenchResults): string {
  const timeRows = results.capture.map(({ page, capture: { ours, rrweb } }) => [
    page.label,
    String(ours[0]?.elements ?? rrweb[0]?.elements ?? '—'),
    cell(ours.map((m) => m.readyMs)),
    cell(rrweb.map((m) => m.readyMs)),
    ratioCell(
      ours.map((m) => m.readyMs),
      rrweb.map((m) => m.readyMs),
    ),
    cell(ours.map((m) => m.serializedMs)),
    cell(rrweb.map((m) => m.readyMs + (m.stringifyMs ?? 0))),
    cell(ours.map((m) => m.cpuMs), 0),
    cell(rrweb.map((m) => m.cpuMs), 0),
    ratioCell(
      ours.map((m) => m.cpuMs),
      rrweb.map((m) => m.cpuMs),
    ),
    cell(ours.map((m) => m.cpuWithTailMs), 0),
    cell(ours.map((m) => m.longestTaskMs), 0),
    cell(rrweb.map((m) => m.longestTaskMs), 0),
  ]);
  const sizeRows = results.capture.map(({ page, capture: { ours, rrweb } }) => [
    page.label,
    kibCell(ours.map((m) => m.rawBytes)),
    kibCell(rrweb.map((m) => m.rawBytes)),
    kibCell(ours.map((m) => m.deflateBytes)),
    kibCell(rrweb.map((m) => m.deflateBytes)),
    ratioCell(
      ours.map((m) => m.deflateBytes),
      rrweb.map((m) => m.deflateBytes),
    ),
    kibCell(ours.map((m) => m.gzipBytes)),
    kibCell(rrweb.map((m) => m.gzipBytes)),
  ]);
  const runs = results.capture[0]?.capture.ours.length ?? 0;
  return [
    '## 1. Capture: the keyframe',
    '',
    `Headless Chromium, a fresh tab per run, ${runs} runs per side, sides alternating. Times in ms: median (min–max).`,
    '**Ours** = `Recorder` → `FrameWriter` until the compressed keyframe frame is ready to send; **rrweb** = `rrweb.record()` until it emits its FullSnapshot event (an object, not yet serialised).',
    '“Main-thread CPU” is the renderer main thread’s CPU time until the keyframe was ready (CDP `Performance` ThreadTime; ours includes compressing, rrweb’s setting up its observers): it barely grows when other processes compete for the CPU, unlike wall times. “With the 0.7 s after” adds our background work after the keyframe (reading every element’s scroll offset).',
    '“Longest task” is the longest main-thread task during the capture and the 0.7 s after, from PerformanceObserver `longtask` (0 = none over 50 ms).',
    '',
    table(
      [
        'Page',
        'Elements',
        'Ours: keyframe ready',
        'rrweb: snapshot emitted',
        'Ratio',
        'Ours: last piece written',
        'rrweb + JSON.stringify',
        'Ours: main-thread CPU',
        'rrweb: main-thread CPU',
        'CPU ratio',
        'Ours: CPU with the 0.7 s after',
        'Ours: longest task',
        'rrweb: longest task',
      ],
      timeRows,
    ),
    '',
    'Sizes (medians). Compressed = raw DEFLATE (`deflate-raw`, what our frames carry), the same compressor for both; gzip from the browser’s CompressionStream for reference.',
    '',
    table(['Page', 'Ours JSON', 'rrweb JSON', 'Ours deflate', 'rrweb deflate', 'Ratio', 'Ours gzip', 'rrweb gzip'], sizeRows),
  ].join('\n');
}

function burstSection(results: BenchResults): string {
  const rows = results.capture.map(({ page, burst: { ours, rrweb } }) => [
    page.label,
    String(ours[0]?.mutations ?? rrweb[0]?.mutations ?? '—'),
    cell(ours.map((m) => m.processMs)),
    cell(ours.map((m) => m.textMs ?? NaN)),
    cell(rrweb.map((m) => m.processMs)),
    ratioCell(
      ours.map((m) => m.processMs),
      rrweb.map((m) => m.processMs),
    ),
    cell(rrweb.map((m) => m.processMs + (m.stringifyMs ?? 0))),
    cell(ours.map((m) => m.applyMs)),
  ]);
  const byteRows = results.capture.map(({ page, burst: { ours, rrweb } }) => [
    page.label,
    kibCell(ours.map((m) => m.rawBytes)),
    kibCell(rrweb.map((m) => m.rawBytes)),
    kibCell(ours.map((m) => m.wireBytes)),
    kibCell(rrweb.map((m) => m.wireBytes)),
    ratioCell(
      ours.map((m) => m.wireBytes),
      rrweb.map((m) => m.wireBytes),
    ),
  ]);
  return [
    '## 1b. Mutation burst',
    '',
    '1,000 changes in one task of the page (250 text edits, 250 attribute sets, 250 appended subtrees, 250 removals; the same seeded choice for both sides), on the page the side has just captured.',
    'Processing = from the end of the page’s task (its own style and layout forced first, so neither side pays for it) until the output is ready: **ours** the compressed delta frame handed over by the FrameWriter, **rrweb** its mutation event emitted.',
    '',
    table(
      ['Page', 'Changes', 'Ours: frame ready', 'Ours: delta JSON written', 'rrweb: event emitted', 'Ratio', 'rrweb + JSON.stringify', 'Page applying them'],
      rows,
    ),
    '',
    table(['Page', 'Ours JSON', 'rrweb JSON', 'Ours as sent', 'rrweb deflate', 'Ratio'], byteRows),
  ].join('\n');
}

function rebuildSection(results: BenchResults): string {
  const rows = results.rebuild.map((page) => [
    page.page.label,
    cell(page.ours.map((m) => m.buildMs)),
    cell(page.rrweb.map((m) => m.buildMs)),
    ratioCell(
      page.ours.map((m) => m.buildMs),
      page.rrweb.map((m) => m.buildMs),
    ),
    cell(page.oursDeflated.map((m) => m.buildMs)),
    cell(page.ours.map((m) => m.parseMs)),
    cell(page.rrweb.map((m) => m.parseMs)),
    cell(page.ours.map((m) => m.paintedMs)),
    cell(page.rrweb.map((m) => m.paintedMs)),
  ]);
  const runs = results.rebuild[0]?.ours.length ?? 0;
  return [
    '## 2. Rebuild in the viewer',
    '',
    `The keyframes recorded above, rebuilt in a fresh tab per run (${runs} runs per side): **ours** \`Mirror.applyKeyframe\`, **rrweb** rrweb-snapshot’s \`rebuildIntoSandboxedIframe\`, both into a \`sandbox="allow-same-origin"\` iframe, both from the JSON text (JSON.parse included). “From the frame” adds inflating our compressed payload, as the viewer receives it. “Painted” = two animation frames later (style, layout, paint of the mirror; first 2 runs only). “From the frame”: first 3 runs.`,
    '',
    table(['Page', 'Ours: build', 'rrweb: build', 'Ratio', 'Ours from the frame', 'Ours: JSON.parse', 'rrweb: JSON.parse', 'Ours: painted', 'rrweb: painted'], rows),
  ].join('\n');
}

function latencySection(results: BenchResults): string {
  const section = results.latency;
  const lines = ['## 3. End-to-end latency', ''];
  if (!section) return [...lines, 'Not measured in this run.'].join('\n');
  lines.push(
    'A visitor page (1,000 generated elements plus a probe paragraph, the Glance script tag, its own origin) changes the probe’s text every 20–50 ms; the agent’s viewer page notes when the text appears in its mirror. Both are real Chromium pages; the server runs in its own process on loopback. Times corrected by the measured clock offset between the two pages.',
    '',
  );
  const rows: string[][] = [];
  for (const [mode, label] of [
    ['alone', 'Server otherwise idle'],
    ['loaded', `Under the ${(section.loadSessions ?? 1_000).toLocaleString('en-US')}-session background load`],
  ] as const) {
    const run = section[mode];
    if (!run) {
      rows.push([label, '—', '—', '—', '—', '—', '—', mode === 'loaded' && section.loadedSkipped ? `not measured: ${section.loadedSkipped}` : 'not measured']);
      continue;
    }
    rows.push([
      label,
      `${run.received} / ${run.changes}`,
      run.p50.toFixed(1),
      run.p95.toFixed(1),
      run.p99.toFixed(1),
      run.max.toFixed(1),
      `${run.clockSkewMs.toFixed(2)} ± ${run.clockUncertaintyMs.toFixed(2)}`,
      '',
    ]);
  }
  lines.push(table(['Mode', 'Changes seen', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'Clock offset ms', 'Note'], rows));
  const load = section.load;
  if (load) {
    lines.push(
      '',
      `Background load (bench/relay/’s generator, its own process): ${load.connected} of ${load.sessions} sessions replaying recorded page traffic at ` +
        `${(load.offeredBitsPerSecondPerSession / 1000).toFixed(1)} kbit/s each, ${load.deliveredFramesPerSecond.toFixed(0)} frames/s delivered in total; ` +
        `its own relay latency p50 ${load.latency.p50.toFixed(2)} / p99 ${load.latency.p99.toFixed(2)} ms; errors: ${load.errors.total}.`,
    );
  }
  return lines.join('\n');
}

function lateJoinSection(results: BenchResults): string {
  const joins = results.lateJoin;
  const lines = ['## 5. Late join', ''];
  if (!joins?.length) return [...lines, 'Not measured in this run.'].join('\n');
  lines.push(
    `A visitor in a session on a 10,000-element generated page; ${joins.length} agents in turn open the viewer in a fresh tab. From the agent socket’s \`open\` event (in the viewer page) until the mirror shows the page, served from the server’s catch-up log.`,
    '',
    table(
      ['Runs', 'Socket open → first page frame (ms)', 'Socket open → page shown (ms)', 'Socket open → painted (ms)', 'Navigation → socket open (ms)'],
      [
        [
          String(joins.length),
          cell(joins.map((j) => j.firstFrameMs)),
          cell(joins.map((j) => j.shownMs)),
          cell(joins.map((j) => j.paintedMs)),
          cell(joins.map((j) => j.socketOpenAtMs)),
        ],
      ],
    ),
  );
  return lines.join('\n');
}

function sizesSection(results: BenchResults): string {
  const sizes = results.sizes;
  const lines = ['## 6. Script sizes', ''];
  if (!sizes) return [...lines, 'Not measured in this run.'].join('\n');
  const fmt = (bytes: number | null) => (bytes === null ? 'not built' : `${(bytes / 1024).toFixed(1)} KB`);
  lines.push(
    'Bytes of the bundles as served (minified by scripts/build.mjs); gzip level 9, brotli quality 11.',
    '',
    table(
      ['Script', 'File', 'Minified', 'gzip', 'brotli'],
      sizes.map((s) => [s.label, s.source, fmt(s.minified), fmt(s.gzip), fmt(s.brotli)]),
    ),
  );
  const shares = results.visitorShares;
  if (shares?.length) {
    const total = shares.reduce((sum, share) => sum + share.bytes, 0);
    const shown = shares.slice(0, 15);
    const rest = shares.slice(15).reduce((sum, share) => sum + share.bytes, 0);
    const folders = new Map<string, number>();
    for (const share of shares) {
      const folder = share.source.startsWith('node_modules/') ? share.source : share.source.split('/').slice(0, -1).join('/');
      folders.set(folder, (folders.get(folder) ?? 0) + share.bytes);
    }
    const pct = (bytes: number) => `${((100 * bytes) / total).toFixed(1)} %`;
    lines.push(
      '',
      'Where the visitor engine’s minified bytes come from (esbuild metafile; gzip does not split by file, so this is the nearest measure of what each part costs), by folder, then the biggest files:',
      '',
      table(
        ['Folder', 'Minified', 'Share'],
        [...folders.entries()].sort((a, b) => b[1] - a[1]).map(([folder, bytes]) => [folder, `${(bytes / 1024).toFixed(1)} KB`, pct(bytes)]),
      ),
      '',
      table(
        ['Source', 'Minified', 'Share'],
        [
          ...shown.map((s) => [s.source, `${(s.bytes / 1024).toFixed(1)} KB`, `${((100 * s.bytes) / total).toFixed(1)} %`]),
          ...(rest > 0 ? [[`${shares.length - shown.length} other files`, `${(rest / 1024).toFixed(1)} KB`, `${((100 * rest) / total).toFixed(1)} %`]] : []),
        ],
      ),
    );
  }
  return lines.join('\n');
}

function relaySection(results: BenchResults): string {
  const relay = results.relay;
  const lines = ['## 4. Relay capacity', ''];
  if (!relay) return [...lines, 'Not measured in this run.'].join('\n');
  const preset = {
    full: 'with its own default windows',
    runner: 'with the runner’s shorter windows (BENCH_RELAY=full for its defaults)',
    quick: 'in its smoke configuration (BENCH_QUICK)',
  }[relay.preset];
  return [...lines, `bench/relay/ (its own README), ${preset}. Its targets appear in the table at the top.`, '', relay.markdown.trim()].join('\n');
}

function profilesSection(results: BenchResults): string {
  if (results.profiles.length === 0) return '';
  const lines = [
    '## Where the time goes (CPU profiles of missed targets)',
    '',
    'One extra run of our side per missed target under the CDP sampling profiler (100 µs). Self time = in the function itself; total = with its callees. Locations are mapped back to `src/` through the bundles’ source maps; `[bench]` marks the benchmark’s own harness (applying the burst, forcing the page’s layout), a name without a file is a browser built-in (DOM or JS API) called from script.',
  ];
  for (const record of results.profiles) {
    lines.push('', `### ${record.target} — ${record.subject}`, '', `${record.summary.busyMs.toFixed(0)} ms of main-thread work sampled (idle time left out).`, '');
    lines.push(
      table(
        ['By self time', 'Self ms', 'Total ms'],
        record.summary.bySelf.map((f) => [f.name, f.selfMs.toFixed(1), f.totalMs.toFixed(1)]),
      ),
      '',
      table(
        ['By total time (script functions)', 'Total ms', 'Self ms'],
        record.summary.byTotal.map((f) => [f.name, f.totalMs.toFixed(1), f.selfMs.toFixed(1)]),
      ),
    );
  }
  return lines.join('\n');
}

function runSection(results: BenchResults): string {
  const run = results.run;
  return [
    '## Machine and run',
    '',
    table(
      ['', ''],
      [
        ['Date', run.date],
        ['Duration', `${run.durationS.toFixed(0)} s${run.quick ? ' (BENCH_QUICK: fewer sizes, runs and changes — not the reference run)' : ''}`],
        ['Commit', run.commit],
        ['CPU', `${run.cpus} × ${run.cpuModel}`],
        ['Memory', `${run.memoryGiB.toFixed(1)} GiB`],
        ['OS', run.os],
        ['Node', run.node],
        ['Chromium', run.chromium],
        ['rrweb / rrweb-snapshot', run.rrweb],
        ['Load average (1 min)', `${run.load.start.toFixed(2)} at start, ${run.load.end.toFixed(2)} at end, ${run.load.max.toFixed(2)} highest seen`],
      ],
    ),
  ].join('\n');
}

/** The whole RESULTS.md. */
export function renderReport(results: BenchResults, targets: readonly TargetResult[]): string {
  const failures = results.failures.length
    ? ['## Benchmarks that failed', '', ...results.failures.map((f) => `- **${f.benchmark}**: ${f.message}`)].join('\n')
    : '';
  const sections = [
    '# Benchmark results',
    '',
    `Written by \`npm run bench\` on ${results.run.date} (${results.run.cpus} × ${results.run.cpuModel}, load average ${results.run.load.start.toFixed(2)}–${results.run.load.max.toFixed(2)}). How to reproduce and what each number means: [README.md](README.md). Raw numbers: [results.json](results.json).`,
    results.run.quick ? '\n> **Quick mode** (`BENCH_QUICK=1`): a smoke run with fewer sizes, runs and changes. Not the reference figures.' : '',
    results.run.load.max > results.run.cpus
      ? `> **Busy machine**: the load average reached ${results.run.load.max.toFixed(1)} on ${results.run.cpus} cores during this run (other processes wanted the CPU too). ` +
        'Absolute times are inflated and their ranges wide; a main-thread task can exceed 50 ms in wall time while using far less CPU. Compare the ratios, and re-run on a quiet machine before trusting a miss by a small margin.'
      : '',
    targetsSection(targets),
    failures,
    captureSection(results),
    burstSection(results),
    rebuildSection(results),
    latencySection(results),
    relaySection(results),
    lateJoinSection(results),
    sizesSection(results),
    profilesSection(results),
    runSection(results),
  ];
  return sections.filter((s) => s !== '').join('\n\n') + '\n';
}
