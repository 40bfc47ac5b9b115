/**
 * Benchmark 2 (rebuild in the viewer): the keyframes recorded by the capture benchmark are
 * rebuilt in a fresh tab of a viewer-like page — ours by `Mirror.applyKeyframe`, rrweb's
 * by rrweb-snapshot's `rebuildIntoSandboxedIframe` — from their JSON text (JSON.parse
 * included). Ours is also rebuilt from its compressed frame payload (inflate included),
 * which is what the viewer really receives. Sides alternate run by run. Waiting until the
 * mirror is painted takes seconds on the biggest pages, so only the first runs do it.
 */
import { deflateRawSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import type { BenchApi } from './bench-page.js';
import { BENCH_BUNDLE_PATH, VIEWPORT, type BenchPage } from './bench-pages.js';
import type { RebuildMeasure } from './measures.js';
import { profilePage, type ProfileSummary, type SourceMapper } from './profile.js';
import type { Site } from './site.js';

/** The rebuilds of one page. */
export interface RebuildPageResult {
  page: BenchPage;
  ours: RebuildMeasure[];
  oursDeflated: RebuildMeasure[];
  rrweb: RebuildMeasure[];
}

export type RebuildSide = 'ours' | 'ours-deflated' | 'rrweb';

const REBUILD_PAGE_PATH = '/bench/rebuild.html';

type BenchWindow = Window & { OCBench: BenchApi };

/** Serves the rebuild page and one page's payloads; returns their URLs by side. */
export function serveRebuildInputs(site: Site, bench: BenchPage, payloads: { ours: string; rrweb: string }): Record<RebuildSide, string> {
  site.route(REBUILD_PAGE_PATH, {
    type: 'text/html; charset=utf-8',
    body:
      '<!DOCTYPE html><html><head><meta charset="utf-8"><title>rebuild</title><link rel="icon" href="data:,">' +
      '<style>html,body{margin:0}#stage iframe{border:0;display:block}</style></head>' +
      `<body><div id="stage"></div><script src="${BENCH_BUNDLE_PATH}"></script></body></html>`,
  });
  const urls = {
    ours: `/payload/${bench.id}/ours.json`,
    'ours-deflated': `/payload/${bench.id}/ours.deflate`,
    rrweb: `/payload/${bench.id}/rrweb.json`,
  };
  site.route(urls.ours, { type: 'application/json', body: payloads.ours });
  site.route(urls['ours-deflated'], { type: 'application/octet-stream', body: deflateRawSync(Buffer.from(payloads.ours, 'utf8')) });
  site.route(urls.rrweb, { type: 'application/json', body: payloads.rrweb });
  return urls;
}

async function rebuildIn(page: Page, side: RebuildSide, url: string, waitPaint: boolean): Promise<RebuildMeasure> {
  const args = { u: url, p: waitPaint };
  switch (side) {
    case 'ours':
      return page.evaluate(({ u, p }) => (window as unknown as BenchWindow).OCBench.rebuildOurs(u, p), args);
    case 'ours-deflated':
      return page.evaluate(({ u, p }) => (window as unknown as BenchWindow).OCBench.rebuildOursCompressed(u, p), args);
    case 'rrweb':
      return page.evaluate(({ u, p }) => (window as unknown as BenchWindow).OCBench.rebuildRrweb(u, p), args);
  }
}

/** Runs that also wait until the mirror is painted (seconds at 50,000 elements). */
const PAINTED_RUNS = 2;
/** Runs of the third side, ours from the compressed frame (for context, not a target). */
const DEFLATED_RUNS = 3;

async function openRebuildPage(browser: Browser, site: Site) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  await page.goto(site.url + REBUILD_PAGE_PATH);
  await page.waitForFunction(() => 'OCBench' in window);
  return { context, page };
}

/** Rebuilds each page's keyframes `runs` times per side, a fresh tab each time. */
export async function runRebuildBench(
  browser: Browser,
  site: Site,
  inputs: readonly { page: BenchPage; payloads: { ours: string; rrweb: string } }[],
  runs: number,
  log: (line: string) => void,
): Promise<RebuildPageResult[]> {
  const results: RebuildPageResult[] = [];
  for (const { page: bench, payloads } of inputs) {
    const urls = serveRebuildInputs(site, bench, payloads);
    const result: RebuildPageResult = { page: bench, ours: [], oursDeflated: [], rrweb: [] };
    for (let run = 0; run < runs; run++) {
      const order: RebuildSide[] = run % 2 === 0 ? ['ours', 'rrweb'] : ['rrweb', 'ours'];
      if (run < DEFLATED_RUNS) order.push('ours-deflated');
      for (const side of order) {
        const { context, page } = await openRebuildPage(browser, site);
        try {
          const measure = await rebuildIn(page, side, urls[side], run < PAINTED_RUNS);
          (side === 'ours' ? result.ours : side === 'rrweb' ? result.rrweb : result.oursDeflated).push(measure);
          const painted = Number.isNaN(measure.paintedMs) ? '' : `, painted ${measure.paintedMs.toFixed(1)} ms`;
          log(`  ${bench.id} run ${run + 1}/${runs} ${side.padEnd(13)} build ${measure.buildMs.toFixed(1)} ms${painted}`);
        } finally {
          await context.close();
        }
      }
    }
    results.push(result);
  }
  return results;
}

/** A CPU profile of one rebuild of `side` (for a missed target). */
export async function profileRebuild(browser: Browser, site: Site, bench: BenchPage, side: RebuildSide, mapper: SourceMapper): Promise<ProfileSummary> {
  const url = side === 'ours' ? `/payload/${bench.id}/ours.json` : side === 'rrweb' ? `/payload/${bench.id}/rrweb.json` : `/payload/${bench.id}/ours.deflate`;
  const { context, page } = await openRebuildPage(browser, site);
  try {
    return (await profilePage(page, () => rebuildIn(page, side, url, false), mapper)).profile;
  } finally {
    await context.close();
  }
}
