/**
 * Builds the in-page bench bundle (bench-page.ts: our recorder, frame writer and mirror,
 * rrweb's recorder and rrweb-snapshot's rebuild) with esbuild, unminified (minifying
 * changes no V8 timing worth measuring, and CPU profiles then name every function) with a
 * source map, so profiles point at src/ files and lines.
 */
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** Builds the bundle (and its .map) into `outDir` and returns the bundle's text. */
export async function buildBenchBundle(repoRoot: string, outDir: string): Promise<string> {
  const outfile = path.join(outDir, 'bench-page.js');
  await build({
    absWorkingDir: repoRoot,
    entryPoints: [path.join(repoRoot, 'bench/browser/bench-page.ts')],
    outfile,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    // The production bundles' targets (scripts/build.mjs), so the same syntax is lowered.
    target: ['chrome100', 'firefox100', 'safari15'],
    sourcemap: 'external',
    sourcesContent: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  return readFile(outfile, 'utf8');
}
