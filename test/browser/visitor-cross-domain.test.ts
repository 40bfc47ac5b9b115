/**
 * Cross-domain hand-over ([XD1]–[XD6]), end to end in real Chromium with a real server.
 * Chromium maps `*.test` to 127.0.0.1, so `a.test`, `b.test`, `c.test` and `evil.test`
 * (one static server, one port) are four sites with their own first-party storage. The
 * group trusts `a.test` and the helper pages of `b.test` and `c.test`; `evil.test` is not
 * trusted. Group 20000's helper for `b.test` has moved to `evil.test` (a redirect).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, chromiumExecutable } from '../helpers/browser.js';
import { TEST_GROUP_ID, startTestServer, type TestServer } from '../helpers/start-server.js';
import { joinAsAgent, type MirrorAgent } from '../fixtures/visitor/mirror-agent.js';
import { call, events, waitForEvent } from '../fixtures/visitor/visitor-page.js';
import { serveXdomSite, type XdomSite } from '../fixtures/xdom/xdom-site.js';
import { siteSettingsPatchSchema } from '../../src/server/auth/account-schemas.js';

const MOVED_GROUP = '20000';

let browser: Browser;
let server: TestServer;
let site: XdomSite;
let home: string;

const origin = (host: string) => `http://${host}:${site.port}`;

beforeAll(async () => {
  site = await serveXdomSite(() => server.baseUrl, TEST_GROUP_ID);
  server = await startTestServer({
    groups: [
      {
        id: TEST_GROUP_ID,
        name: 'Demo',
        settings: { staging: { trustedDomains: ['a.test', `${origin('b.test')}/helper.html`, `${origin('c.test')}/helper.html`] } },
      },
      {
        id: MOVED_GROUP,
        name: 'Moved helper',
        settings: {
          staging: {
            trustedDomains: ['a.test', `${origin('b.test')}/redirect.html?to=${encodeURIComponent(`${origin('evil.test')}/helper.html?group=${MOVED_GROUP}`)}`],
          },
        },
      },
    ],
  });
  home = mkdtempSync(path.join(tmpdir(), 'oc-chromium-'));
  browser = await chromium.launch({
    executablePath: chromiumExecutable(),
    args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP *.test 127.0.0.1'],
    env: { ...process.env, XDG_CONFIG_HOME: path.join(home, 'config'), XDG_CACHE_HOME: path.join(home, 'cache') },
  });
});

afterAll(async () => {
  await browser?.close();
  if (home) rmSync(home, { recursive: true, force: true });
  await site?.close();
  await server?.close();
});

/** Opens `page.html` on `host` with the query. */
async function openPage(context: BrowserContext, host: string, query: Record<string, string>): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${origin(host)}/page.html?${new URLSearchParams(query).toString()}`);
  return page;
}

/** Whether `host` has the session info in its first-party cookie. */
async function hasSessionCookie(context: BrowserContext, host: string): Promise<boolean> {
  return (await context.cookies(origin(host))).some((cookie) => cookie.name === 'glance_ssn_info');
}

/** Waits until the agent's latest keyframe shows the page whose marker starts with `text`. */
async function mirrorShows(agent: MirrorAgent, text: string): Promise<void> {
  await expect
    .poll(() => [...(agent.index()?.byText.keys() ?? [])].some((t) => t.startsWith(text)), { timeout: 15_000 })
    .toBe(true);
}

/** Session messages (`glance_xdom: "session"`) that pages of `host` received. */
const sessionsReceivedBy = (host: string) =>
  site.records.filter((r) => r.host.startsWith(`${host}:`) && (r.data as { glance_xdom?: string } | null)?.glance_xdom === 'session');

/** Starts a session on `page` and joins an agent that sees it. */
async function startWithAgent(page: Page, key: string, marker: string): Promise<MirrorAgent> {
  await call(page, 'startSession', key);
  await waitForEvent(page, 'statereceived');
  const agent = await joinAsAgent(server, key);
  await mirrorShows(agent, marker);
  return agent;
}

describe('[XD1] crossDomain()', () => {
  it('hands the session to every trusted helper, then navigates; the page there continues and the agent follows', async () => {
    const context = await browser.newContext();
    const destination = `${origin('b.test')}/page.html?name=B`;
    const page = await openPage(context, 'a.test', { name: 'A', cross: destination });
    const agent = await startWithAgent(page, 'xd-api', 'Page A');
    expect(await hasSessionCookie(context, 'b.test')).toBe(false);
    const popups: string[] = [];
    context.on('page', (opened) => popups.push(opened.url()));

    await page.click('#cross');
    await page.waitForURL(destination, { timeout: 15_000 });
    const log = await waitForEvent(page, 'statereceived');
    expect(log.map((e) => e.name).slice(0, 2)).toEqual(['sessioncontinue', 'statereceived']);
    expect(await call(page, 'getKey')).toBe('xd-api');
    // [XD5] the same agent socket now shows the page on the other domain.
    await mirrorShows(agent, 'Page B on b.test');
    expect(agent.client.messages.filter((m) => m.type === 'page').at(-1)).toMatchObject({ url: destination });
    // Every trusted helper got the session (b.test and c.test), only those, and the popup is gone.
    expect(await hasSessionCookie(context, 'c.test')).toBe(true);
    expect(sessionsReceivedBy('b.test').length).toBeGreaterThan(0);
    expect(sessionsReceivedBy('c.test').length).toBeGreaterThan(0);
    await expect.poll(() => context.pages().length).toBe(1);
    // One helper window, opened by the click, went through both helpers (first-party storage there).
    expect(popups).toHaveLength(1);
    agent.close();
    await call(page, 'stopSession');
    await context.close();
  });

  it('without a url it only hands over; isCrossDomainDone() says so', async () => {
    const context = await browser.newContext();
    const page = await openPage(context, 'a.test', { name: 'A', cross: 'none' });
    await call(page, 'startSession', 'xd-done');
    await waitForEvent(page, 'statereceived');
    expect(await call(page, 'isCrossDomainDone')).toBe(false);
    await page.click('#cross');
    await page.waitForFunction(() => (window as unknown as { __crossResult?: unknown }).__crossResult !== undefined, null, { timeout: 15_000 });
    const result = await page.evaluate(() => (window as unknown as { __crossResult: unknown }).__crossResult);
    expect(result).toEqual({
      done: true,
      results: [
        { helper: `${origin('b.test')}/helper.html`, ok: true },
        { helper: `${origin('c.test')}/helper.html`, ok: true },
      ],
    });
    expect(await call(page, 'isCrossDomainDone')).toBe(true);
    expect(new URL(page.url()).host).toBe(`a.test:${site.port}`);
    // A page of b.test opened now continues the session.
    const other = await openPage(context, 'b.test', { name: 'B2' });
    expect((await waitForEvent(other, 'statereceived')).map((e) => e.name)).toEqual(['sessioncontinue', 'statereceived']);
    expect(await call(other, 'getKey')).toBe('xd-done');
    await call(other, 'stopSession');
    await context.close();
  });
});

describe('[XD3] links to trusted domains', () => {
  it('a clicked link to a trusted domain with a helper carries the session over; the agent follows', async () => {
    const context = await browser.newContext();
    const destination = `${origin('b.test')}/page.html?name=Linked`;
    const page = await openPage(context, 'a.test', { name: 'A', link: destination });
    const agent = await startWithAgent(page, 'xd-link', 'Page A');
    await page.click('#link');
    await page.waitForURL(destination, { timeout: 15_000 });
    expect((await waitForEvent(page, 'statereceived')).map((e) => e.name).slice(0, 2)).toEqual(['sessioncontinue', 'statereceived']);
    expect(await call(page, 'getKey')).toBe('xd-link');
    await mirrorShows(agent, 'Page Linked on b.test');
    // Only the link's domain was handed the session.
    expect(await hasSessionCookie(context, 'c.test')).toBe(false);
    agent.close();
    await call(page, 'stopSession');
    await context.close();
  });

  it('[XD4] a link to an untrusted domain carries nothing: no helper, no session there', async () => {
    const context = await browser.newContext();
    const destination = `${origin('evil.test')}/page.html?name=Evil`;
    const page = await openPage(context, 'a.test', { name: 'A', link: destination });
    await call(page, 'startSession', 'xd-untrusted');
    await waitForEvent(page, 'statereceived');
    await page.click('#link');
    await page.waitForURL(destination);
    await page.waitForFunction(() => (window as unknown as { GLANCE?: unknown }).GLANCE !== undefined);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await events(page)).toEqual([]);
    expect(await call(page, 'inSession')).toBe(false);
    expect(await hasSessionCookie(context, 'evil.test')).toBe(false);
    expect(sessionsReceivedBy('evil.test')).toEqual([]);
    expect(context.pages()).toHaveLength(1); // no helper window was opened
    await context.close();
  });
});

describe('[XD4] session info reaches trusted helpers only', () => {
  it('a helper that moved to an untrusted origin gets nothing; the hand-over reports it', async () => {
    const context = await browser.newContext();
    const page = await openPage(context, 'a.test', { name: 'A', group: MOVED_GROUP, cross: 'none' });
    await call(page, 'startSession', 'xd-moved');
    await waitForEvent(page, 'statereceived');
    await page.click('#cross');
    await page.waitForFunction(() => (window as unknown as { __crossResult?: unknown }).__crossResult !== undefined, null, { timeout: 15_000 });
    const result = await page.evaluate(() => (window as unknown as { __crossResult: { done: boolean } }).__crossResult);
    expect(result).toMatchObject({ done: false, results: [{ ok: false }] });
    expect(await call(page, 'isCrossDomainDone')).toBe(false);
    // The moved helper loaded on evil.test (it said ready) but never received the session.
    expect(site.records.some((r) => r.host.startsWith('a.test:') && (r.data as { glance_xdom?: string } | null)?.glance_xdom === 'ready')).toBe(true);
    expect(sessionsReceivedBy('evil.test')).toEqual([]);
    expect(await hasSessionCookie(context, 'evil.test')).toBe(false);
    expect(await hasSessionCookie(context, 'b.test')).toBe(false);
    await call(page, 'stopSession');
    await context.close();
  });

  it('[XD2] a helper refuses session info from an opener on an untrusted domain', async () => {
    const context = await browser.newContext();
    const opener = await context.newPage();
    await opener.goto(`${origin('evil.test')}/opener.html?${new URLSearchParams({ helper: `${origin('b.test')}/helper.html`, group: TEST_GROUP_ID }).toString()}`);
    await opener.click('#open');
    await opener.waitForFunction(() => (window as unknown as { __replies: unknown[] }).__replies.length > 0, null, { timeout: 10_000 });
    expect(await opener.evaluate(() => (window as unknown as { __replies: unknown[] }).__replies)).toEqual([{ glance_xdom: 'done', ok: false }]);
    expect(await hasSessionCookie(context, 'b.test')).toBe(false);

    // The same from a trusted domain is stored: the refusal was for the origin.
    const trusted = await context.newPage();
    await trusted.goto(`${origin('a.test')}/opener.html?${new URLSearchParams({ helper: `${origin('b.test')}/helper.html`, group: TEST_GROUP_ID }).toString()}`);
    await trusted.click('#open');
    await trusted.waitForFunction(() => (window as unknown as { __replies: unknown[] }).__replies.length > 0, null, { timeout: 10_000 });
    expect(await trusted.evaluate(() => (window as unknown as { __replies: unknown[] }).__replies)).toEqual([{ glance_xdom: 'done', ok: true }]);
    expect(await hasSessionCookie(context, 'b.test')).toBe(true);
    await context.close();
  });

  it('[XD2] a helper refuses a session of another group', async () => {
    const context = await browser.newContext();
    const opener = await context.newPage();
    await opener.goto(`${origin('a.test')}/opener.html?${new URLSearchParams({ helper: `${origin('b.test')}/helper.html`, group: MOVED_GROUP }).toString()}`);
    await opener.click('#open');
    await opener.waitForFunction(() => (window as unknown as { __replies: unknown[] }).__replies.length > 0, null, { timeout: 10_000 });
    expect(await opener.evaluate(() => (window as unknown as { __replies: unknown[] }).__replies)).toEqual([{ glance_xdom: 'done', ok: false }]);
    expect(await hasSessionCookie(context, 'b.test')).toBe(false);
    await context.close();
  });
});

describe('[XD6] the helper script and its setting', () => {
  it('script=XDOM serves the helper with the group trusted domains; a bad group or site is refused', async () => {
    const response = await fetch(`${server.baseUrl}/cobrowse/CobrowseJS.ashx?group=${TEST_GROUP_ID}&site=staging&script=XDOM`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const text = await response.text();
    expect(text.startsWith('(function (__OC_XDOM__) {')).toBe(true);
    expect(text).toContain(JSON.stringify({ group: TEST_GROUP_ID, site: 'staging', trusted: ['a.test', `${origin('b.test')}/helper.html`, `${origin('c.test')}/helper.html`] }));
    const unknown = await (await fetch(`${server.baseUrl}/cobrowse/CobrowseJS.ashx?group=99999&site=staging&script=XDOM`)).text();
    expect(unknown).toContain('"trusted":[]');
    expect((await fetch(`${server.baseUrl}/cobrowse/CobrowseJS.ashx?group=abc&site=staging&script=XDOM`)).status).toBe(400);
    expect((await fetch(`${server.baseUrl}/cobrowse/CobrowseJS.ashx?group=10000&site=test&script=XDOM`)).status).toBe(400);
  });

  it('trustedDomains takes hosts and helper page URLs; other URLs are refused', () => {
    const ok = (entry: string) => v.safeParse(siteSettingsPatchSchema, { trustedDomains: [entry] }).success;
    expect(ok('shop.example.com')).toBe(true);
    expect(ok('*.example.com')).toBe(true);
    expect(ok('https://shop.example.com/cobrowse-helper.html')).toBe(true);
    expect(ok('http://localhost:8081/helper.html?x=1')).toBe(true);
    expect(ok('https://shop.example.com/')).toBe(false);
    expect(ok('https://user:pw@shop.example.com/helper.html')).toBe(false);
    expect(ok('https://*.example.com/helper.html')).toBe(false);
    expect(ok('https://shop.example.com/helper.html#x')).toBe(false);
    expect(ok('javascript:alert(1)')).toBe(false);
  });
});
