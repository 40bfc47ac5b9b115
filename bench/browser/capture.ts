/**
 * Benchmarks 1 (capture) and the mutation burst, driven from Node: for each page and run,
 * a fresh tab loads the page, one side (ours or rrweb) captures it, then the same tab
 * applies the 1,000-mutation burst while that side is still recording. The sides
 * alternate (ours, rrweb, rrweb, ours, …) so a load spike from other work on the machine
 * hits both alike.
 */
import type { Browser, CDPSession, Page } from 'playwright-core';
import type { BenchApi } from './bench-page.js';
import { VIEWPORT, openBenchPage, type BenchPage } from './bench-pages.js';
import type { BurstMeasure, CaptureMeasure } from './measures.js';
import { profilePage, type ProfileSummary, type SourceMapper } from './profile.js';
import type { Site } from './site.js';

/** The burst's PRNG seed: every run of every side makes the same changes. */
export const BURST_SEED = 7;

/** Both benchmarks on one page. */
export interface CapturePageResult {
  page: BenchPage;
  capture: { ours: CaptureMeasure[]; rrweb: CaptureMeasure[] };
  burst: { ours: BurstMeasure[]; rrweb: BurstMeasure[] };
  /** The keyframe JSON texts of the first run of each side (rebuild replays them). */
  payloads: { ours: string; rrweb: string };
}

export type Side = 'ours' | 'rrweb';

/** The order of the sides in run `run`: ABBA, so neither always goes first. */
export function sidesOf(run: number): Side[] {
  return run % 2 === 0 ? ['ours', 'rrweb'] : ['rrweb', 'ours'];
}

type BenchWindow = Window & { OCBench: BenchApi };

/** Main-thread CPU time of the page's renderer so far (CDP `Performance` ThreadTime), ms. */
async function threadTimeMs(cdp: CDPSession): Promise<number> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  const metric = metrics.find((m) => m.name === 'ThreadTime');
  if (!metric) throw new Error('Chromium reports no ThreadTime metric');
  return metric.value * 1000;
}

/** One capture in `page`: timing (with main-thread CPU time), its tail, then sizes. */
async function captureIn(page: Page, side: Side, keepPayload: boolean): Promise<CaptureMeasure> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('Performance.enable');
    const cpuBefore = await threadTimeMs(cdp);
    const timing =
      side === 'ours'
        ? await page.evaluate(() => (window as unknown as BenchWindow).OCBench.captureOurs())
        : await page.evaluate(() => (window as unknown as BenchWindow).OCBench.captureRrweb());
    const cpuReady = await threadTimeMs(cdp);
    const tail = await page.evaluate(() => (window as unknown as BenchWindow).OCBench.captureTail());
    const cpuAfter = await threadTimeMs(cdp);
    const sizes = await page.evaluate((keep) => (window as unknown as BenchWindow).OCBench.captureSizes(keep), keepPayload);
    return { ...timing, ...tail, ...sizes, cpuMs: cpuReady - cpuBefore, cpuWithTailMs: cpuAfter - cpuBefore };
  } finally {
    await cdp.detach().catch(() => {});
  }
}

async function burstIn(page: Page, seed: number): Promise<BurstMeasure> {
  return page.evaluate((s) => (window as unknown as BenchWindow).OCBench.burst(s), seed);
}

/** Runs capture + burst `runs` times per side on each page. */
export async function runCaptureBench(
  browser: Browser,
  site: Site,
  pages: readonly BenchPage[],
  runs: number,
  log: (line: string) => void,
): Promise<CapturePageResult[]> {
  const results: CapturePageResult[] = [];
  for (const bench of pages) {
    const result: CapturePageResult = {
      page: bench,
      capture: { ours: [], rrweb: [] },
      burst: { ours: [], rrweb: [] },
      payloads: { ours: '', rrweb: '' },
    };
    for (let run = 0; run < runs; run++) {
      for (const side of sidesOf(run)) {
        const context = await browser.newContext({ viewport: VIEWPORT });
        try {
          const page = await openBenchPage(context, site, bench);
          const keep = run === 0;
          const capture = await captureIn(page, side, keep);
          if (keep) result.payloads[side] = capture.payload ?? '';
          delete capture.payload;
          result.capture[side].push(capture);
          const burst = await burstIn(page, BURST_SEED);
          result.burst[side].push(burst);
          log(
            `  ${bench.id} run ${run + 1}/${runs} ${side.padEnd(5)} keyframe ${capture.readyMs.toFixed(1)} ms, ` +
              `${(capture.deflateBytes / 1024).toFixed(0)} KB deflated; burst ${burst.processMs.toFixed(1)} ms`,
          );
        } finally {
          await context.close();
        }
      }
    }
    results.push(result);
  }
  return results;
}

/** CPU profiles of one capture and one burst of `side` on `bench` (for missed targets). */
export async function profileCapture(
  browser: Browser,
  site: Site,
  bench: BenchPage,
  side: Side,
  mapper: SourceMapper,
): Promise<{ capture: ProfileSummary; burst: ProfileSummary }> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await openBenchPage(context, site, bench);
    const capture = await profilePage(page, () => captureIn(page, side, false), mapper);
    const burst = await profilePage(page, () => burstIn(page, BURST_SEED), mapper);
    return { capture: capture.profile, burst: burst.profile };
  } finally {
    await context.close();
  }
}
