// Builds the browser bundles (IIFE, minified) and the server (ESM, dependencies external).
// Usage: node scripts/build.mjs [--watch]
import { build, context } from 'esbuild';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const out = path.join(root, 'dist');
mkdirSync(path.join(out, 'public'), { recursive: true });

/** Browser bundles served by the server under /static/ (loader under its Glance name too). */
const browserEntries = {
  loader: 'src/visitor/loader/index.ts',
  visitor: 'src/visitor/engine/index.ts',
  xdom: 'src/visitor/xdom/helper.ts',
  viewer: 'src/agent/viewer/index.ts',
  'agent-api': 'src/agent/api/index.ts',
  console: 'src/agent/console/index.ts',
};

/** Test-only bundles: never served to users. */
const testEntries = {
  'capture-harness': 'test/harness/capture-harness.ts',
};

const existing = (entries) =>
  Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(path.join(root, file))));
const entries = existing(browserEntries);

const browserOptions = {
  absWorkingDir: root,
  entryPoints: entries,
  outdir: path.join(out, 'public'),
  bundle: true,
  format: 'iife',
  target: ['chrome100', 'firefox100', 'safari15'],
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
};

const serverOptions = {
  absWorkingDir: root,
  entryPoints: { cli: 'src/cli/index.ts' },
  outdir: out,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
};

const testOptions = { ...browserOptions, entryPoints: existing(testEntries), outdir: path.join(out, 'test'), minify: false };

if (process.argv.includes('--watch')) {
  const contexts = [await context(browserOptions)];
  if (existsSync(path.join(root, 'src/cli/index.ts'))) contexts.push(await context(serverOptions));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('watching for changes…');
} else {
  await build(browserOptions);
  await build(testOptions);
  if (existsSync(path.join(root, 'src/cli/index.ts'))) await build(serverOptions);
}
