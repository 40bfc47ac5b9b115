// Bundles the relay benchmark's command line (bench/relay/cli.ts) with esbuild and runs it,
// for working on the benchmark without the project's runner.
// Usage: node bench/relay/dev-run.mjs <record|bench|load> [options]   (cli.ts --help lists them)
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
// Per process, so that two runs never rewrite each other's bundle.
const outfile = path.join(root, 'bench', 'out', 'relay-build', `cli-${process.pid}.mjs`);

await build({
  absWorkingDir: root,
  entryPoints: [path.join(here, 'cli.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});

const child = spawn(process.execPath, ['--enable-source-maps', outfile, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
const forward = (signal) => child.kill(signal);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
child.on('exit', (code, signal) => {
  rmSync(outfile, { force: true });
  rmSync(`${outfile}.map`, { force: true });
  process.exitCode = code ?? (signal ? 1 : 0);
});
