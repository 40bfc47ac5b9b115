/**
 * The loader on its own, served from a host that has the loader but no engine: reading
 * the tag, reporting a bad configuration, the stub's queue, and a failed engine load.
 * (Sessions against a real server are in visitor-session.test.ts.)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { serveStatic, type StaticServer } from '../helpers/static-server.js';
import { serveVisitorSite } from '../fixtures/visitor/fixture-site.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const GROUP = '10000';

let browser: Browser;
let scriptHost: StaticServer;
let site: StaticServer;

beforeAll(async () => {
  const loader = readFileSync(path.join(ROOT, 'dist/public/loader.js'), 'utf8');
  // A host with the loader under its Glance name and nothing else: /static/visitor.js is a 404.
  scriptHost = await serveStatic(path.join(ROOT, 'test/fixtures/visitor'), {
    '/cobrowse/CobrowseJS.ashx': () => ({ type: 'text/javascript; charset=utf-8', body: loader }),
  });
  site = await serveVisitorSite(scriptHost.url, GROUP);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await scriptHost?.close();
});

interface Opened {
  page: Page;
  errors: string[];
}

async function open(query = ''): Promise<Opened> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    // Our messages only (Chromium also logs the fixture's missing favicon).
    if (message.type() === 'error' && message.text().startsWith('[cobrowse]')) errors.push(message.text());
  });
  await page.goto(`${site.url}/page.html${query}`);
  return { page, errors };
}

/** Whether the loader has added the engine's script tag (it does so synchronously when it loads the engine). */
const engineRequested = (page: Page) => page.evaluate(() => document.querySelector('script[src$="/static/visitor.js"]') !== null);

type Events = Array<{ name: string; payload: Record<string, unknown> }>;
const events = (page: Page) => page.evaluate(() => (window as unknown as { __events: Events }).__events);

describe('loader: the script tag', () => {
  it('installs the Visitor stub and the hand-off, and loads no engine until a session is asked for', async () => {
    const { page, errors } = await open('?attr.visitorid=cust-7&attr.name=Ada');
    const state = await page.evaluate(() => {
      const g = (window as unknown as { GLANCE: { Cobrowse: { Visitor: Record<string, unknown>; Loader: { config: Record<string, unknown> } } } }).GLANCE;
      const visitor = g.Cobrowse.Visitor as unknown as { loaded: boolean; inSession(): boolean; getKey(): unknown };
      return { loaded: visitor.loaded, inSession: visitor.inSession(), key: visitor.getKey(), config: g.Cobrowse.Loader.config };
    });
    expect(state.loaded).toBe(false);
    expect(state.inSession).toBe(false);
    expect(state.key).toBeNull();
    expect(state.config).toMatchObject({ groupId: GROUP, site: 'staging', server: scriptHost.url, visitorId: 'cust-7', name: 'Ada' });
    expect(errors).toEqual([]);
    expect(await engineRequested(page)).toBe(false);
    await page.close();
  });

  it('data-* attributes override GLANCE_COBROWSE properties of the same name', async () => {
    const config = encodeURIComponent(JSON.stringify({ visitorid: 'from-page', email: 'a@example.com' }));
    const { page } = await open(`?config=${config}&attr.visitorid=from-tag`);
    const loaded = await page.evaluate(
      () => (window as unknown as { GLANCE: { Cobrowse: { Loader: { config: { visitorId: string; email: string } } } } }).GLANCE.Cobrowse.Loader.config,
    );
    expect(loaded.visitorId).toBe('from-tag');
    expect(loaded.email).toBe('a@example.com');
    await page.close();
  });

  it('a group id that is not 4–6 digits is reported in the console, and startSession only repeats it', async () => {
    const { page, errors } = await open('?groupid=12ab');
    expect(errors.some((text) => text.includes('data-groupid "12ab" is invalid: it must be 4 to 6 digits'))).toBe(true);
    await page.evaluate(() => (window as unknown as { GLANCE: { Cobrowse: { Visitor: { startSession(): void } } } }).GLANCE.Cobrowse.Visitor.startSession());
    expect(errors.some((text) => text.includes('cannot start a session: data-groupid "12ab" is invalid'))).toBe(true);
    expect(await engineRequested(page)).toBe(false);
    await page.close();
  });

  it('a site other than staging/production is reported in the console', async () => {
    const { page, errors } = await open('?site=test');
    expect(errors.some((text) => text.includes('data-site "test" is invalid: it must be "staging" or "production"'))).toBe(true);
    await page.close();
  });

  it('the stub keeps start params for getStartParams and a removed listener is not handed over', async () => {
    const { page } = await open();
    const result = await page.evaluate(() => {
      const visitor = (window as unknown as { GLANCE: { Cobrowse: { Visitor: Record<string, (...args: unknown[]) => unknown> } } }).GLANCE.Cobrowse.Visitor;
      visitor.setStartParams!({ sessionKey: 'abc', name: 'Ada' });
      const listener = () => {};
      visitor.addEventListener!('agents', listener);
      visitor.removeEventListener!('agents', listener);
      const state = (window as unknown as { GLANCE: { Cobrowse: { Loader: { stub: { listeners: unknown[]; calls: unknown[] } } } } }).GLANCE.Cobrowse.Loader.stub;
      return { params: visitor.getStartParams!(), listeners: state.listeners.length, calls: state.calls };
    });
    expect(result.params).toEqual({ sessionKey: 'abc', name: 'Ada' });
    expect(result.listeners).toBe(16); // the fixture's own, not the removed one
    expect(result.calls).toEqual([['setStartParams', [{ sessionKey: 'abc', name: 'Ada' }]]]);
    await page.close();
  });

  it('a failed engine load fires error SCRIPT_NOT_LOADED to the listeners added before it', async () => {
    const { page, errors } = await open();
    await page.evaluate(() => (window as unknown as { GLANCE: { Cobrowse: { Visitor: { startSession(k: string): void } } } }).GLANCE.Cobrowse.Visitor.startSession('cust-1'));
    await page.waitForFunction(() => (window as unknown as { __events: unknown[] }).__events.length > 0);
    const script = `${scriptHost.url}/static/visitor.js`;
    expect(await events(page)).toEqual([{ name: 'error', payload: { code: 'SCRIPT_NOT_LOADED', msg: `could not load ${script}`, params: { script } } }]);
    expect(errors.some((text) => text.includes(`could not load ${script}`))).toBe(true);
    // The failed start is not replayed later; a new start tries the load again.
    const queued = await page.evaluate(() => (window as unknown as { GLANCE: { Cobrowse: { Loader: { stub: { calls: unknown[] } } } } }).GLANCE.Cobrowse.Loader.stub.calls.length);
    expect(queued).toBe(0);
    await page.evaluate(() => (window as unknown as { GLANCE: { Cobrowse: { Visitor: { startSession(): void } } } }).GLANCE.Cobrowse.Visitor.startSession());
    await page.waitForFunction(() => (window as unknown as { __events: unknown[] }).__events.length > 1);
    expect((await events(page))[1]?.payload.code).toBe('SCRIPT_NOT_LOADED');
    await page.close();
  });
});
