/**
 * The agent's `navigate` on the visitor's page ([NV1]–[NV3]), end to end: relative and
 * absolute targets, the visitor's confirmation, `open` and `link`, history steps, and the
 * session following the visitor to the next page of the site.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { TEST_GROUP_ID, startTestServer, type TestServer } from '../helpers/start-server.js';
import type { StaticServer } from '../helpers/static-server.js';
import { serveVisitorSite } from '../fixtures/visitor/fixture-site.js';
import { joinAsAgent, type MirrorAgent } from '../fixtures/visitor/mirror-agent.js';
import { call, events, openVisitorPage, startSession, waitForEvent } from '../fixtures/visitor/visitor-page.js';

let browser: Browser;
let server: TestServer;
let site: StaticServer;
/** The same fixture site under another host name: a trusted domain of the group. */
let trustedOrigin: string;

beforeAll(async () => {
  server = await startTestServer({
    groups: [{ id: TEST_GROUP_ID, name: 'Demo', settings: { staging: { trustedDomains: ['localhost'] } } }],
  });
  site = await serveVisitorSite(server.baseUrl, TEST_GROUP_ID);
  trustedOrigin = site.url.replace('127.0.0.1', 'localhost');
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await server?.close();
});

interface Setup {
  context: BrowserContext;
  page: Page;
  agent: MirrorAgent;
  key: string;
}

let keys = 0;

async function setup(options: { rc?: boolean } = {}): Promise<Setup> {
  const context = await browser.newContext();
  const v = await openVisitorPage(context, site.url, 'page.html', '?attr.ui=custom');
  const key = `nav-${++keys}`;
  await startSession(v.page, key);
  const agent = await joinAsAgent(server, key);
  await waitForEvent(v.page, 'agents');
  if (options.rc) {
    await call(v.page, 'enableRC', true);
    await expect.poll(() => agent.client.messages.filter((m) => m.type === 'rc').at(-1)).toMatchObject({ enabled: true });
  }
  return { context, page: v.page, agent, key };
}

/** Waits until the page at `path` has loaded and continued the session. */
async function arrived(page: Page, path: string): Promise<void> {
  await page.waitForURL((url) => url.pathname === path, { timeout: 20_000 });
  await page.waitForFunction(() => (window as unknown as { __events?: Array<{ name: string }> }).__events?.some((e) => e.name === 'statereceived'), null, { timeout: 20_000 });
}

/** Waits until the server knows the visitor's page is `path` (relative targets resolve against it). */
async function serverSees(s: Setup, path: string): Promise<void> {
  await expect.poll(() => new URL(server.relay.findSession(TEST_GROUP_ID, s.key)?.pageUrl ?? 'http://x/').pathname).toBe(path);
}

describe('[NV2] navigation while the visitor has granted control', () => {
  it('a relative URL takes the visitor there and the session continues on the new page', async () => {
    const s = await setup({ rc: true });
    s.agent.send({ type: 'navigate', url: 'controls.html' });
    await arrived(s.page, '/controls.html');
    expect(await call(s.page, 'getKey')).toBe(s.key);
    expect(await call(s.page, 'inSession')).toBe(true);
    // [AP8] the agents hear of the new page; control is still granted there.
    await expect.poll(() => s.agent.client.messages.filter((m) => m.type === 'page').at(-1)).toMatchObject({ url: `${site.url}/controls.html` });
    expect(await call(s.page, 'getSessionState', 'rc')).toEqual({ enabled: true, suspended: false });
    s.agent.close();
    await s.context.close();
  });

  it('link clicks a generated anchor; back, forward and refresh step through the history', async () => {
    const s = await setup({ rc: true });
    s.agent.send({ type: 'navigate', url: 'controls.html', link: { target: '_self' } });
    await arrived(s.page, '/controls.html');
    await serverSees(s, '/controls.html');

    s.agent.send({ type: 'navigate', url: 'back' });
    await arrived(s.page, '/page.html');
    await serverSees(s, '/page.html');
    s.agent.send({ type: 'navigate', url: 'f' });
    await arrived(s.page, '/controls.html');
    await serverSees(s, '/controls.html');

    await s.page.evaluate(() => ((window as unknown as { __before: boolean }).__before = true));
    s.agent.send({ type: 'navigate', url: 'refresh' });
    await s.page.waitForFunction(() => !(window as unknown as { __before?: boolean }).__before, null, { timeout: 20_000 });
    await arrived(s.page, '/controls.html');
    expect(await call(s.page, 'getKey')).toBe(s.key);
    s.agent.close();
    await s.context.close();
  });
});

describe('[NV2] navigation with confirm', () => {
  it('fires confirm with the resolved URL; accept() navigates', async () => {
    const s = await setup();
    s.agent.send({ type: 'navigate', url: 'controls.html?from=agent', confirm: true });
    const log = await waitForEvent(s.page, 'confirm');
    expect(log.at(-1)!.payload).toMatchObject({ url: `${site.url}/controls.html?from=agent`, confirm: true, agent: { username: 'demo' } });
    await s.page.evaluate(() => (window as unknown as { __last: { confirm: { accept(): void } } }).__last.confirm.accept());
    await arrived(s.page, '/controls.html');
    expect(new URL(s.page.url()).search).toBe('?from=agent');
    s.agent.close();
    await s.context.close();
  });

  it('decline() keeps the visitor where they are', async () => {
    const s = await setup();
    s.agent.send({ type: 'navigate', url: 'controls.html', confirm: true });
    await waitForEvent(s.page, 'confirm');
    await s.page.evaluate(() => {
      const confirm = (window as unknown as { __last: { confirm: { accept(): void; decline(): void } } }).__last.confirm;
      confirm.decline();
      confirm.accept(); // too late: only the first answer counts
    });
    // A message sent after the decline arrives on the same page: no navigation happened.
    await s.page.evaluate(() => {
      const w = window as unknown as { __pinged: boolean; GLANCE: { Cobrowse: { Visitor: { addSessionMessageListener(n: string, f: () => void): void } } } };
      w.GLANCE.Cobrowse.Visitor.addSessionMessageListener('ping', () => (w.__pinged = true));
    });
    s.agent.send({ type: 'message', name: 'ping', data: null });
    await s.page.waitForFunction(() => (window as unknown as { __pinged?: boolean }).__pinged === true);
    expect(new URL(s.page.url()).pathname).toBe('/page.html');
    s.agent.close();
    await s.context.close();
  });

  it('an absolute URL on a trusted domain is allowed', async () => {
    const s = await setup();
    s.agent.send({ type: 'navigate', url: `${trustedOrigin}/page.html?trusted=1`, confirm: true });
    const log = await waitForEvent(s.page, 'confirm');
    expect(log.at(-1)!.payload).toMatchObject({ url: `${trustedOrigin}/page.html?trusted=1` });
    await s.page.evaluate(() => (window as unknown as { __last: { confirm: { accept(): void } } }).__last.confirm.accept());
    await s.page.waitForURL(`${trustedOrigin}/page.html?trusted=1`);
    s.agent.close();
    await s.context.close();
  });

  it('[NV1] an absolute URL elsewhere is refused and never reaches the page', async () => {
    const s = await setup({ rc: true });
    s.agent.send({ type: 'navigate', url: 'https://phish.example.net/login', confirm: true });
    expect(await s.agent.client.next('denied')).toMatchObject({ action: 'navigate' });
    s.agent.send({ type: 'navigate', url: 'javascript:alert(1)' });
    await expect.poll(() => s.agent.client.messages.filter((m) => m.type === 'denied').length).toBe(2);
    expect((await events(s.page)).some((e) => e.name === 'confirm')).toBe(false);
    expect(new URL(s.page.url()).pathname).toBe('/page.html');
    s.agent.close();
    await s.context.close();
  });

  it('open uses window.open with the target: a new window of the site, which continues the session', async () => {
    const s = await setup();
    s.agent.send({ type: 'navigate', url: 'controls.html', confirm: true, open: { target: '_blank', features: 'width=600,height=400' } });
    await waitForEvent(s.page, 'confirm');
    const popup = s.context.waitForEvent('page');
    await s.page.evaluate(() => (window as unknown as { __last: { confirm: { accept(): void } } }).__last.confirm.accept());
    const opened = await popup;
    await arrived(opened, '/controls.html');
    expect(await call(opened, 'getKey')).toBe(s.key);
    // The opener stays where it was.
    expect(new URL(s.page.url()).pathname).toBe('/page.html');
    s.agent.close();
    await s.context.close();
  });
});
