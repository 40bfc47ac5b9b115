/**
 * Benchmark 6 (script sizes): the bundles we serve (dist/public/*.js, built minified by
 * scripts/build.mjs) in bytes, gzip (level 9) and brotli (quality 11), plus two bundles
 * built here for context: our capture core alone (Recorder + FrameWriter) and rrweb's
 * recorder alone (`import { record } from 'rrweb'`), both minified by esbuild.
 */
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** One script's sizes, bytes; null when the bundle is not built. */
export interface ScriptSize {
  id: 'loader' | 'visitor' | 'viewer' | 'agent-api' | 'capture-core' | 'rrweb-record';
  label: string;
  /** Where it comes from (a dist file or what was bundled). */
  source: string;
  minified: number | null;
  gzip: number | null;
  brotli: number | null;
}

const SERVED: readonly { id: ScriptSize['id']; label: string; file: string }[] = [
  { id: 'loader', label: 'Loader', file: 'dist/public/loader.js' },
  { id: 'visitor', label: 'Visitor engine (capture, masking, connection, UI)', file: 'dist/public/visitor.js' },
  { id: 'viewer', label: 'Viewer', file: 'dist/public/viewer.js' },
  { id: 'agent-api', label: 'Agent API', file: 'dist/public/agent-api.js' },
];

function measure(bytes: Uint8Array): Pick<ScriptSize, 'minified' | 'gzip' | 'brotli'> {
  return {
    minified: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

/** Bundles `contents` (an ESM module resolved from the repository) minified, as a browser IIFE. */
async function bundleOf(repoRoot: string, contents: string): Promise<Uint8Array> {
  const result = await build({
    absWorkingDir: repoRoot,
    stdin: { contents, resolveDir: repoRoot, loader: 'ts' },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: ['chrome100', 'firefox100', 'safari15'],
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.contents;
}

/** Measures every script. */
export async function measureSizes(repoRoot: string): Promise<ScriptSize[]> {
  const sizes: ScriptSize[] = [];
  for (const { id, label, file } of SERVED) {
    const full = path.join(repoRoot, file);
    sizes.push(
      existsSync(full)
        ? { id, label, source: file, ...measure(readFileSync(full)) }
        : { id, label, source: file, minified: null, gzip: null, brotli: null },
    );
  }
  const core = await bundleOf(
    repoRoot,
    "import { Recorder } from './src/visitor/capture/recorder.ts';\n" +
      "import { FrameWriter } from './src/visitor/engine/frame-writer.ts';\n" +
      '(globalThis as any).__capture = { Recorder, FrameWriter };\n',
  );
  sizes.push({ id: 'capture-core', label: 'Capture core alone (Recorder + FrameWriter), for context', source: 'esbuild --minify', ...measure(core) });
  const rrweb = await bundleOf(repoRoot, "import { record } from 'rrweb';\n(globalThis as any).__record = record;\n");
  sizes.push({ id: 'rrweb-record', label: 'rrweb 2.2.2 recorder alone (yardstick)', source: 'esbuild --minify', ...measure(rrweb) });
  return sizes;
}
