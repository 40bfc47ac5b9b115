/**
 * A real cobrowse session for the end-to-end benchmarks: a customer page on the bench
 * site (its own origin) with the Glance script tag of our server, a visitor who starts a
 * session on it, and an agent who opens the viewer for that session — both real Chromium
 * pages, through the server (its own process) on loopback.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { generatePage } from '../pages/generate.js';
import { VIEWPORT } from './bench-pages.js';
import type { Site } from './site.js';

/** The server the session runs through. */
export interface CobrowseServer {
  /** `http://127.0.0.1:<port>`. */
  baseUrl: string;
  /** The agent's `Cookie` value of a signed-in web session (`oc_session=…`). */
  sessionCookie: string;
  groupId: string;
}

/** Id of the element whose text the latency benchmark changes. */
export const PROBE_ID = 'bench-probe';

/** The agent's window: the viewer scales the visitor's 1280×800 down to fit, as agents see it. */
const AGENT_VIEWPORT = { width: 1280, height: 900 } as const;

/** How long joining and first pages may take, ms. */
const STEP_TIMEOUT_MS = 60_000;

/**
 * Serves a customer page of `elements` generated elements with the cobrowse script tag
 * and a probe paragraph; returns its path on the site.
 */
export function serveCustomerPage(site: Site, server: CobrowseServer, elements: number): string {
  const tag =
    `<script id="glance-cobrowse" src="${server.baseUrl}/cobrowse/CobrowseJS.ashx?group=${server.groupId}&amp;site=staging" ` +
    `data-groupid="${server.groupId}" data-site="staging"></script>`;
  const { html } = generatePage({ elements, seed: elements, head: tag, bodyStart: `<p id="${PROBE_ID}">probe 0</p>` });
  const path = `/customer/${elements}.html`;
  site.route(path, { type: 'text/html; charset=utf-8', body: html });
  return path;
}

/** A visitor in a session. */
export interface Visitor {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Opens the customer page in its own browser context and starts a session with `key`. */
export async function startVisitor(browser: Browser, site: Site, path: string, key: string): Promise<Visitor> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    await page.goto(site.url + path, { timeout: STEP_TIMEOUT_MS });
    await page.waitForFunction(() => 'GLANCE' in window, null, { timeout: STEP_TIMEOUT_MS });
    await page.evaluate(
      (k) =>
        new Promise<void>((resolve, reject) => {
          interface VisitorApi {
            addEventListener(name: string, listener: (payload: unknown) => void): void;
            startSession(key: string): void;
          }
          const visitor = (window as unknown as { GLANCE: { Cobrowse: { Visitor: VisitorApi } } }).GLANCE.Cobrowse.Visitor;
          visitor.addEventListener('sessionstart', () => resolve());
          visitor.addEventListener('error', (error) => reject(new Error(`visitor error: ${JSON.stringify(error)}`)));
          visitor.startSession(k);
        }),
      key,
    );
    return { context, page, close: () => context.close() };
  } catch (error) {
    await context.close();
    throw error;
  }
}

/** The agent's browser context, signed in (the session cookie set for the server). */
export async function agentContext(browser: Browser, server: CobrowseServer): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: AGENT_VIEWPORT });
  const [name, ...value] = server.sessionCookie.split('=');
  await context.addCookies([{ name: name!, value: value.join('='), url: server.baseUrl }]);
  return context;
}

/** The viewer URL of a session key. */
export function viewerUrl(server: CobrowseServer, key: string): string {
  return `${server.baseUrl}/agentjoin/AgentView.aspx?SessionKey=${encodeURIComponent(key)}&Wait=1`;
}

/** Opens the viewer for `key` and waits until the mirror shows the page. */
export async function openViewer(context: BrowserContext, server: CobrowseServer, key: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(viewerUrl(server, key), { timeout: STEP_TIMEOUT_MS });
  if (new URL(page.url()).pathname === '/login') throw new Error('the agent is not signed in: the viewer sent it to /login');
  await page.waitForSelector('#oc-viewer[data-page="true"]', { timeout: STEP_TIMEOUT_MS });
  return page;
}

/**
 * The offset of a page's clock (`performance.timeOrigin + performance.now()`) from this
 * process's, ms, and its uncertainty (half the best round trip): the visitor and the agent
 * pages run in different renderer processes, whose time origins may disagree slightly.
 */
export async function clockOffset(page: Page, samples = 15): Promise<{ offsetMs: number; uncertaintyMs: number }> {
  let best = { offsetMs: 0, uncertaintyMs: Infinity };
  for (let i = 0; i < samples; i++) {
    const before = performance.timeOrigin + performance.now();
    const inPage = await page.evaluate(() => performance.timeOrigin + performance.now());
    const after = performance.timeOrigin + performance.now();
    const half = (after - before) / 2;
    if (half < best.uncertaintyMs) best = { offsetMs: inPage - (before + half), uncertaintyMs: half };
  }
  return best;
}
