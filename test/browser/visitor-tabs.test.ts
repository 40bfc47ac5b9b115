/**
 * Tabs ([TB1]–[TB4]): one tab holds the session; another tab continuing it makes the first
 * one `blur`; showing or focusing a blurred tab again takes the session back (`focus`
 * there, `blur` in the other) and the agent's mirror follows; a session that ended in one
 * tab is not revived by another.
 *
 * Headless Chromium pretends every page is focused; the tests turn that emulation off
 * (CDP `Emulation.setFocusEmulationEnabled`) so `bringToFront()` moves the real window
 * focus, with real `focus` / `blur` events on the windows.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { TEST_GROUP_ID, startTestServer, type TestServer } from '../helpers/start-server.js';
import { joinAsAgent, type MirrorAgent } from '../fixtures/visitor/mirror-agent.js';
import { call, events, waitForEvent } from '../fixtures/visitor/visitor-page.js';
import { serveXdomSite, type XdomSite } from '../fixtures/xdom/xdom-site.js';

let browser: Browser;
let server: TestServer;
let site: XdomSite;

beforeAll(async () => {
  server = await startTestServer();
  site = await serveXdomSite(() => server.baseUrl, TEST_GROUP_ID);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await server?.close();
});

/** Opens the fixture page `name` in a new tab whose window focus is real. */
async function openTab(context: BrowserContext, name: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${site.url}/page.html?name=${name}`);
  // After the navigation: Playwright turns the emulation on for each new document.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setFocusEmulationEnabled', { enabled: false });
  return page;
}

/** Waits until the agent's latest keyframe shows the page whose marker text is `text`. */
async function mirrorShows(agent: MirrorAgent, text: string): Promise<void> {
  await expect
    .poll(() => [...(agent.index()?.byText.keys() ?? [])].some((t) => t.startsWith(text)), { timeout: 15_000 })
    .toBe(true);
}

const names = async (page: Page) => (await events(page)).map((e) => e.name);

describe('[TB1]–[TB2] the focused tab holds the session', () => {
  it('a second tab takes the session (first: blur); bringing the first to front takes it back (focus, other: blur), the mirror follows', async () => {
    const context = await browser.newContext();
    const a = await openTab(context, 'A');
    await call(a, 'startSession', 'tabs-1');
    await waitForEvent(a, 'statereceived');
    const agent = await joinAsAgent(server, 'tabs-1');
    await mirrorShows(agent, 'Page A');

    const b = await openTab(context, 'B');
    await waitForEvent(b, 'statereceived');
    await waitForEvent(a, 'blur');
    expect(await call(b, 'getKey')).toBe('tabs-1');
    expect(await call(a, 'inSession')).toBe(false);
    await mirrorShows(agent, 'Page B');

    await a.bringToFront();
    const logA = await waitForEvent(a, 'focus');
    // A continues the session again: sessioncontinue and statereceived, then focus.
    expect(logA.map((e) => e.name).filter((n) => n !== 'agents').slice(-4)).toEqual(['blur', 'sessioncontinue', 'statereceived', 'focus']);
    await waitForEvent(b, 'blur');
    expect(await call(a, 'inSession')).toBe(true);
    expect(await call(b, 'inSession')).toBe(false);
    // The agent never rejoined: the same socket now shows tab A's page.
    await mirrorShows(agent, 'Page A');
    expect(agent.index()?.byText.has('Page B on ' + new URL(site.url).host)).toBe(false);
    expect(agent.client.messages.filter((m) => m.type === 'page').at(-1)).toMatchObject({ url: `${site.url}/page.html?name=A` });

    // And back to B by focusing it.
    await b.bringToFront();
    await waitForEvent(b, 'focus');
    await waitForEvent(a, 'blur', 2);
    await mirrorShows(agent, 'Page B');
    expect(server.relay.findSession(TEST_GROUP_ID, 'tabs-1')).toMatchObject({ visitorConnected: true });

    agent.close();
    await call(b, 'stopSession');
    await context.close();
  });

  it('[TB2] two visible windows do not pass the session back and forth', async () => {
    const context = await browser.newContext();
    const a = await openTab(context, 'A');
    await call(a, 'startSession', 'tabs-2');
    await waitForEvent(a, 'statereceived');
    const b = await openTab(context, 'B');
    await waitForEvent(b, 'statereceived');
    await waitForEvent(a, 'blur');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await names(a)).toEqual(['sessionstarting', 'sessionstart', 'sessioncontinue', 'statereceived', 'blur']);
    expect(await names(b)).toEqual(['sessioncontinue', 'statereceived']);
    await call(b, 'stopSession');
    await context.close();
  });
});

describe('[TB3] a hidden tab does not take the session', () => {
  it('a tab that loads hidden waits; shown, it takes the session (focus) and the other tab gets blur', async () => {
    const context = await browser.newContext();
    const a = await openTab(context, 'A');
    await call(a, 'startSession', 'tabs-hidden');
    await waitForEvent(a, 'statereceived');
    const b = await context.newPage();
    // Headless pages are always visible: B's document says it is hidden until the test shows it.
    await b.addInitScript(() => {
      const w = window as unknown as { __hidden: boolean };
      w.__hidden = true;
      Object.defineProperty(Document.prototype, 'visibilityState', { get: () => (w.__hidden ? 'hidden' : 'visible'), configurable: true });
      Object.defineProperty(Document.prototype, 'hidden', { get: () => w.__hidden, configurable: true });
    });
    await b.goto(`${site.url}/page.html?name=B`);
    await b.waitForFunction(() => (window as unknown as { GLANCE: { Cobrowse: { Visitor: { loaded: boolean } } } }).GLANCE.Cobrowse.Visitor.loaded);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await names(b)).toEqual([]);
    expect(await names(a)).not.toContain('blur');

    await b.evaluate(() => {
      (window as unknown as { __hidden: boolean }).__hidden = false;
      document.dispatchEvent(new Event('visibilitychange'));
    });
    expect((await waitForEvent(b, 'focus')).map((e) => e.name)).toEqual(['sessioncontinue', 'statereceived', 'focus']);
    await waitForEvent(a, 'blur');
    await call(b, 'stopSession');
    await context.close();
  });
});

describe('[TB4] a session that ended stays ended', () => {
  it('after the session ends in the holding tab, focusing another tab does not revive it', async () => {
    const context = await browser.newContext();
    const a = await openTab(context, 'A');
    await call(a, 'startSession', 'tabs-3');
    await waitForEvent(a, 'statereceived');
    const b = await openTab(context, 'B');
    await waitForEvent(b, 'statereceived');
    await waitForEvent(a, 'blur');

    await call(b, 'stopSession');
    await waitForEvent(b, 'sessionend');
    await a.bringToFront();
    await b.bringToFront();
    await a.bringToFront();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await names(a)).toEqual(['sessionstarting', 'sessionstart', 'sessioncontinue', 'statereceived', 'blur']);
    expect(await call(a, 'inSession')).toBe(false);
    expect(server.relay.findSession(TEST_GROUP_ID, 'tabs-3')).toBeUndefined();
    await context.close();
  });
});
