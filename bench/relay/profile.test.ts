import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { summariseCpuProfile } from './profile.js';

describe('CPU profile summary', () => {
  it('traces bundled functions back to their source file and line, with self and total time', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'oc-profile-test-'));
    mkdirSync(path.join(dir, 'src'));
    mkdirSync(path.join(dir, 'dist'));
    writeFileSync(path.join(dir, 'src', 'outer.ts'), ['import { inner } from "./inner.js";', '', 'export function outer(n: number): number {', '  return inner(n) + 1;', '}', ''].join('\n'));
    writeFileSync(path.join(dir, 'src', 'inner.ts'), ['// padding', '// padding', 'export function inner(n: number): number {', '  return n * 2;', '}', ''].join('\n'));
    writeFileSync(path.join(dir, 'src', 'main.ts'), 'import { outer } from "./outer.js";\nconsole.log(outer(1));\n');
    const bundle = path.join(dir, 'dist', 'cli.js');
    await build({ entryPoints: [path.join(dir, 'src', 'main.ts')], outfile: bundle, bundle: true, platform: 'node', format: 'esm', sourcemap: 'linked', logLevel: 'silent' });
    const lines = readFileSync(bundle, 'utf8').split('\n');
    const where = (name: string) => {
      const line = lines.findIndex((text) => text.includes(`function ${name}(`));
      return { lineNumber: line, columnNumber: lines[line]!.indexOf('function') };
    };
    const url = pathToFileURL(bundle).href;
    // root → outer → inner; outer spends 30 ms itself, inner 10 ms, idle 60 ms.
    const profile = {
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1 }, children: [2, 4] },
        { id: 2, callFrame: { functionName: 'outer', url, ...where('outer') }, children: [3] },
        { id: 3, callFrame: { functionName: 'inner', url, ...where('inner') }, children: [] },
        { id: 4, callFrame: { functionName: '(idle)', url: '', lineNumber: -1, columnNumber: -1 }, children: [] },
      ],
      startTime: 0,
      endTime: 100_000,
      samples: [2, 2, 2, 3, 4, 4, 4, 4, 4, 4],
      timeDeltas: [0, 10_000, 10_000, 10_000, 10_000, 10_000, 10_000, 10_000, 10_000, 10_000, 10_000],
    };
    const file = path.join(dir, 'test.cpuprofile');
    writeFileSync(file, JSON.stringify(profile));
    const summary = summariseCpuProfile(file);
    expect(summary.busyMs).toBeCloseTo(40);
    expect(summary.topOwnTotal.map((e) => [e.location, Math.round(e.totalMs), Math.round(e.selfMs)])).toEqual([
      ['outer (src/outer.ts:3)', 40, 30],
      ['inner (src/inner.ts:3)', 10, 10],
    ]);
    expect(summary.byArea).toEqual({ 'ours (src/)': 40 });
  });
});
