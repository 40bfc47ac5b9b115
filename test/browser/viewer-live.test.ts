/**
 * The agent viewer end to end: a customer page on its own origin runs a real session
 * against a real server; an agent signs in through /login and opens the viewer URL in
 * real Chromium. What the agent sees is read from the viewer page: its status, the mirror
 * iframe, the scale and the pointer overlay.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { TEST_DEMO_PASSWORD, TEST_DEMO_USERNAME, TEST_GROUP_ID, startTestServer, type TestServer } from '../helpers/start-server.js';
import { serveStatic, type StaticServer } from '../helpers/static-server.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/viewer');
/** The visitor's window. */
const VISITOR_VIEWPORT = { width: 1280, height: 800 } as const;
/** The agent's window: smaller, so the viewer has to scale the visitor's viewport down. */
const AGENT_VIEWPORT = { width: 1100, height: 720 } as const;
/** How long the viewer may take to reach a state (a real session over real sockets). */
const STATE_TIMEOUT_MS = 20_000;

let browser: Browser;
let server: TestServer;
let site: StaticServer;
let agentContext: BrowserContext;
let keyCounter = 0;

beforeAll(async () => {
  server = await startTestServer();
  const template = readFileSync(path.join(FIXTURES, 'visitor.html'), 'utf8');
  // The customer site: another origin than the server's, as in production.
  site = await serveStatic(FIXTURES, {
    '/visitor.html': () => ({
      type: 'text/html; charset=utf-8',
      body: template.replace(/\{\{SERVER\}\}/g, server.baseUrl).replace(/\{\{GROUP\}\}/g, TEST_GROUP_ID),
    }),
  });
  browser = await launchBrowser();
  agentContext = await browser.newContext({ viewport: AGENT_VIEWPORT });
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await server?.close();
});

// ---------------------------------------------------------------------------------------------
// Helpers

/** Script errors and console errors of each viewer page. */
const pageErrors = new WeakMap<Page, string[]>();

/** A session key no other test uses. */
const newKey = () => `viewer-${++keyCounter}-${Date.now().toString(36)}`;

const viewerUrl = (key: string, wait: boolean) =>
  `${server.baseUrl}/agentjoin/AgentView.aspx?SessionKey=${encodeURIComponent(key)}${wait ? '&Wait=1' : ''}`;

/**
 * Opens the viewer for `key` in the agent's browser. The first time, the server sends the
 * agent to /login; the form is filled in like a person would and leads back ([AV2]).
 */
async function openViewer(key: string, wait = true): Promise<Page> {
  const page = await agentContext.newPage();
  const errors: string[] = [];
  pageErrors.set(page, errors);
  page.on('pageerror', (error) => errors.push(error.message));
  // CSP violations and failed loads are reported as console errors.
  page.on('console', (message) => {
    // The browser asks the server for /favicon.ico on its own; that is not the viewer's doing.
    if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico')) errors.push(message.text());
  });
  await page.goto(viewerUrl(key, wait));
  if (new URL(page.url()).pathname === '/login') {
    await page.fill('#oc-username', TEST_DEMO_USERNAME);
    await page.fill('#oc-password', TEST_DEMO_PASSWORD);
    await Promise.all([page.waitForURL((url) => url.pathname === '/agentjoin/AgentView.aspx'), page.click('button[type=submit]')]);
  }
  await page.waitForSelector('#oc-viewer[data-session]');
  return page;
}

interface Visitor {
  context: BrowserContext;
  page: Page;
}

/** Opens the customer page in the visitor's own browser context. */
async function openVisitorPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${site.url}/visitor.html`);
  await page.waitForFunction(() => 'GLANCE' in window);
  return page;
}

/** A visitor on the customer page who starts a session with `key`. */
async function startVisitor(key: string): Promise<Visitor> {
  const context = await browser.newContext({ viewport: VISITOR_VIEWPORT });
  const page = await openVisitorPage(context);
  await page.evaluate(
    (k) =>
      new Promise<void>((resolve) => {
        const visitor = (window as unknown as { GLANCE: { Cobrowse: { Visitor: VisitorApi } } }).GLANCE.Cobrowse.Visitor;
        visitor.addEventListener('sessionstart', () => resolve());
        visitor.startSession(k);
      }),
    key,
  );
  return { context, page };
}

interface VisitorApi {
  addEventListener(name: string, listener: (payload: unknown) => void): void;
  startSession(key: string): void;
  stopSession(): void;
}

/** What the agent sees, read from the viewer page. */
interface ViewerView {
  session: string;
  link: string;
  hasPage: boolean;
  status: string;
  notice: string | null;
  geometry: string | null;
}

function readView(page: Page): Promise<ViewerView> {
  return page.evaluate(() => {
    const root = document.getElementById('oc-viewer')!;
    const notice = document.querySelector<HTMLElement>('.oc-notice');
    const geometry = document.querySelector<HTMLElement>('.oc-geometry');
    const visible = (el: HTMLElement | null) => !!el && el.offsetParent !== null;
    return {
      session: root.dataset['session'] ?? '',
      link: root.dataset['link'] ?? '',
      hasPage: root.dataset['page'] === 'true',
      status: document.querySelector('[role=status][aria-live=polite]')?.textContent ?? '',
      notice: visible(notice) ? notice!.querySelector('.oc-notice-title')!.textContent : null,
      geometry: visible(geometry) ? geometry!.textContent : null,
    };
  });
}

/** Waits until the viewer's root says `session` (and `link`, when given). */
async function waitForSession(page: Page, session: string, link?: string): Promise<ViewerView> {
  await page.waitForFunction(
    ([s, l]) => {
      const root = document.getElementById('oc-viewer');
      return root?.dataset['session'] === s && (l === null || root.dataset['link'] === l);
    },
    [session, link ?? null] as const,
    { timeout: STATE_TIMEOUT_MS },
  );
  return readView(page);
}

/** The text of `selector` in the mirror's document, or null. */
function mirrorText(page: Page, selector: string): Promise<string | null> {
  return page.evaluate((sel) => {
    const frame = document.querySelector<HTMLIFrameElement>('iframe.oc-mirror-frame');
    return frame?.contentDocument?.querySelector(sel)?.textContent ?? null;
  }, selector);
}

/** Waits until the mirror's `selector` has `text`. */
async function waitForMirrorText(page: Page, selector: string, text: string): Promise<void> {
  await page.waitForFunction(
    ([sel, t]) => {
      const frame = document.querySelector<HTMLIFrameElement>('iframe.oc-mirror-frame');
      return frame?.contentDocument?.querySelector(sel)?.textContent === t;
    },
    [selector, text] as const,
    { timeout: STATE_TIMEOUT_MS },
  );
}

/** Where the mirror is drawn on the agent's screen and at what scale. */
function mirrorBox(page: Page) {
  return page.evaluate(() => {
    const box = document.querySelector<HTMLElement>('.oc-box')!.getBoundingClientRect();
    const stage = document.querySelector<HTMLElement>('.oc-stage')!.getBoundingClientRect();
    const frame = document.querySelector<HTMLIFrameElement>('iframe.oc-mirror-frame')!;
    return {
      box: { left: box.left, top: box.top, right: box.right, bottom: box.bottom, width: box.width, height: box.height },
      stage: { left: stage.left, top: stage.top, right: stage.right, bottom: stage.bottom },
      frameWidth: frame.width,
      frameHeight: frame.height,
    };
  });
}

/** Waits until the pointer overlay's tip is at (x, y) in agent pixels relative to the mirror box, or hidden (null). */
async function waitForPointer(page: Page, at: { x: number; y: number } | null): Promise<void> {
  await page.waitForFunction(
    (target) => {
      const pointer = document.querySelector<HTMLElement>('.oc-pointer');
      const box = document.querySelector<HTMLElement>('.oc-box');
      if (!pointer || !box) return false;
      if (target === null) return pointer.hidden;
      if (pointer.hidden) return false;
      const tip = pointer.getBoundingClientRect();
      const origin = box.getBoundingClientRect();
      // The arrow's tip is 1 px into its box.
      return Math.abs(tip.left + 1 - origin.left - target.x) <= 1.5 && Math.abs(tip.top + 1 - origin.top - target.y) <= 1.5;
    },
    at,
    { timeout: STATE_TIMEOUT_MS },
  );
}

// ---------------------------------------------------------------------------------------------

describe('the agent viewer', () => {
  it('[JN2][VW5] with Wait=1 waits for the session, then shows the visitor page live, scaled to fit with the scale shown', async () => {
    const key = newKey();
    const viewer = await openViewer(key);
    const waiting = await waitForSession(viewer, 'waiting', 'open');
    expect(waiting.status).toContain(`Waiting for session ${key}…`);
    expect(waiting.notice).toBe(`Waiting for session ${key}…`);
    expect(waiting.hasPage).toBe(false);

    const visitor = await startVisitor(key);
    await waitForMirrorText(viewer, '#title', 'Checkout');
    const live = await waitForSession(viewer, 'live', 'open');
    expect(live.status).toContain('Live');
    expect(live.status).toContain('Connected');
    expect(live.notice).toBeNull();
    expect(live.hasPage).toBe(true);
    expect(await mirrorText(viewer, '#total')).toBe('Total: 42.00 EUR');

    // The mirror keeps the visitor's viewport and is scaled down to fit the agent's window.
    const geometry = await mirrorBox(viewer);
    expect([geometry.frameWidth, geometry.frameHeight]).toEqual([String(VISITOR_VIEWPORT.width), String(VISITOR_VIEWPORT.height)]);
    const scale = geometry.box.width / VISITOR_VIEWPORT.width;
    expect(scale).toBeLessThan(1);
    expect(geometry.box.height / VISITOR_VIEWPORT.height).toBeCloseTo(scale, 2);
    expect(geometry.box.left).toBeGreaterThanOrEqual(geometry.stage.left);
    expect(geometry.box.right).toBeLessThanOrEqual(geometry.stage.right);
    expect(geometry.box.top).toBeGreaterThanOrEqual(geometry.stage.top);
    expect(geometry.box.bottom).toBeLessThanOrEqual(geometry.stage.bottom);
    expect(live.geometry).toBe(`1280 × 800 · ${Math.round(scale * 100)}%`);
    // The page title and address of the visitor are in the toolbar.
    expect(await viewer.textContent('.oc-page-title')).toBe('Checkout — Viewer fixture');
    expect(await viewer.textContent('.oc-page-url')).toBe(`${site.url}/visitor.html`);
    expect(await viewer.textContent('.oc-agents')).toBe('1 agent');
    expect(await viewer.title()).toContain('Live');
    // [VW3] everything ran under the viewer's CSP without a violation or a script error.
    expect(pageErrors.get(viewer)).toEqual([]);

    await visitor.context.close();
    await viewer.close();
  });

  it('[PS5][VW5] follows what the visitor types and changes, and "Actual size" shows it at 100%', async () => {
    const key = newKey();
    const visitor = await startVisitor(key);
    const viewer = await openViewer(key, false);
    await waitForMirrorText(viewer, '#title', 'Checkout');
    await waitForSession(viewer, 'live', 'open');

    await visitor.page.fill('#name', 'Ada Lovelace');
    await visitor.page.evaluate(() => {
      const li = document.createElement('li');
      li.textContent = 'Red teapot';
      document.getElementById('items')!.append(li);
      document.getElementById('total')!.textContent = 'Total: 61.50 EUR';
    });
    await waitForMirrorText(viewer, '#total', 'Total: 61.50 EUR');
    await waitForMirrorText(viewer, '#items li:last-child', 'Red teapot');
    await viewer.waitForFunction(() => {
      const frame = document.querySelector<HTMLIFrameElement>('iframe.oc-mirror-frame');
      return frame?.contentDocument?.querySelector<HTMLInputElement>('#name')?.value === 'Ada Lovelace';
    }, null, { timeout: STATE_TIMEOUT_MS });

    // The control is a real button, reachable and usable with the keyboard.
    const button = viewer.getByRole('button', { name: 'Actual size' });
    await button.focus();
    await viewer.keyboard.press('Enter');
    expect(await button.getAttribute('aria-pressed')).toBe('true');
    await viewer.waitForFunction(() => document.querySelector('.oc-geometry')?.textContent === '1280 × 800 · 100%');
    const actual = await mirrorBox(viewer);
    expect(actual.box.width).toBe(VISITOR_VIEWPORT.width);
    await viewer.keyboard.press('Enter');
    await viewer.waitForFunction(() => /· \d\d%$/.test(document.querySelector('.oc-geometry')?.textContent ?? ''));

    await visitor.context.close();
    await viewer.close();
  });

  it('[PS9][VW5] the visitor pointer overlay moves with the visitor mouse and hides when it leaves the page', async () => {
    const key = newKey();
    const visitor = await startVisitor(key);
    const viewer = await openViewer(key);
    await waitForMirrorText(viewer, '#title', 'Checkout');
    await waitForSession(viewer, 'live', 'open');
    const { box } = await mirrorBox(viewer);
    const scale = box.width / VISITOR_VIEWPORT.width;

    expect(await viewer.isHidden('.oc-pointer')).toBe(true);
    await visitor.page.mouse.move(640, 400);
    await waitForPointer(viewer, { x: 640 * scale, y: 400 * scale });
    expect(await viewer.textContent('.oc-pointer')).toBe('Visitor');

    await visitor.page.mouse.move(100, 60, { steps: 5 });
    await waitForPointer(viewer, { x: 100 * scale, y: 60 * scale });

    // The mouse leaves the visitor's window: browsers fire mouseout with no related target.
    await visitor.page.evaluate(() =>
      document.documentElement.dispatchEvent(new MouseEvent('mouseout', { bubbles: true, relatedTarget: null })),
    );
    await waitForPointer(viewer, null);

    await visitor.context.close();
    await viewer.close();
  });

  it('[SS7][VW5] says the visitor is away while their page is gone, and is live again when they come back', async () => {
    const key = newKey();
    const visitor = await startVisitor(key);
    const viewer = await openViewer(key);
    await waitForMirrorText(viewer, '#title', 'Checkout');
    await waitForSession(viewer, 'live', 'open');
    await visitor.page.mouse.move(300, 300);
    await viewer.waitForSelector('.oc-pointer', { state: 'visible' });

    await visitor.page.close();
    const away = await waitForSession(viewer, 'away', 'open');
    expect(away.status).toContain('Visitor away — waiting for them to come back');
    expect(away.notice).toBe('Visitor away — waiting for them to come back');
    expect(await viewer.isHidden('.oc-pointer')).toBe(true);
    // The last view of the page stays.
    expect(await mirrorText(viewer, '#title')).toBe('Checkout');

    // The visitor opens the site again: the session continues on the new page.
    const again = await openVisitorPage(visitor.context);
    await again.evaluate(() => {
      document.getElementById('title')!.textContent = 'Checkout (back)';
    });
    await waitForMirrorText(viewer, '#title', 'Checkout (back)');
    const back = await waitForSession(viewer, 'live', 'open');
    expect(back.notice).toBeNull();

    await visitor.context.close();
    await viewer.close();
  });

  it('[SS6][VW5] says so when the visitor ends the session, and keeps the last view', async () => {
    const key = newKey();
    const visitor = await startVisitor(key);
    const viewer = await openViewer(key);
    await waitForMirrorText(viewer, '#title', 'Checkout');
    await waitForSession(viewer, 'live', 'open');

    await visitor.page.evaluate(() =>
      (window as unknown as { GLANCE: { Cobrowse: { Visitor: VisitorApi } } }).GLANCE.Cobrowse.Visitor.stopSession(),
    );
    const ended = await waitForSession(viewer, 'over', 'closed');
    expect(ended.status).toContain('The visitor ended the session');
    expect(ended.status).toContain('Disconnected');
    expect(ended.notice).toBe('The visitor ended the session');
    expect(ended.hasPage).toBe(true);
    expect(await mirrorText(viewer, '#title')).toBe('Checkout');
    expect(await viewer.isHidden('.oc-pointer')).toBe(true);
    // Nothing reconnects after the end.
    expect(await viewer.isHidden('text=Retry now')).toBe(true);

    await visitor.context.close();
    await viewer.close();
  });
});
