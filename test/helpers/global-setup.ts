/**
 * Runs once before the tests: builds the browser bundles and the server (the tests use
 * what users get), so `vitest` alone works as well as `npm test`, and makes sure Chromium
 * is there before parallel workers need it (installing it once, as root, if missing).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { chromiumExecutable } from './browser.js';

export default function setup(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  try {
    chromiumExecutable();
  } catch (error) {
    // Unit and integration tests still run; each browser test fails with this message.
    console.warn(`\n${(error as Error).message}\n`);
  }
}
