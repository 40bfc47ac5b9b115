/**
 * Benchmark 6 (script sizes): the bundles we serve (dist/public/*.js, built minified by
 * scripts/build.mjs) in bytes, gzip (level 9) and brotli (quality 11), plus two bundles
 * built here: our capture engine alone (Recorder + FrameWriter) and rrweb's
 * recorder alone (`import { record } from 'rrweb'`), both minified by esbuild.
 */
import { build, type BuildOptions } from 'esbuild';
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

/** The options scripts/build.mjs bundles the served scripts with. */
const BROWSER_BUNDLE: BuildOptions = {
  bundle: true,
  write: false,
  format: 'iife',
  platform: 'browser',
  target: ['chrome100', 'firefox100', 'safari15'],
  minify: true,
  legalComments: 'none',
  logLevel: 'silent',
};

/** Bundles `contents` (an ESM module resolved from the repository) minified, as a browser IIFE. */
async function bundleOf(repoRoot: string, contents: string): Promise<Uint8Array> {
  const result = await build({ ...BROWSER_BUNDLE, absWorkingDir: repoRoot, stdin: { contents, resolveDir: repoRoot, loader: 'ts' } });
  const file = result.outputFiles?.[0];
  if (!file) throw new Error('esbuild wrote no bundle');
  return file.contents;
}

/** A source file's share of a bundle. */
export interface BundleShare {
  /** Source path relative to the repository (or `node_modules/<package>`). */
  source: string;
  /** Minified bytes it contributes. */
  bytes: number;
}

/** The visitor engine's entry (scripts/build.mjs). */
const VISITOR_ENTRY = 'src/visitor/engine/index.ts';

/**
 * Which sources the visitor engine's minified bytes come from (esbuild's metafile), biggest
 * first, packages folded together. Gzip does not split by file; minified bytes are the
 * nearest measure of what each part costs.
 */
export async function visitorBundleShares(repoRoot: string): Promise<BundleShare[]> {
  const result = await build({ ...BROWSER_BUNDLE, absWorkingDir: repoRoot, entryPoints: [VISITOR_ENTRY], outfile: 'visitor.js', metafile: true });
  const output = Object.values(result.metafile?.outputs ?? {}).find((o) => o.entryPoint !== undefined);
  const shares = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const packageName = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
    const source = packageName ? `node_modules/${packageName}` : input;
    shares.set(source, (shares.get(source) ?? 0) + bytesInOutput);
  }
  return [...shares.entries()].map(([source, bytes]) => ({ source, bytes })).sort((a, b) => b.bytes - a.bytes);
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
  sizes.push({ id: 'capture-core', label: 'Capture engine alone (Recorder + FrameWriter)', source: 'esbuild --minify', ...measure(core) });
  const rrweb = await bundleOf(repoRoot, "import { record } from 'rrweb';\n(globalThis as any).__record = record;\n");
  sizes.push({ id: 'rrweb-record', label: 'rrweb 2.2.2 recorder alone (yardstick)', source: 'esbuild --minify', ...measure(rrweb) });
  return sizes;
}
