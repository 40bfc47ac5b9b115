/**
 * Summarises a V8 CPU profile (`node --cpu-prof`) of the server: where its time went, by
 * function, with each bundled function traced back to its source file and line through the
 * bundle's source map (dist/cli.js.map, written by scripts/build.mjs).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from './paths.js';

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

/** A generated position traced back to its source: file (relative to the repository) and 1-based line. */
interface SourcePosition {
  source: string;
  line: number;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * A decoded source map (v3, the `mappings` VLQ format): for each generated line, its
 * segments as [generated column, source index, original line], in column order.
 */
class SourceMap {
  private readonly lines: Array<Array<[number, number, number]>> = [];
  private readonly sources: string[];

  constructor(mapFile: string) {
    const map = JSON.parse(readFileSync(mapFile, 'utf8')) as { sources: string[]; sourceRoot?: string; mappings: string };
    const base = path.dirname(mapFile);
    // Sources relative to the repository when inside it (`src/…`, `bench/…`), else to the
    // folder above the map's (a bundle in dist/ of another tree).
    const root = repoRoot();
    this.sources = map.sources.map((source) => {
      const absolute = path.resolve(base, map.sourceRoot ?? '', source);
      const inRepo = path.relative(root, absolute);
      return inRepo.startsWith('..') ? path.relative(path.resolve(base, '..'), absolute) : inRepo;
    });
    let source = 0;
    let originalLine = 0;
    for (const line of map.mappings.split(';')) {
      const segments: Array<[number, number, number]> = [];
      let column = 0;
      for (const segment of line.split(',')) {
        if (!segment) continue;
        const fields = decodeVlq(segment);
        column += fields[0] ?? 0;
        if (fields.length >= 4) {
          source += fields[1]!;
          originalLine += fields[2]!;
          segments.push([column, source, originalLine]);
        }
      }
      this.lines.push(segments);
    }
  }

  /** The source position of a 0-based generated line and column, if mapped. */
  lookup(line: number, column: number): SourcePosition | undefined {
    const segments = this.lines[line];
    if (!segments || segments.length === 0) return undefined;
    let found = segments[0]!;
    for (const segment of segments) {
      if (segment[0] > column) break;
      found = segment;
    }
    const source = this.sources[found[1]];
    return source === undefined ? undefined : { source, line: found[2] + 1 };
  }
}

function decodeVlq(text: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of text) {
    const digit = BASE64.indexOf(char);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    values.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return values;
}

/** Summarises `profileFile`: areas, and the `top` functions by self and by total time. */
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
  const maps = new Map<string, SourceMap | null>();
  const mapFor = (file: string): SourceMap | null => {
    if (!maps.has(file)) {
      let map: SourceMap | null = null;
      try {
        if (existsSync(`${file}.map`)) map = new SourceMap(`${file}.map`);
      } catch {
        map = null;
      }
      maps.set(file, map);
    }
    return maps.get(file)!;
  };
  const describe = (frame: CallFrame): { location: string; area: string } => {
    const name = frame.functionName || '(anonymous)';
    if (!frame.url) {
      if (name === '(garbage collector)') return { location: name, area: 'GC' };
      if (name === '(idle)' || name === '(program)' || name === '(root)') return { location: name, area: name };
      return { location: name, area: 'native/other' };
    }
    if (frame.url.startsWith('node:')) return { location: `${name} (${frame.url}:${frame.lineNumber + 1})`, area: 'Node internals' };
    const file = frame.url.startsWith('file://') ? fileURLToPath(frame.url) : frame.url;
    // Bundled code (the server's dist/cli.js) is traced back through its source map.
    const mapped = file.includes('/node_modules/') ? undefined : mapFor(file)?.lookup(frame.lineNumber, frame.columnNumber);
    let where = mapped ? mapped.source : file;
    const line = mapped ? mapped.line : frame.lineNumber + 1;
    const nm = where.lastIndexOf('node_modules/');
    if (nm >= 0) where = where.slice(nm);
    const area = where.startsWith('src/') ? 'ours (src/)' : where.startsWith('node_modules/ws/') ? 'ws' : where.startsWith('node_modules/') ? 'other packages' : 'other';
    return { location: `${name} (${where}:${line})`, area };
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
