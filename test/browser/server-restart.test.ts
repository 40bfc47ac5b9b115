/**
 * A server restart ends no session ([RS2]–[RS4]), end to end in real Chromium: a real
 * visitor page (the Glance-style tag) and a real viewer watch the server stop cleanly and
 * start again on the same data directory and port; both reconnect by themselves, the
 * visitor sends a fresh keyframe, and the viewer shows what changed after the restart.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { TEST_DEMO_PASSWORD, TEST_DEMO_USERNAME, TEST_GROUP_ID, startTestServer, type TestServer } from '../helpers/start-server.js';
import { serveStatic, type StaticServer } from '../helpers/static-server.js';
import { FrameKind } from '../../src/shared/protocol/frame.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/viewer');
const STATE_TIMEOUT_MS = 30_000;

let browser: Browser;
let dataDir: string;
let servers: TestServer[] = [];
let site: StaticServer;
let serverUrl = '';

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'oc-browser-restart-'));
  const first = await startTestServer({ dataDir });
  servers.push(first);
  serverUrl = first.baseUrl;
  const template = readFileSync(path.join(FIXTURES, 'visitor.html'), 'utf8');
  site = await serveStatic(FIXTURES, {
    '/visitor.html': () => ({
      type: 'text/html; charset=utf-8',
      body: template.replace(/\{\{SERVER\}\}/g, serverUrl).replace(/\{\{GROUP\}\}/g, TEST_GROUP_ID),
    }),
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  for (const server of servers) await server.close();
  servers = [];
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

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

type Json = Record<string, unknown>;

it('[RS2][RS3][RS4] a real visitor page and a real viewer survive a server restart; the viewer shows a change made after it', async () => {
  const key = `restart-${Date.now().toString(36)}`;

  const visitorContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const visitor = await visitorContext.newPage();
  const visitorSent: Json[] = [];
  const visitorReceived: Json[] = [];
  let keyframesSent = 0;
  visitor.on('websocket', (socket) => {
    socket.on('framesent', ({ payload }) => {
      if (typeof payload === 'string') visitorSent.push(JSON.parse(payload) as Json);
      else if (payload[0] === FrameKind.Keyframe) keyframesSent++;
    });
    socket.on('framereceived', ({ payload }) => {
      if (typeof payload === 'string') visitorReceived.push(JSON.parse(payload) as Json);
    });
  });
  await visitor.goto(`${site.url}/visitor.html`);
  await visitor.waitForFunction(() => 'GLANCE' in window);
  await visitor.evaluate(
    (k) =>
      new Promise<void>((resolve) => {
        const w = window as unknown as { __ended: unknown[]; GLANCE: { Cobrowse: { Visitor: { addEventListener(n: string, f: (e: unknown) => void): void; startSession(k: string): void } } } };
        const api = w.GLANCE.Cobrowse.Visitor;
        w.__ended = [];
        api.addEventListener('sessionend', (e) => w.__ended.push(e ?? true));
        api.addEventListener('sessionstart', () => resolve());
        api.startSession(k);
      }),
    key,
  );

  const agentContext = await browser.newContext({ viewport: { width: 1100, height: 720 } });
  const viewer = await agentContext.newPage();
  const viewerHellos: Json[] = [];
  viewer.on('websocket', (socket) => {
    socket.on('framesent', ({ payload }) => {
      if (typeof payload !== 'string') return;
      const message = JSON.parse(payload) as Json;
      if (message['type'] === 'hello') viewerHellos.push(message);
    });
  });
  await viewer.goto(`${serverUrl}/agentjoin/AgentView.aspx?SessionKey=${key}`);
  await viewer.fill('#oc-username', TEST_DEMO_USERNAME);
  await viewer.fill('#oc-password', TEST_DEMO_PASSWORD);
  await Promise.all([viewer.waitForURL((url) => url.pathname === '/agentjoin/AgentView.aspx'), viewer.click('button[type=submit]')]);

  await setTotal(visitor, 'Total: 1.00 EUR');
  await waitForMirrorTotal(viewer, 'Total: 1.00 EUR');
  await viewer.waitForFunction(() => document.getElementById('oc-viewer')?.dataset['link'] === 'open');
  const firstWelcome = visitorReceived.find((m) => m['type'] === 'welcome')!;
  expect(firstWelcome).toBeDefined();

  // A clean stop: both sides see the connection go and try again.
  const keyframesBefore = keyframesSent;
  const [first] = servers;
  await first!.close();
  await viewer.waitForFunction(() => document.getElementById('oc-viewer')?.dataset['link'] === 'retrying', undefined, { timeout: STATE_TIMEOUT_MS });

  // The same server starts again on the same data directory and port.
  const second = await startTestServer({ dataDir, port: first!.port });
  servers.push(second);
  expect(second.relay.findSession(TEST_GROUP_ID, key)).toMatchObject({ sessionId: firstWelcome['sessionId'], visitorConnected: false });

  // Both come back by themselves: the visitor resumes and is asked for a keyframe.
  await viewer.waitForFunction(
    () => {
      const root = document.getElementById('oc-viewer')!;
      return root.dataset['link'] === 'open' && root.dataset['session'] === 'live';
    },
    undefined,
    { timeout: STATE_TIMEOUT_MS },
  );
  const deadline = Date.now() + STATE_TIMEOUT_MS;
  while (!visitorReceived.some((m) => m['type'] === 'welcome' && m['resumed'] === true) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const resumedWelcome = visitorReceived.filter((m) => m['type'] === 'welcome').at(-1)!;
  expect(resumedWelcome).toMatchObject({ sessionId: firstWelcome['sessionId'], key, resumed: true, needKeyframe: true });
  const resumeHello = visitorSent.filter((m) => m['type'] === 'hello').at(-1)!;
  expect(resumeHello['resume']).toMatchObject({ sessionId: firstWelcome['sessionId'] });
  // The server lost its log: the visitor sent a fresh keyframe, numbered from the new nextSeq.
  expect(keyframesSent).toBeGreaterThan(keyframesBefore);

  // A change made after the restart reaches the viewer.
  await setTotal(visitor, 'Total: 2.00 EUR');
  await waitForMirrorTotal(viewer, 'Total: 2.00 EUR');
  expect(viewerHellos.length).toBeGreaterThanOrEqual(2);
  expect(second.relay.findSession(TEST_GROUP_ID, key)).toMatchObject({ visitorConnected: true, agentCount: 1 });
  expect(await visitor.evaluate(() => (window as unknown as { __ended: unknown[] }).__ended)).toEqual([]);
  // Still the one session, never ended.
  expect(second.relay.sessionCount).toBe(1);
  expect(await second.store.listAudit({ sessionKey: key, event: 'session.ended' })).toEqual([]);
  expect(await second.store.listAudit({ sessionKey: key, event: 'session.started' })).toHaveLength(1);

  await visitorContext.close();
  await agentContext.close();
});
