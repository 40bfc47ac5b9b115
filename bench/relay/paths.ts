/**
 * Where the relay benchmark finds the repository: the server's CLI bundle, the recorded
 * frames and the place its child-process bundles are written. Works from the TypeScript
 * sources and from an esbuild bundle placed anywhere inside the repository.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'opencobrowse';

function isRepoRoot(dir: string): boolean {
  const manifest = path.join(dir, 'package.json');
  if (!existsSync(manifest)) return false;
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

function findUp(start: string): string | undefined {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (isRepoRoot(dir)) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

let cachedRoot: string | undefined;

/**
 * The repository root: the nearest folder above this module (or its bundle) whose
 * `package.json` is OpenCobrowse's, else above the working directory. Throws when neither is.
 */
export function repoRoot(): string {
  if (cachedRoot) return cachedRoot;
  const here = path.dirname(fileURLToPath(import.meta.url));
  const root = findUp(here) ?? findUp(process.cwd());
  if (!root) throw new Error(`cannot find the OpenCobrowse repository above ${here} or ${process.cwd()}`);
  cachedRoot = root;
  return root;
}

/** The server's CLI bundle (`node scripts/build.mjs` makes it). */
export function serverCliPath(): string {
  return path.join(repoRoot(), 'dist', 'cli.js');
}

/** The folder of recorded page frames (`*.bin`, see frames/README.md). */
export function framesDir(): string {
  return path.join(repoRoot(), 'bench', 'relay', 'frames');
}

/**
 * Where child-process entries are bundled: under `bench/out/` (git- and lint-ignored),
 * inside the repository so that `ws` resolves from its node_modules.
 */
export function buildDir(): string {
  return path.join(repoRoot(), 'bench', 'out', 'relay-build');
}
