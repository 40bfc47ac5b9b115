// Launcher of the benchmark suite (`npm run bench`): bundles bench/run.ts for Node with
// esbuild into dist/bench/run.mjs (dependencies stay external: they resolve from
// node_modules) and runs it. Usage: node --expose-gc bench/run.mjs
//   BENCH_QUICK=1   a fast smoke run (fewer sizes, runs and changes)
//   BENCH_ONLY=a,b  only these benchmarks: capture, rebuild, latency, latejoin, sizes, relay
// The browser bundles must be built first (node scripts/build.mjs); `npm run bench` does it.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const outfile = path.join(root, 'dist', 'bench', 'run.mjs');

await build({
  absWorkingDir: root,
  entryPoints: [path.join(root, 'bench', 'run.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
});

// Stack traces point into bench/*.ts.
process.setSourceMapsEnabled(true);
const { main } = await import(pathToFileURL(outfile).href);
try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
}
