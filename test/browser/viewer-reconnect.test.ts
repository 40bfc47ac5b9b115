/**
 * The viewer when its connection drops: the agent reaches the real server through a proxy
 * that plays a failing network; the visitor's page runs a real session beside it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { TEST_DEMO_PASSWORD, TEST_DEMO_USERNAME, TEST_GROUP_ID, startTestServer, type TestServer } from '../helpers/start-server.js';
import { serveStatic, type StaticServer } from '../helpers/static-server.js';
import { startFrontProxy, type FrontProxy } from '../fixtures/viewer/front-proxy.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/viewer');
const STATE_TIMEOUT_MS = 20_000;

let browser: Browser;
let proxy: FrontProxy;
let server: TestServer;
let site: StaticServer;

beforeAll(async () => {
  proxy = await startFrontProxy();
  // The proxy is the server's public address: the viewer page and its socket come through it.
  server = await startTestServer({ publicUrl: proxy.url });
  proxy.setTarget(server.baseUrl);
  const template = readFileSync(path.join(FIXTURES, 'visitor.html'), 'utf8');
  site = await serveStatic(FIXTURES, {
    '/visitor.html': () => ({
      type: 'text/html; charset=utf-8',
      body: template.replace(/\{\{SERVER\}\}/g, server.baseUrl).replace(/\{\{GROUP\}\}/g, TEST_GROUP_ID),
    }),
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await server?.close();
  await proxy?.close();
});

/** Sets the visitor page's total line (a delta follows). */
const setTotal = (page: Page, text: string) =>
  page.evaluate((t) => {
    document.getElementById('total')!.textContent = t;
  }, text);

async function waitForMirrorTotal(viewer: Page, text: string): Promise<void> {
  await viewer.waitForFunction(
    (t) => document.querySelector<HTMLIFrameElement>('iframe.oc-mirror-frame')?.contentDocument?.getElementById('total')?.textContent === t,
    text,
    { timeout: STATE_TIMEOUT_MS },
  );
}

it('[JN4][VW5] after its connection drops the viewer says so, reconnects, resumes after the last update and shows what changed meanwhile', async () => {
  const key = `reconnect-${Date.now().toString(36)}`;

  // The visitor starts a session (straight to the server: only the agent's network fails).
  const visitorContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const visitor = await visitorContext.newPage();
  await visitor.goto(`${site.url}/visitor.html`);
  await visitor.waitForFunction(() => 'GLANCE' in window);
  await visitor.evaluate(
    (k) =>
      new Promise<void>((resolve) => {
        const api = (window as unknown as { GLANCE: { Cobrowse: { Visitor: { addEventListener(n: string, f: () => void): void; startSession(k: string): void } } } }).GLANCE.Cobrowse.Visitor;
        api.addEventListener('sessionstart', () => resolve());
        api.startSession(k);
      }),
    key,
  );

  // The agent signs in and opens the viewer through the proxy.
  const agentContext = await browser.newContext({ viewport: { width: 1100, height: 720 } });
  const viewer = await agentContext.newPage();
  const hellos: Array<Record<string, unknown>> = [];
  viewer.on('websocket', (socket) =>
    socket.on('framesent', ({ payload }) => {
      if (typeof payload !== 'string') return;
      const message = JSON.parse(payload) as Record<string, unknown>;
      if (message['type'] === 'hello') hellos.push(message);
    }),
  );
  await viewer.goto(`${proxy.url}/agentjoin/AgentView.aspx?SessionKey=${key}`);
  await viewer.fill('#oc-username', TEST_DEMO_USERNAME);
  await viewer.fill('#oc-password', TEST_DEMO_PASSWORD);
  await Promise.all([viewer.waitForURL((url) => url.pathname === '/agentjoin/AgentView.aspx'), viewer.click('button[type=submit]')]);

  await setTotal(visitor, 'Total: 1.00 EUR');
  await waitForMirrorTotal(viewer, 'Total: 1.00 EUR');
  await viewer.waitForFunction(() => document.getElementById('oc-viewer')?.dataset['link'] === 'open');
  expect(hellos).toHaveLength(1);
  expect(hellos[0]).not.toHaveProperty('afterSeq');
  // Mark the mirror's iframe: a resume keeps it, a restart from a keyframe would replace it.
  await viewer.evaluate(() => document.querySelector('iframe.oc-mirror-frame')!.setAttribute('data-test-mark', 'before'));

  // Record every connection state and status the agent is shown from now on.
  const seen: string[] = [];
  await viewer.exposeFunction('__recordState', (state: string) => seen.push(state));
  await viewer.evaluate(() => {
    const root = document.getElementById('oc-viewer')!;
    const record = () =>
      (window as unknown as { __recordState(s: string): void }).__recordState(
        `${root.dataset['link']} | ${document.querySelector('[role=status]')?.textContent ?? ''}`,
      );
    new MutationObserver(record).observe(root, { attributes: true, subtree: true, childList: true, characterData: true });
  });

  proxy.cut();
  // The visitor keeps working while the agent is cut off.
  await setTotal(visitor, 'Total: 2.00 EUR');
  await waitForMirrorTotal(viewer, 'Total: 2.00 EUR');
  await viewer.waitForFunction(() => {
    const root = document.getElementById('oc-viewer')!;
    return root.dataset['link'] === 'open' && root.dataset['session'] === 'live';
  });

  expect(seen.some((state) => state.startsWith('retrying | ') && state.includes('Connection lost — retrying'))).toBe(true);
  expect(seen.at(-1)).toMatch(/^open \| Live\. Connection: Connected$/);
  // [JN4] the second hello resumed after the last applied update, and the mirror was kept.
  expect(hellos.length).toBeGreaterThanOrEqual(2);
  expect(hellos.at(-1)!['afterSeq']).toEqual(expect.any(Number));
  expect(hellos.at(-1)!['afterSeq']).toBeGreaterThan(1);
  expect(await viewer.getAttribute('iframe.oc-mirror-frame', 'data-test-mark')).toBe('before');

  await visitorContext.close();
  await agentContext.close();
});
