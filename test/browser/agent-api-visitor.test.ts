/**
 * Both APIs together: a CRM page (`GLANCE.Cobrowse.Agent` + the viewer in an iframe) and a
 * customer page on its own origin (`GLANCE.Cobrowse.Visitor`, the real visitor engine), in
 * real Chromium against a real server. Session messages and user state both ways, remote
 * control from the request to the visitor's text field, navigation the viewer follows,
 * pause, accessibility, and the errors (`dupkey`, the end of the session).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { TEST_GROUP_ID, startTestServer, type TestServer } from '../helpers/start-server.js';
import { serveStatic, type StaticServer } from '../helpers/static-server.js';
import { STATE_TIMEOUT_MS, agentCall, agentContext, crmEvent, crmEventNames, openCrm, viewerFrame, waitForSession } from '../fixtures/crm/crm-harness.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/viewer');

let browser: Browser;
let server: TestServer;
let site: StaticServer;
let agent: BrowserContext;
let keyCounter = 0;
const newKey = () => `both-${++keyCounter}-${Date.now().toString(36)}`;

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
  agent = await agentContext(browser, server);
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await server?.close();
});

interface VisitorApi {
  addEventListener(name: string, listener: (payload: unknown) => void): void;
  addSessionMessageListener(name: string, listener: (name: string, data: unknown) => void): void;
  sendSessionMessage(name: string, data: unknown): void;
  setUserState(name: string, value: unknown): boolean;
  pauseSession(params: { pause: boolean; message?: string }): void;
  startSession(key: string): void;
  stopSession(): void;
}

type VisitorWindow = Window & { GLANCE: { Cobrowse: { Visitor: VisitorApi } }; __visitorEvents: Array<{ name: string; payload: unknown }> };

/** The visitor events a test waits for, recorded in the page. */
const VISITOR_EVENTS = ['sessionstart', 'sessioncontinue', 'agents', 'rc', 'accessibility', 'error', 'sessionend', 'message'];

/** Opens the customer page in the visitor's own browser and records the Visitor API's events. */
async function openVisitorPage(context: BrowserContext, query = ''): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${site.url}/visitor.html${query}`);
  await page.waitForFunction(() => 'GLANCE' in window);
  await page.evaluate((names) => {
    const w = window as unknown as VisitorWindow;
    w.__visitorEvents = [];
    const api = w.GLANCE.Cobrowse.Visitor;
    for (const name of names) api.addEventListener(name, (payload) => w.__visitorEvents.push({ name, payload: JSON.parse(JSON.stringify(payload ?? null)) }));
    // The visitor accepts remote control whenever an agent asks.
    api.addEventListener('rcrequested', (request) => (request as { accept(): void }).accept());
  }, VISITOR_EVENTS);
  return page;
}

/** A visitor who starts a session with `key` on the customer page. */
async function startVisitor(key: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await openVisitorPage(context);
  await page.evaluate((k) => (window as unknown as VisitorWindow).GLANCE.Cobrowse.Visitor.startSession(k), key);
  await visitorEvent(page, 'sessionstart');
  return { context, page };
}

/** Waits for the `index`-th visitor event `name` and returns its payload. */
async function visitorEvent(page: Page, name: string, index = 0): Promise<unknown> {
  const handle = await page.waitForFunction(
    ([n, i]) => {
      const found = (window as unknown as VisitorWindow).__visitorEvents.filter((e) => e.name === n);
      return found.length > i ? { payload: found[i]!.payload } : null;
    },
    [name, index] as const,
    { timeout: STATE_TIMEOUT_MS },
  );
  return ((await handle.jsonValue()) as { payload: unknown }).payload;
}

/** Opens the CRM page for `key` and waits until the viewer shows the visitor's page. */
async function openAgent(key: string): Promise<{ crm: Page; frame: Frame }> {
  const crm = await openCrm(agent, server, key);
  const frame = await viewerFrame(crm);
  await waitForSession(frame, 'live');
  await frame.waitForSelector('#oc-viewer[data-page="true"]', { timeout: STATE_TIMEOUT_MS });
  await crmEvent(crm, 'statereceived');
  return { crm, frame };
}

/** The text or value of `selector` in the mirror. */
function mirrorValue(frame: Frame, selector: string): Promise<string | null> {
  return frame.evaluate((sel) => {
    const element = document.querySelector<HTMLIFrameElement>('iframe.oc-mirror-frame')?.contentDocument?.querySelector(sel);
    if (!element) return null;
    return element instanceof HTMLInputElement || (element as HTMLInputElement).localName === 'input' ? (element as HTMLInputElement).value : element.textContent;
  }, selector);
}

describe('the Agent API with the Visitor API', () => {
  it('[AP1][AP2] session messages go both ways and the visitor\'s user state reaches getUserState', async () => {
    const key = newKey();
    const visitor = await startVisitor(key);
    await visitor.page.evaluate(() => {
      const w = window as unknown as VisitorWindow & { __fromAgent: unknown[] };
      w.__fromAgent = [];
      w.GLANCE.Cobrowse.Visitor.setUserState('plan', { tier: 'gold' });
      w.GLANCE.Cobrowse.Visitor.addSessionMessageListener('offer', (name, data) => w.__fromAgent.push({ name, data }));
    });
    const { crm } = await openAgent(key);
    expect(await agentCall(crm, 'getUserState', 'plan')).toEqual({ tier: 'gold' });

    await crm.evaluate(() => {
      const w = window as unknown as { __messages: unknown[]; GLANCE: { Cobrowse: { Agent: { addSessionMessageListener(n: string, f: (n: string, d: unknown) => void): void } } } };
      w.GLANCE.Cobrowse.Agent.addSessionMessageListener('cart', (name, data) => w.__messages.push({ name, data }));
    });
    await visitor.page.evaluate(() => (window as unknown as VisitorWindow).GLANCE.Cobrowse.Visitor.sendSessionMessage('cart', { items: 3 }));
    await crm.waitForFunction(() => (window as unknown as { __messages: unknown[] }).__messages.length === 1);
    expect(await crm.evaluate(() => (window as unknown as { __messages: unknown[] }).__messages)).toEqual([{ name: 'cart', data: { items: 3 } }]);

    await agentCall(crm, 'sendSessionMessage', 'offer', { code: 'SAVE10' });
    await visitor.page.waitForFunction(() => (window as unknown as { __fromAgent: unknown[] }).__fromAgent.length === 1);
    expect(await visitor.page.evaluate(() => (window as unknown as { __fromAgent: unknown[] }).__fromAgent)).toEqual([{ name: 'offer', data: { code: 'SAVE10' } }]);

    await visitor.page.evaluate(() => (window as unknown as VisitorWindow).GLANCE.Cobrowse.Visitor.setUserState('plan', { tier: 'platinum' }));
    expect(await crmEvent(crm, 'userstate')).toEqual({ name: 'plan', value: { tier: 'platinum' } });
    expect(await agentCall(crm, 'getUserState', 'plan')).toEqual({ tier: 'platinum' });
    await visitor.context.close();
    await crm.close();
  });

  it('[RC1]–[RC5] requestRC: the visitor accepts, the agent types into the visitor\'s field, the viewer shows it; requestRC(false) ends it', async () => {
    const key = newKey();
    const visitor = await startVisitor(key);
    const { crm, frame } = await openAgent(key);

    await agentCall(crm, 'requestRC', true);
    expect(await crmEvent(crm, 'rc')).toEqual({ enabled: true, suspended: false });
    expect(await visitorEvent(visitor.page, 'rc')).toMatchObject({ enabled: true });
    await frame.waitForSelector('#oc-viewer[data-control="on"]');

    const mirror = frame.frameLocator('iframe.oc-mirror-frame');
    await mirror.locator('#name').click();
    await crm.keyboard.type('Ada');
    await visitor.page.waitForFunction(() => (document.getElementById('name') as HTMLInputElement).value === 'Ada', null, { timeout: STATE_TIMEOUT_MS });
    await frame.waitForFunction(
      () => document.querySelector<HTMLIFrameElement>('iframe.oc-mirror-frame')?.contentDocument?.querySelector<HTMLInputElement>('#name')?.value === 'Ada',
      null,
      { timeout: STATE_TIMEOUT_MS },
    );

    await agentCall(crm, 'requestRC', false);
    expect(await crmEvent(crm, 'rc', 1)).toEqual({ enabled: false, suspended: false });
    expect(await visitorEvent(visitor.page, 'rc', 1)).toMatchObject({ enabled: false });
    await frame.waitForSelector('#oc-viewer[data-control="off"]');
    await visitor.context.close();
    await crm.close();
  });

  it('[NV1][NV2] navigate under remote control takes the visitor to the page; the navigate event and the viewer follow', async () => {
    const key = newKey();
    const visitor = await startVisitor(key);
    const { crm, frame } = await openAgent(key);
    await agentCall(crm, 'requestRC', true);
    await crmEvent(crm, 'rc');

    await agentCall(crm, 'navigate', { url: '/visitor.html?step=2', link: { target: '_self' } });
    await visitor.page.waitForURL(`${site.url}/visitor.html?step=2`, { timeout: STATE_TIMEOUT_MS });
    expect(await crmEvent(crm, 'navigate', 1)).toMatchObject({ url: `${site.url}/visitor.html?step=2`, title: 'Checkout — Viewer fixture' });
    expect(await agentCall(crm, 'getSessionState', 'navigate')).toMatchObject({ url: `${site.url}/visitor.html?step=2` });
    // The viewer follows the visitor to the new page.
    await frame.waitForFunction((url) => document.querySelector('.oc-page-url')?.textContent === url, `${site.url}/visitor.html?step=2`, { timeout: STATE_TIMEOUT_MS });
    await visitor.page.evaluate(() => {
      document.getElementById('title')!.textContent = 'Checkout, step 2';
    });
    await frame.waitForFunction(
      () => document.querySelector<HTMLIFrameElement>('iframe.oc-mirror-frame')?.contentDocument?.getElementById('title')?.textContent === 'Checkout, step 2',
      null,
      { timeout: STATE_TIMEOUT_MS },
    );
    await visitor.context.close();
    await crm.close();
  });

  it('[AP3][AP6] the visitor pausing hides the page in the viewer; enableAccessibility reaches the visitor', async () => {
    const key = newKey();
    const visitor = await startVisitor(key);
    const { crm, frame } = await openAgent(key);

    await agentCall(crm, 'enableAccessibility', true);
    expect(await visitorEvent(visitor.page, 'accessibility')).toEqual({ enabled: true });
    expect(await crmEvent(crm, 'accessibility')).toEqual({ enabled: true });
    expect(await agentCall(crm, 'accessibilityEnabled')).toBe(true);

    await visitor.page.evaluate(() => (window as unknown as VisitorWindow).GLANCE.Cobrowse.Visitor.pauseSession({ pause: true, message: 'One moment please' }));
    expect(await crmEvent(crm, 'sessionpaused')).toEqual({ paused: true, message: 'One moment please' });
    await frame.waitForSelector('#oc-viewer[data-paused="true"]');
    expect(await frame.textContent('.oc-notice')).toContain('One moment please');
    await visitor.page.evaluate(() => (window as unknown as VisitorWindow).GLANCE.Cobrowse.Visitor.pauseSession({ pause: false }));
    expect(await crmEvent(crm, 'sessionpaused', 1)).toMatchObject({ paused: false });
    await frame.waitForSelector('#oc-viewer[data-paused="false"]');
    expect(await mirrorValue(frame, '#title')).toBe('Checkout');
    await visitor.context.close();
    await crm.close();
  });

  it('[SS3] a second visitor with the key gets dupkey; the agent\'s session goes on undisturbed', async () => {
    const key = newKey();
    const visitor = await startVisitor(key);
    const { crm, frame } = await openAgent(key);

    const otherContext = await browser.newContext();
    const other = await openVisitorPage(otherContext);
    await other.evaluate((k) => (window as unknown as VisitorWindow).GLANCE.Cobrowse.Visitor.startSession(k), key);
    expect(await visitorEvent(other, 'error')).toMatchObject({ code: 'dupkey' });
    await otherContext.close();

    await visitor.page.evaluate(() => {
      document.getElementById('title')!.textContent = 'Still here';
    });
    await frame.waitForFunction(
      () => document.querySelector<HTMLIFrameElement>('iframe.oc-mirror-frame')?.contentDocument?.getElementById('title')?.textContent === 'Still here',
      null,
      { timeout: STATE_TIMEOUT_MS },
    );
    expect(await crmEventNames(crm)).not.toContain('sessionend');
    expect(await agentCall(crm, 'getSessionState', 'agents')).toMatchObject({ count: 1 });
    await visitor.context.close();
    await crm.close();
  });

  it('[SS6] leaveSession tells the visitor the agent left; stopSession ends the session with sessionend on the agent\'s side', async () => {
    const key = newKey();
    const visitor = await startVisitor(key);
    const { crm } = await openAgent(key);
    expect(await visitorEvent(visitor.page, 'agents')).toMatchObject({ count: 1 });
    await agentCall(crm, 'leaveSession');
    expect(await visitorEvent(visitor.page, 'agents', 1)).toMatchObject({ count: 0 });
    expect(await crmEvent(crm, 'sessionend')).toEqual({ reason: 'left' });
    await crm.close();

    const again = await openAgent(key);
    await visitor.page.evaluate(() => (window as unknown as VisitorWindow).GLANCE.Cobrowse.Visitor.stopSession());
    expect(await crmEvent(again.crm, 'sessionend')).toEqual({ reason: 'visitor' });
    await waitForSession(again.frame, 'over', 'closed');
    await visitor.context.close();
    await again.crm.close();
  });
});
