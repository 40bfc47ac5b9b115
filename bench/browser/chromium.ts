/**
 * Headless Chromium for the benchmarks: Debian's build driven by playwright-core, the
 * house flags (TOOLING-NOTES.md), config and cache in a temp directory, plus what a
 * benchmark needs: `gc()` exposed (each run starts from a collected heap) and no
 * throttling of background pages or timers (the visitor and the agent pages both run at
 * full speed, as two people's foreground tabs would).
 */
import { chromium, type Browser } from 'playwright-core';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Flags for a quiet headless Chromium; see TOOLING-NOTES.md. */
const HOUSE_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** What the benchmarks add. */
const BENCH_FLAGS = [
  '--js-flags=--expose-gc',
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

/** The Chromium binary: `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`. */
export function chromiumPath(): string {
  const file = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
  if (!existsSync(file)) {
    throw new Error(`Chromium not found at ${file}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  return file;
}

/** Launches Chromium for a benchmark; its temp profile is removed when it closes. */
export async function launchChromium(): Promise<Browser> {
  const home = mkdtempSync(path.join(tmpdir(), 'oc-bench-chromium-'));
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: [...HOUSE_FLAGS, ...BENCH_FLAGS],
    env: { ...process.env, XDG_CONFIG_HOME: path.join(home, 'config'), XDG_CACHE_HOME: path.join(home, 'cache') },
  });
  browser.on('disconnected', () => rmSync(home, { recursive: true, force: true }));
  return browser;
}
