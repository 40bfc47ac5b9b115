/**
 * CPU profiles of a page (CDP `Profiler`), boiled down to where the time went: self time
 * and total time per function, heaviest first. The runner takes one for every comparison
 * whose target was missed, so RESULTS.md says which of our functions cost the time.
 * Script locations are mapped back through the bundles' source maps to `src/…ts:line`.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import type { CDPSession, Page } from 'playwright-core';

/** A function's share of a profile. */
export interface HotFunction {
  /**
   * `name (src/file.ts:line)` for our code, `rrweb: name` for rrweb's, `[bench] name` for
   * the benchmark's own harness; `(garbage collector)` and `(program)` are V8's; a bare
   * name without a file is a browser built-in (DOM or JS API) called from script.
   */
  name: string;
  /** Time spent in the function itself, ms. */
  selfMs: number;
  /** Time with the function on the stack (callees included, recursion counted once), ms. */
  totalMs: number;
}

/** A profile's summary. */
export interface ProfileSummary {
  /** Sampled time when the main thread was not idle, ms. */
  busyMs: number;
  /** Heaviest functions by self time. */
  bySelf: HotFunction[];
  /** Heaviest script functions by total time. */
  byTotal: HotFunction[];
}

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

/** Sampling interval, µs: fine enough for functions of a few hundred µs. */
const SAMPLING_INTERVAL_US = 100;
/** Functions listed per table. */
const TOP = 15;

/** Maps script locations of bundles (by file name) to their sources. */
export class SourceMapper {
  private readonly maps = new Map<string, { map: SourceMap; dir: string }>();

  /**
   * @param repoRoot sources are shown relative to it
   * @param bundles bundle file paths with a `.map` beside them (missing maps are skipped)
   */
  constructor(
    private readonly repoRoot: string,
    bundles: readonly string[],
  ) {
    for (const file of bundles) {
      try {
        const payload = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0];
        this.maps.set(path.basename(file), { map: new SourceMap(payload), dir: path.dirname(file) });
      } catch {
        // No map: locations stay in the bundle.
      }
    }
  }

  /** The name shown for a call frame. */
  describe(frame: CallFrame): string {
    const name = frame.functionName || '(anonymous)';
    if (!frame.url) return name;
    const file = frame.url.slice(frame.url.lastIndexOf('/') + 1).split('?')[0]!;
    const entry = this.maps.get(file);
    const original = entry?.map.findEntry(frame.lineNumber, frame.columnNumber);
    if (!entry || !original || !('originalSource' in original) || !original.originalSource) return `${name} (${file}:${frame.lineNumber + 1})`;
    const source = path.relative(this.repoRoot, path.resolve(entry.dir, original.originalSource));
    if (source.startsWith('bench/')) return `[bench] ${name}`;
    const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source);
    if (packageMatch) return `${packageMatch[1]}: ${name}`;
    // Minified bundles rename functions (`q`): take the name from the declaring line.
    const shown = name.length <= 3 || name === '(anonymous)' ? (this.sourceName(source, original.originalLine) ?? name) : name;
    return `${shown} (${source}:${original.originalLine + 1})`;
  }

  private readonly lines = new Map<string, string[] | null>();

  /**
   * The function's name as the source line declaring it spells it (minified bundles rename
   * functions; the map keeps their place, not always their name). Null when not clear.
   */
  private sourceName(source: string, line: number): string | null {
    let lines = this.lines.get(source);
    if (lines === undefined) {
      try {
        lines = readFileSync(path.join(this.repoRoot, source), 'utf8').split('\n');
      } catch {
        lines = null;
      }
      this.lines.set(source, lines);
    }
    const text = lines?.[line];
    if (!text) return null;
    const declared =
      /\bfunction\s*\*?\s*([A-Za-z_$][\w$]*)/.exec(text) ??
      /^\s*(?:(?:export|public|private|protected|static|async|override|readonly|get|set)\s+)*(constructor|[A-Za-z_$][\w$]*)\s*[(<]/.exec(text) ??
      /^\s*(?:(?:export|const|let|private|readonly)\s+)*([A-Za-z_$][\w$]*)\s*[:=]\s*(?:async\s*)?\(/.exec(text);
    const found = declared?.[1];
    return found && !['if', 'for', 'while', 'switch', 'return', 'catch'].includes(found) ? found : null;
  }
}

/** Profiles `page` while `action` runs. */
export async function profilePage<T>(page: Page, action: () => Promise<T>, mapper?: SourceMapper): Promise<{ result: T; profile: ProfileSummary }> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  try {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
    await cdp.send('Profiler.start');
    let profile: CpuProfile | undefined;
    let result: T;
    try {
      result = await action();
    } finally {
      profile = ((await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile }).profile;
    }
    return { result, profile: summarizeProfile(profile, mapper) };
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/** Self and total time per function of a CDP CPU profile. */
export function summarizeProfile(profile: CpuProfile, mapper?: SourceMapper): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parentOf = new Map<number, number>();
  const names = new Map<number, string>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    names.set(node.id, mapper ? mapper.describe(node.callFrame) : node.callFrame.functionName || '(anonymous)');
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  }
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let busyUs = 0;
  for (let i = 0; i < samples.length; i++) {
    // A sample's duration is the gap to the next one.
    const us = deltas[i + 1] ?? 0;
    const leaf = byId.get(samples[i]!);
    if (!leaf) continue;
    const leafName = names.get(leaf.id)!;
    if (leafName === '(idle)') continue;
    busyUs += us;
    self.set(leafName, (self.get(leafName) ?? 0) + us);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parentOf.get(id)) {
      const node = byId.get(id)!;
      if (!node.callFrame.url) continue;
      const name = names.get(id)!;
      if (seen.has(name)) continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + us);
    }
  }
  const rank = (map: Map<string, number>) =>
    [...map.entries()]
      .filter(([name]) => name !== '(root)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP)
      .map(([name]) => ({ name, selfMs: (self.get(name) ?? 0) / 1000, totalMs: (total.get(name) ?? 0) / 1000 }));
  return { busyMs: busyUs / 1000, bySelf: rank(self), byTotal: rank(total) };
}
