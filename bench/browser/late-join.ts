/**
 * Benchmark 5 (late join): a visitor has been in a session on a 10,000-element page for a
 * while; an agent opens the viewer. Measured in the viewer page, from its agent socket's
 * `open` event until the mirror shows the page (the viewer marks `data-page="true"` right
 * after the keyframe is built), and until two animation frames later (painted). The
 * keyframe comes from the server's catch-up log: the visitor is not asked for anything.
 */
import type { Browser } from 'playwright-core';
import { agentContext, openViewer, serveCustomerPage, startVisitor, viewerUrl, type CobrowseServer } from './cobrowse.js';
import { profilePage, type ProfileSummary, type SourceMapper } from './profile.js';
import type { Site } from './site.js';

/** Elements of the late join page. */
export const LATE_JOIN_ELEMENTS = 10_000;

/** One late join. */
export interface LateJoinMeasure {
  /** Agent socket open → mirror built and shown, ms. */
  shownMs: number;
  /** Agent socket open → two animation frames after that (styled, laid out, painted), ms. */
  paintedMs: number;
  /** Agent socket open → first page frame received (server and network), ms. */
  firstFrameMs: number;
  /** Navigation start → agent socket open (page, scripts, socket), ms, for context. */
  socketOpenAtMs: number;
}

/** Runs before the viewer's own scripts: notes socket opens and when the page appears. */
function instrumentViewer(): void {
  const w = window as unknown as {
    __benchJoin: { open: number | null; frame: number | null; shown: number | null; painted: number | null };
  };
  w.__benchJoin = { open: null, frame: null, shown: null, painted: null };
  const Native = window.WebSocket;
  class TimedWebSocket extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      // Added before the viewer's own listeners, so it runs first.
      this.addEventListener('open', () => {
        w.__benchJoin.open ??= performance.now();
      });
      this.addEventListener('message', (event) => {
        // Page frames are binary; control messages are text.
        if (typeof event.data !== 'string') w.__benchJoin.frame ??= performance.now();
      });
    }
  }
  window.WebSocket = TimedWebSocket;
  new MutationObserver(() => {
    const root = document.getElementById('oc-viewer');
    if (w.__benchJoin.shown === null && root?.dataset['page'] === 'true') {
      w.__benchJoin.shown = performance.now();
      requestAnimationFrame(() => requestAnimationFrame(() => (w.__benchJoin.painted = performance.now())));
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-page'] });
}

/** `runs` late joins of fresh viewer tabs to one session on a 10,000-element page. */
export async function measureLateJoin(browser: Browser, site: Site, server: CobrowseServer, key: string, runs: number, log: (line: string) => void): Promise<LateJoinMeasure[]> {
  const path = serveCustomerPage(site, server, LATE_JOIN_ELEMENTS);
  const visitor = await startVisitor(browser, site, path, key);
  const agent = await agentContext(browser, server);
  try {
    // A first agent makes sure the keyframe is in the server's log; then it leaves.
    const first = await openViewer(agent, server, key);
    await first.close();
    await agent.addInitScript(instrumentViewer);
    const measures: LateJoinMeasure[] = [];
    for (let run = 0; run < runs; run++) {
      const page = await agent.newPage();
      try {
        await page.goto(viewerUrl(server, key));
        await page.waitForFunction(() => (window as unknown as { __benchJoin?: { painted: number | null } }).__benchJoin?.painted != null, null, {
          timeout: 60_000,
        });
        const join = await page.evaluate(() => (window as unknown as { __benchJoin: { open: number; frame: number; shown: number; painted: number } }).__benchJoin);
        const measure = { shownMs: join.shown - join.open, paintedMs: join.painted - join.open, firstFrameMs: join.frame - join.open, socketOpenAtMs: join.open };
        measures.push(measure);
        log(
          `  late join ${run + 1}/${runs}: first frame ${measure.firstFrameMs.toFixed(1)} ms, shown ${measure.shownMs.toFixed(1)} ms, ` +
            `painted ${measure.paintedMs.toFixed(1)} ms after the socket opened`,
        );
      } finally {
        await page.close();
      }
    }
    return measures;
  } finally {
    await agent.close();
    await visitor.close();
  }
}

/** A CPU profile of a viewer page joining late, from navigation until the mirror is painted. */
export async function profileLateJoin(browser: Browser, site: Site, server: CobrowseServer, key: string, mapper: SourceMapper): Promise<ProfileSummary> {
  const path = serveCustomerPage(site, server, LATE_JOIN_ELEMENTS);
  const visitor = await startVisitor(browser, site, path, key);
  const agent = await agentContext(browser, server);
  try {
    const first = await openViewer(agent, server, key);
    await first.close();
    await agent.addInitScript(instrumentViewer);
    const page = await agent.newPage();
    const { profile } = await profilePage(page, async () => {
      await page.goto(viewerUrl(server, key));
      await page.waitForFunction(() => (window as unknown as { __benchJoin?: { painted: number | null } }).__benchJoin?.painted != null, null, {
        timeout: 60_000,
      });
    }, mapper);
    return profile;
  } finally {
    await agent.close();
    await visitor.close();
  }
}
