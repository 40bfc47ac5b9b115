/**
 * The pages the capture, burst and rebuild benchmarks run on: generated pages of a given
 * size (bench/pages/generate.ts) and the project's large-table fixture (5,000 × 6 cells
 * built by script, test/fixtures/pages/large-table.html). Also how a fresh tab opens one
 * and waits until it is quiet, so the capture never pays for the page's own loading.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { generatePage } from '../pages/generate.js';
import type { Site } from './site.js';

/** The visitor's viewport, CSS pixels (the fixtures' and tests' size). */
export const VIEWPORT = { width: 1280, height: 800 } as const;

/** A page of the benchmarks. */
export interface BenchPage {
  /** Short id, used in file names and results.json. */
  id: string;
  /** What the report calls it. */
  label: string;
  /** Path on the bench site. */
  path: string;
  /** A fixture page: ready when it sets `window.__fixtureReady`. */
  fixture: boolean;
}

/** URL prefix of the fixture pages on the bench site. */
export const FIXTURES_PREFIX = '/fixtures/';

/** Registers generated pages of `sizes` elements (and the table fixture) on `site`. */
export function benchPages(site: Site, sizes: readonly number[], withTable: boolean): BenchPage[] {
  const pages: BenchPage[] = [];
  for (const size of sizes) {
    const { html } = generatePage({ elements: size, seed: size });
    const path = `/gen/${size}.html`;
    site.route(path, { type: 'text/html; charset=utf-8', body: html });
    pages.push({ id: `gen-${size}`, label: `generated, ${size.toLocaleString('en-US')} elements`, path, fixture: false });
  }
  if (withTable) {
    pages.push({ id: 'large-table', label: 'large-table fixture (5,000 × 6)', path: `${FIXTURES_PREFIX}large-table.html`, fixture: true });
  }
  return pages;
}

/** Resolves after two animation frames and `ms` more: the page has laid out and painted. */
export async function settle(page: Page, ms = 200): Promise<void> {
  await page.evaluate(
    (wait) => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, wait)))),
    ms,
  );
}

/** Opens `bench` in a fresh tab of `context`, waits until it is ready and quiet, adds the bench bundle. */
export async function openBenchPage(context: BrowserContext, site: Site, bench: BenchPage): Promise<Page> {
  const page = await context.newPage();
  await page.goto(site.url + bench.path, { waitUntil: 'load', timeout: 120_000 });
  if (bench.fixture) {
    await page.waitForFunction(() => (window as { __fixtureReady?: boolean }).__fixtureReady === true, null, { timeout: 120_000 });
  }
  await page.addScriptTag({ url: `${site.url}${BENCH_BUNDLE_PATH}` });
  await settle(page, 300);
  return page;
}

/** Path of the bench bundle on the bench site. */
export const BENCH_BUNDLE_PATH = '/bench/bench-page.js';
