/**
 * Benchmark 3 (end-to-end latency): from a DOM change on the visitor's page to that change
 * applied in the agent's mirror. The visitor page changes the text of a probe paragraph
 * every 20–50 ms (random gaps, so changes land at every phase of the recorder's 16 ms
 * flush interval) and notes the time; the viewer page notes when the new text appears in
 * its mirror document (a MutationObserver on the mirror, in the viewer's realm). Both
 * clocks are `performance.timeOrigin + performance.now()` on this machine, corrected by
 * their measured offsets.
 */
import type { Browser, Page } from 'playwright-core';
import { percentile } from '../stats.js';
import { PROBE_ID, agentContext, clockOffset, openViewer, serveCustomerPage, startVisitor, type CobrowseServer } from './cobrowse.js';
import type { Site } from './site.js';

/** Elements of the customer page the latency is measured on. */
export const LATENCY_PAGE_ELEMENTS = 1_000;
/** Gap between two changes, ms (uniformly random in this range). */
const GAP_MS = { min: 20, max: 50 } as const;
/** How long the last changes may take to arrive before they count as lost, ms. */
const ARRIVAL_TIMEOUT_MS = 10_000;

/** One latency run. */
export interface LatencyResult {
  changes: number;
  /** Changes seen in the mirror. */
  received: number;
  /** Change → applied in the mirror, ms, in the order of the changes. */
  latenciesMs: number[];
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Agent clock minus visitor clock, ms (subtracted from every sample), and its uncertainty. */
  clockSkewMs: number;
  clockUncertaintyMs: number;
}

/** Installs the arrival recorder in the viewer page: `window.__benchArrivals[n]` = time probe n appeared. */
async function watchMirror(viewer: Page): Promise<void> {
  await viewer.evaluate((probeId) => {
    const w = window as unknown as { __benchArrivals: Record<number, number> };
    w.__benchArrivals = {};
    const root = document.getElementById('oc-viewer')!;
    let watched: Document | null = null;
    const note = (doc: Document) => {
      const text = doc.getElementById(probeId)?.textContent ?? '';
      const match = /probe (\d+)/.exec(text);
      if (match && !(Number(match[1]) in w.__benchArrivals)) w.__benchArrivals[Number(match[1])] = performance.timeOrigin + performance.now();
    };
    const probeObserver = new MutationObserver(() => watched && note(watched));
    const attach = () => {
      const frame = root.querySelector<HTMLIFrameElement>('iframe.oc-mirror-frame');
      const doc = frame && frame.style.visibility !== 'hidden' ? frame.contentDocument : null;
      if (!doc || doc === watched) return;
      watched = doc;
      probeObserver.disconnect();
      probeObserver.observe(doc, { subtree: true, characterData: true, childList: true });
      note(doc);
    };
    // A new keyframe replaces the mirror's iframe: follow it.
    new MutationObserver(attach).observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ['style'] });
    attach();
  }, PROBE_ID);
}

/** Makes `changes` probe changes on the visitor page; returns when each was made (page clock). */
function makeChanges(visitor: Page, changes: number, seed: number): Promise<number[]> {
  return visitor.evaluate(
    async ({ count, probeId, gap, seed: s }) => {
      let state = s >>> 0;
      const random = () => {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        return state / 4294967296;
      };
      const text = document.getElementById(probeId)!.firstChild as Text;
      const sent: number[] = [];
      for (let i = 1; i <= count; i++) {
        await new Promise((resolve) => setTimeout(resolve, gap.min + random() * (gap.max - gap.min)));
        sent.push(performance.timeOrigin + performance.now());
        text.data = `probe ${i}`;
      }
      return sent;
    },
    { count: changes, probeId: PROBE_ID, gap: GAP_MS, seed },
  );
}

/**
 * Measures `changes` changes through a fresh session (visitor and agent pages are closed
 * afterwards). `key` must be unique per run.
 */
export async function measureLatency(browser: Browser, site: Site, server: CobrowseServer, key: string, changes: number, seed: number): Promise<LatencyResult> {
  const path = serveCustomerPage(site, server, LATENCY_PAGE_ELEMENTS);
  const visitor = await startVisitor(browser, site, path, key);
  const agent = await agentContext(browser, server);
  try {
    const viewer = await openViewer(agent, server, key);
    await watchMirror(viewer);
    // Let the join settle (catch-up, first deltas) before the first change.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const visitorClock = await clockOffset(visitor.page);
    const agentClock = await clockOffset(viewer);
    const sent = await makeChanges(visitor.page, changes, seed);
    await viewer
      .waitForFunction((n) => Object.keys((window as unknown as { __benchArrivals: object }).__benchArrivals).length >= n, changes, {
        timeout: ARRIVAL_TIMEOUT_MS,
        polling: 100,
      })
      .catch(() => {}); // lost changes are counted below
    const arrivals = await viewer.evaluate(() => (window as unknown as { __benchArrivals: Record<number, number> }).__benchArrivals);
    const skew = agentClock.offsetMs - visitorClock.offsetMs;
    // A change the mirror only shows together with a later one (both in one delta) was
    // applied when that later one appeared: the mirror then has its effect too.
    const applied: (number | undefined)[] = new Array(sent.length);
    let earliest: number | undefined;
    for (let i = sent.length - 1; i >= 0; i--) {
      const arrived = arrivals[i + 1];
      if (arrived !== undefined && (earliest === undefined || arrived < earliest)) earliest = arrived;
      applied[i] = earliest;
    }
    const latencies: number[] = [];
    sent.forEach((at, i) => {
      const arrived = applied[i];
      if (arrived !== undefined) latencies.push(arrived - at - skew);
    });
    return {
      changes,
      received: latencies.length,
      latenciesMs: latencies,
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      max: latencies.length ? Math.max(...latencies) : NaN,
      clockSkewMs: skew,
      clockUncertaintyMs: visitorClock.uncertaintyMs + agentClock.uncertaintyMs,
    };
  } finally {
    await agent.close();
    await visitor.close();
  }
}
