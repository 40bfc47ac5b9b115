/**
 * A burst of mutations reaches the mirror complete and in order ([PS4], [PS5], [CP3]).
 *
 * The fixture pages with a known final state (index.json "final": mutation-burst.html,
 * large-table.html) are loaded held, the recorder starts, then the page runs its burst
 * (adds, edits, removes, moves, reorders, toggles, innerHTML, same-task add+remove); the
 * burst travels as deltas only. The mirror must end with the page's final tree, and the
 * captured payloads replayed into a fresh mirror must give the same tree again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Frame, Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BUILT_IN_MASKING,
  connectMirror,
  describeDocument,
  describePair,
  harnessRoutes,
  launchBrowser,
  openHarness,
  runFixture,
  settleMirror,
} from '../helpers/browser.js';
import { serveStatic, type StaticServer } from '../helpers/static-server.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/pages');

interface FixtureEntry {
  page: string;
  final?: Record<string, number>;
}
const index = JSON.parse(readFileSync(path.join(FIXTURES, 'index.json'), 'utf8')) as { pages: FixtureEntry[] };
const BURST_PAGES = index.pages.filter((entry) => entry.final);

let browser: Browser;
let server: StaticServer;

beforeAll(async () => {
  browser = await launchBrowser();
  server = await serveStatic(FIXTURES, harnessRoutes());
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Counts `selectors` in the source page and in the mirror. */
async function countBoth(page: Page, selectors: string[]): Promise<{ source: number[]; mirror: number[] }> {
  return page.evaluate((list) => {
    const source = (document.getElementById('src') as HTMLIFrameElement).contentDocument!;
    const mirror = document.querySelector<HTMLIFrameElement>('#mirror iframe.oc-mirror-frame')!.contentDocument!;
    return {
      source: list.map((selector) => source.querySelectorAll(selector).length),
      mirror: list.map((selector) => mirror.querySelectorAll(selector).length),
    };
  }, selectors);
}

/** Runs a held fixture's burst with the recorder already running. */
async function burst(entry: FixtureEntry): Promise<{ page: Page; source: Frame; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /capture error|mirror error/.test(message.text())) errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  const source = await openHarness(page, server.url, `/${entry.page}?hold`, 'held');
  await connectMirror(page);
  await runFixture(source);
  await settleMirror(page);
  return { page, source, errors };
}

describe('a burst of mutations', () => {
  for (const entry of BURST_PAGES) {
    const final = entry.final!;
    it(`[PS4][PS5] ${entry.page}: the mirror ends with the page's final tree and counts (${Object.entries(final).map(([s, n]) => `${s}: ${n}`).join(', ')})`, async () => {
      const { page, errors } = await burst(entry);
      try {
        // The burst happened after the keyframe: it can only have arrived as deltas.
        const captured = await page.evaluate(() => {
          const { keyframes, deltas } = (window as unknown as { __oc: { captured: { keyframes: string[]; deltas: string[] } } }).__oc.captured;
          return { keyframes: keyframes.length, deltas: deltas.length };
        });
        expect(captured.keyframes).toBe(1);
        expect(captured.deltas).toBeGreaterThan(0);

        const selectors = Object.keys(final);
        const counts = await countBoth(page, selectors);
        expect(counts.source, 'the page reached the final state its manifest promises').toEqual(Object.values(final));
        expect(counts.mirror).toEqual(Object.values(final));
        const { source, mirror } = await describePair(page);
        expect(mirror).toEqual(source);
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    });

    it(`[PS1][PS2] ${entry.page}: the captured keyframe and deltas, replayed in order into a fresh mirror, give the same tree`, async () => {
      const { page } = await burst(entry);
      try {
        const { source, replay } = await page.evaluate(async ([describeCode, masked]) => {
          interface MirrorLike {
            applyKeyframe(tokens: unknown[]): void;
            applyDelta(tokens: unknown[]): void;
            document: Document | null;
          }
          const w = window as unknown as {
            OCHarness: { Mirror: new (container: HTMLElement) => MirrorLike };
            __oc: { captured: { keyframes: string[]; deltas: string[] } };
          };
          const describe = new Function(`return (${describeCode})`)() as (doc: Document, masked: string | null) => string[];
          const container = document.createElement('div');
          document.body.appendChild(container);
          const mirror = new w.OCHarness.Mirror(container);
          const { keyframes, deltas } = w.__oc.captured;
          mirror.applyKeyframe(JSON.parse(keyframes[0]!) as unknown[]);
          for (const delta of deltas) mirror.applyDelta(JSON.parse(delta) as unknown[]);
          await new Promise((resolve) => setTimeout(resolve, 50));
          const sourceDoc = (document.getElementById('src') as HTMLIFrameElement).contentDocument!;
          return { source: describe(sourceDoc, masked), replay: describe(mirror.document!, null) };
        }, [describeDocument.toString(), BUILT_IN_MASKING.join(',')] as const);
        expect(replay).toEqual(source);
      } finally {
        await page.close();
      }
    });
  }
});
