/**
 * The Agent API from a CRM page on another origin than the server, as in production: the
 * server's `crmOrigins` setting lets that origin frame the viewer (`frame-ancestors`) and
 * talk to it (the viewer's `crmOrigins` configuration); any other origin can do neither.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/start-server.js';
import { serveStatic, type StaticServer } from '../helpers/static-server.js';
import { agentCall, agentContext, crmEvent, crmHtml, protocolVisitor, viewerFrame, waitForSession } from '../fixtures/crm/crm-harness.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/crm');

/** Starts a server that allows `origins` as CRM origins. */
function serverFor(origins: string[]): Promise<TestServer> {
  return startTestServer({ crmOrigins: origins });
}

describe('a CRM page on another origin', () => {
  let browser: Browser;
  let server: TestServer;
  let crmSite: StaticServer;
  let otherSite: StaticServer;
  let agent: BrowserContext;

  beforeAll(async () => {
    // Two sites: the allowed CRM and another one. Their origins are known once they listen.
    let html = '';
    crmSite = await serveStatic(FIXTURES, { '/crm.html': () => ({ type: 'text/html; charset=utf-8', body: html }) });
    otherSite = await serveStatic(FIXTURES, { '/crm.html': () => ({ type: 'text/html; charset=utf-8', body: html }) });
    server = await serverFor([crmSite.url]);
    html = crmHtml(server);
    browser = await launchBrowser();
    agent = await agentContext(browser, server);
  });

  afterAll(async () => {
    await browser?.close();
    await crmSite?.close();
    await otherSite?.close();
    await server?.close();
  });

  it('an allowed CRM origin frames the viewer and uses every direction of the bridge', async () => {
    const key = `xo-${Date.now().toString(36)}`;
    const visitor = await protocolVisitor(server, key);
    const crm = await agent.newPage();
    await crm.goto(`${crmSite.url}/crm.html?key=${key}`);
    const frame = await viewerFrame(crm);
    await waitForSession(frame, 'live');
    expect(await crmEvent(crm, 'agents')).toMatchObject({ count: 1 });
    await crmEvent(crm, 'statereceived');

    const mark = visitor.mark();
    await agentCall(crm, 'sendSessionMessage', 'offer', { code: 'SAVE10' });
    expect(await visitor.next('message', mark)).toMatchObject({ name: 'offer', data: { code: 'SAVE10' } });
    visitor.client.send({ type: 'userstate', name: 'plan', value: 'gold' });
    expect(await crmEvent(crm, 'userstate')).toEqual({ name: 'plan', value: 'gold' });
    await crm.close();
  });

  it('a CRM page of any other origin cannot frame the viewer and hears nothing', async () => {
    const key = `xo-other-${Date.now().toString(36)}`;
    await protocolVisitor(server, key);
    const crm = await agent.newPage();
    const blocked: string[] = [];
    crm.on('console', (message) => {
      if (message.type() === 'error') blocked.push(message.text());
    });
    await crm.goto(`${otherSite.url}/crm.html?key=${key}`);
    await crm.waitForFunction(() => (document.getElementById('viewer') as HTMLIFrameElement).contentWindow !== null);
    await expect.poll(() => blocked.some((text) => text.includes('frame-ancestors')), { timeout: 10_000 }).toBe(true);
    expect(await crm.evaluate(() => (window as unknown as { __events: unknown[] }).__events)).toEqual([]);
    await crm.close();
  });
});
