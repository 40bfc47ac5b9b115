/**
 * Summarises a V8 CPU profile (`node --cpu-prof`) of the server: where its time went, by
 * function, with each bundled function traced back to its source file. The server bundle
 * (dist/cli.js, esbuild, not minified) marks every module with a `// src/...` comment, so a
 * line of the bundle maps to the module above it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** Time spent in one function. */
export interface ProfileEntry {
  /** `name (file:line)`, the file relative to the repository for our code. */
  location: string;
  /** Time in the function itself, ms, and as a share of the busy time. */
  selfMs: number;
  selfShare: number;
  /** Time in the function and what it called, ms, and as a share of the busy time. */
  totalMs: number;
  totalShare: number;
}

/** Where a process's CPU time went. */
export interface ProfileSummary {
  /** Profiled wall time, ms. */
  durationMs: number;
  /** Time not idle, ms. */
  busyMs: number;
  /** Busy time by area: our code (`src/…`), `ws`, Node internals, GC, native/other. */
  byArea: Record<string, number>;
  /** Functions with the most self time. */
  topSelf: ProfileEntry[];
  /** Functions of our own code (`src/…`) with the most total (inclusive) time. */
  topOwnTotal: ProfileEntry[];
}

/** Module markers of a bundle: the line where each `// path` section starts. */
function bundleSections(file: string): Array<{ line: number; source: string }> {
  const sections: Array<{ line: number; source: string }> = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((text, index) => {
    const match = /^\/\/ ((?:src|node_modules|bench|test)\/\S+\.[cm]?[jt]s)$/.exec(text);
    if (match) sections.push({ line: index, source: match[1]! });
  });
  return sections;
}

function sourceOf(sections: Array<{ line: number; source: string }>, line: number): string | undefined {
  let found: string | undefined;
  for (const section of sections) {
    if (section.line > line) break;
    found = section.source;
  }
  return found;
}

/**
 * Summarises `profileFile`. `bundleFile` is the server bundle whose lines are traced back
 * to source files (default: any `file://…/dist/cli.js` the profile names).
 */
export function summariseCpuProfile(profileFile: string, top = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const durationMs = (profile.endTime - profile.startTime) / 1000;
  // Self time per node from the samples and their time deltas (µs).
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const delta = deltas[i + 1] ?? 0;
    selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + Math.max(0, delta));
  }
  const bundles = new Map<string, Array<{ line: number; source: string }>>();
  const describe = (frame: CallFrame): { location: string; area: string } => {
    const name = frame.functionName || '(anonymous)';
    if (!frame.url) {
      if (name === '(garbage collector)') return { location: name, area: 'GC' };
      if (name === '(idle)' || name === '(program)' || name === '(root)') return { location: name, area: name };
      return { location: name, area: 'native/other' };
    }
    if (frame.url.startsWith('node:')) return { location: `${name} (${frame.url}:${frame.lineNumber + 1})`, area: 'Node internals' };
    let path = frame.url.startsWith('file://') ? fileURLToPath(frame.url) : frame.url;
    if (path.endsWith('/dist/cli.js')) {
      let sections = bundles.get(path);
      if (!sections) bundles.set(path, (sections = bundleSections(path)));
      const source = sourceOf(sections, frame.lineNumber);
      if (source) path = source;
    }
    const nm = path.lastIndexOf('node_modules/');
    if (nm >= 0) path = path.slice(nm);
    const area = path.startsWith('src/') ? 'ours (src/)' : path.startsWith('node_modules/ws/') ? 'ws' : path.startsWith('node_modules/') ? 'other packages' : 'other';
    return { location: `${name} (${path}:${frame.lineNumber + 1})`, area };
  };
  const info = new Map<number, { location: string; area: string }>();
  for (const node of profile.nodes) info.set(node.id, describe(node.callFrame));

  // Inclusive time: a node's own plus its subtree's, counted once per location per stack.
  const totalByLocation = new Map<string, number>();
  const selfByLocation = new Map<string, number>();
  const byArea: Record<string, number> = {};
  const root = profile.nodes[0];
  const walk = (id: number, onStack: Map<string, number>): number => {
    const node = byId.get(id)!;
    const { location, area } = info.get(id)!;
    const self = (selfUs.get(id) ?? 0) / 1000;
    selfByLocation.set(location, (selfByLocation.get(location) ?? 0) + self);
    byArea[area] = (byArea[area] ?? 0) + self;
    onStack.set(location, (onStack.get(location) ?? 0) + 1);
    let total = self;
    for (const child of node.children ?? []) total += walk(child, onStack);
    const depth = onStack.get(location)! - 1;
    if (depth === 0) {
      onStack.delete(location);
      totalByLocation.set(location, (totalByLocation.get(location) ?? 0) + total);
    } else {
      onStack.set(location, depth);
    }
    return total;
  };
  if (root) walk(root.id, new Map());
  const idle = (byArea['(idle)'] ?? 0) + (byArea['(root)'] ?? 0);
  const busyMs = Object.values(byArea).reduce((a, b) => a + b, 0) - idle;
  delete byArea['(idle)'];
  delete byArea['(root)'];
  const entry = (location: string): ProfileEntry => {
    const selfMs = selfByLocation.get(location) ?? 0;
    const totalMs = totalByLocation.get(location) ?? 0;
    return { location, selfMs, selfShare: busyMs ? selfMs / busyMs : 0, totalMs, totalShare: busyMs ? totalMs / busyMs : 0 };
  };
  const skip = new Set(['(idle)', '(root)', '(program)']);
  const topSelf = [...selfByLocation.keys()]
    .filter((location) => !skip.has(location))
    .sort((a, b) => (selfByLocation.get(b) ?? 0) - (selfByLocation.get(a) ?? 0))
    .slice(0, top)
    .map(entry);
  const topOwnTotal = [...totalByLocation.keys()]
    .filter((location) => / \(src\//.test(location))
    .sort((a, b) => (totalByLocation.get(b) ?? 0) - (totalByLocation.get(a) ?? 0))
    .slice(0, top)
    .map(entry);
  return { durationMs, busyMs, byArea, topSelf, topOwnTotal };
}
