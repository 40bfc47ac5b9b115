/**
 * The Agent API end to end: a CRM page (agent-api.js from the server's script tag URL, the
 * viewer in an iframe, `GLANCE.Cobrowse.Agent.init(iframe)`) in real Chromium, a real
 * server, and a protocol-speaking visitor that sends and checks the exact messages of the
 * other side ([AP1]–[AP9], [RC1]–[RC3], [NV1]–[NV2]).
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/start-server.js';
import {
  agentCall,
  agentContext,
  createAgent,
  crmEvent,
  crmEventNames,
  openCrm,
  pageProblems,
  protocolVisitor,
  viewerFrame,
  waitForSession,
} from '../fixtures/crm/crm-harness.js';

let browser: Browser;
let server: TestServer;
let agent: BrowserContext;
let keyCounter = 0;
const newKey = () => `crm-${++keyCounter}-${Date.now().toString(36)}`;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
  agent = await agentContext(browser, server);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('GLANCE.Cobrowse.Agent', () => {
  it('[JN3][AP7] init connects to the viewer; agents, navigate and statereceived arrive with the session state', async () => {
    const key = newKey();
    const visitor = await protocolVisitor(server, key);
    const crm = await openCrm(agent, server, key);
    const frame = await viewerFrame(crm);
    await waitForSession(frame, 'live');

    const agents = (await crmEvent(crm, 'agents')) as { count: number; agentlist: Array<{ username: string }> };
    expect(agents.count).toBe(1);
    expect(agents.agentlist.map((a) => a.username)).toEqual(['demo']);
    expect(await crmEvent(crm, 'navigate')).toMatchObject({
      url: 'https://shop.example.com/checkout',
      browser: { name: expect.any(String), version: expect.any(String), platform: expect.any(String) },
      visitorversion: expect.any(String),
    });
    await crmEvent(crm, 'statereceived');
    expect(await agentCall(crm, 'getSessionState', 'agents')).toEqual(agents);
    expect(await agentCall(crm, 'getSessionState', 'rc')).toEqual({ enabled: false, suspended: false });
    expect(await agentCall(crm, 'getSessionState', 'pagevisibility')).toBe('visible');
    expect(await agentCall(crm, 'getSessionState', 'sessionpaused')).toEqual({ paused: false, message: '' });
    expect(await agentCall(crm, 'accessibilityEnabled')).toBe(false);
    // The visitor sees the agent.
    expect((await visitor.next('agents')).count).toBe(1);
    expect(await crmEventNames(crm)).not.toContain('connectfailed');
    expect(pageProblems.get(crm)).toEqual([]);
    await crm.close();
  });

  it('[AP1] session messages go both ways: sendSessionMessage reaches the visitor, the visitor\'s reach addSessionMessageListener', async () => {
    const key = newKey();
    const visitor = await protocolVisitor(server, key);
    const crm = await openCrm(agent, server, key);
    await waitForSession(await viewerFrame(crm), 'live');
    await crmEvent(crm, 'statereceived');

    await crm.evaluate(() => {
      const w = window as unknown as { __messages: unknown[]; GLANCE: { Cobrowse: { Agent: { addSessionMessageListener(n: string, f: (n: string, d: unknown) => void): void } } } };
      w.GLANCE.Cobrowse.Agent.addSessionMessageListener('cart', (name, data) => w.__messages.push({ name, data }));
    });
    const mark = visitor.mark();
    await agentCall(crm, 'sendSessionMessage', 'offer', { code: 'SAVE10', items: [1, 2] });
    expect(await visitor.next('message', mark)).toMatchObject({ name: 'offer', data: { code: 'SAVE10', items: [1, 2] }, from: { username: 'demo' } });

    visitor.client.send({ type: 'message', name: 'other', data: 'not for this listener' });
    visitor.client.send({ type: 'message', name: 'cart', data: { items: 3 } });
    await crm.waitForFunction(() => (window as unknown as { __messages: unknown[] }).__messages.length > 0);
    expect(await crm.evaluate(() => (window as unknown as { __messages: unknown[] }).__messages)).toEqual([{ name: 'cart', data: { items: 3 } }]);
    await crm.close();
  });

  it('[AP2][AP7] getUserState returns what the visitor stored, also after the CRM page reloads', async () => {
    const key = newKey();
    const visitor = await protocolVisitor(server, key);
    const crm = await openCrm(agent, server, key);
    await waitForSession(await viewerFrame(crm), 'live');
    await crmEvent(crm, 'statereceived');
    expect(await agentCall(crm, 'getUserState', 'plan')).toBeUndefined();

    visitor.client.send({ type: 'userstate', name: 'plan', value: { tier: 'gold' } });
    expect(await crmEvent(crm, 'userstate')).toEqual({ name: 'plan', value: { tier: 'gold' } });
    expect(await agentCall(crm, 'getUserState', 'plan')).toEqual({ tier: 'gold' });

    visitor.client.send({ type: 'rc', enabled: true });
    await crmEvent(crm, 'rc');
    await crm.reload();
    await waitForSession(await viewerFrame(crm), 'live');
    await crmEvent(crm, 'statereceived');
    expect(await agentCall(crm, 'getUserState', 'plan')).toEqual({ tier: 'gold' });
    expect(await agentCall(crm, 'getSessionState', 'rc')).toEqual({ enabled: true, suspended: false });
    await crm.close();
  });

  it('[AP3][AP4] the visitor pausing hides the page with their message; page visibility reaches pagevisibility', async () => {
    const key = newKey();
    const visitor = await protocolVisitor(server, key);
    const crm = await openCrm(agent, server, key);
    const frame = await viewerFrame(crm);
    await waitForSession(frame, 'live');
    await frame.waitForSelector('#oc-viewer[data-page="true"]');

    visitor.client.send({ type: 'pause', paused: true, message: 'Entering card details' });
    expect(await crmEvent(crm, 'sessionpaused')).toEqual({ paused: true, message: 'Entering card details' });
    expect(await agentCall(crm, 'getSessionState', 'sessionpaused')).toEqual({ paused: true, message: 'Entering card details' });
    await frame.waitForSelector('#oc-viewer[data-paused="true"]');
    expect(await frame.evaluate(() => getComputedStyle(document.querySelector('.oc-box')!).visibility)).toBe('hidden');
    expect(await frame.textContent('.oc-notice')).toContain('The visitor paused the session');
    expect(await frame.textContent('.oc-notice')).toContain('Entering card details');
    expect(await frame.textContent('.oc-chip--session')).toContain('Paused by the visitor');

    visitor.client.send({ type: 'pause', paused: false });
    expect(await crmEvent(crm, 'sessionpaused', 1)).toEqual({ paused: false, message: '' });
    await frame.waitForSelector('#oc-viewer[data-paused="false"]');
    expect(await frame.evaluate(() => getComputedStyle(document.querySelector('.oc-box')!).visibility)).toBe('visible');

    visitor.client.send({ type: 'visibility', visible: false });
    expect(await crmEvent(crm, 'pagevisibility')).toBe('hidden');
    expect(await agentCall(crm, 'getSessionState', 'pagevisibility')).toBe('hidden');
    visitor.client.send({ type: 'visibility', visible: true });
    expect(await crmEvent(crm, 'pagevisibility', 1)).toBe('visible');
    await crm.close();
  });

  it('[RC1][RC2][RC3] requestRC(true) asks the visitor; rc reports grant and release; rcdeclined a refusal', async () => {
    const key = newKey();
    const visitor = await protocolVisitor(server, key);
    const crm = await openCrm(agent, server, key);
    const frame = await viewerFrame(crm);
    await waitForSession(frame, 'live');
    await crmEvent(crm, 'statereceived');

    let mark = visitor.mark();
    await agentCall(crm, 'requestRC', true);
    expect(await visitor.next('rc-request', mark)).toMatchObject({ agent: { username: 'demo', name: 'Demo Agent' } });
    await frame.waitForSelector('#oc-viewer[data-control="asking"]');
    visitor.client.send({ type: 'rc-declined' });
    await crmEvent(crm, 'rcdeclined');
    await frame.waitForSelector('#oc-viewer[data-control="off"]');
    expect(await frame.textContent('.oc-alert')).toContain('The visitor declined remote control.');

    mark = visitor.mark();
    await agentCall(crm, 'requestRC');
    await visitor.next('rc-request', mark);
    visitor.client.send({ type: 'rc', enabled: true });
    expect(await crmEvent(crm, 'rc')).toEqual({ enabled: true, suspended: false });
    expect(await agentCall(crm, 'getSessionState', 'rc')).toEqual({ enabled: true, suspended: false });
    await frame.waitForSelector('#oc-viewer[data-control="on"]');
    expect(await frame.textContent('.oc-control-button')).toBe('Release control');

    visitor.client.send({ type: 'rc', enabled: true, suspended: true });
    expect(await crmEvent(crm, 'rc', 1)).toEqual({ enabled: true, suspended: true });
    await frame.waitForSelector('#oc-viewer[data-control="suspended"]');

    mark = visitor.mark();
    await agentCall(crm, 'requestRC', false);
    expect(await visitor.next('rc', mark)).toEqual({ type: 'rc', enabled: false, suspended: false });
    expect(await crmEvent(crm, 'rc', 2)).toEqual({ enabled: false, suspended: false });
    await frame.waitForSelector('#oc-viewer[data-control="off"]');
    await crm.close();
  });

  it('[NV1][NV2] navigate: refused without control or confirm, carried with a confirm, keywords with control; the visitor\'s new page fires navigate', async () => {
    const key = newKey();
    const visitor = await protocolVisitor(server, key);
    const crm = await openCrm(agent, server, key);
    await waitForSession(await viewerFrame(crm), 'live');
    await crmEvent(crm, 'statereceived');

    await agentCall(crm, 'navigate', { url: '/cart', link: { target: '_self' } });
    expect(await crmEvent(crm, 'accessdenied')).toEqual({ action: 'navigate', reason: 'navigation needs remote control or a confirm prompt' });

    let mark = visitor.mark();
    await agentCall(crm, 'navigate', { url: '/cart?step=2', confirm: {}, open: { target: '_blank', features: 'width=600' } });
    expect(await visitor.next('navigate', mark)).toMatchObject({
      url: 'https://shop.example.com/cart?step=2',
      confirm: {},
      open: { target: '_blank', features: 'width=600' },
      agent: { username: 'demo' },
    });

    await agentCall(crm, 'navigate', { url: 'https://evil.example.net/', confirm: true });
    expect(await crmEvent(crm, 'accessdenied', 1)).toMatchObject({ action: 'navigate', reason: expect.stringContaining('evil.example.net') });

    visitor.client.send({ type: 'rc', enabled: true });
    await crmEvent(crm, 'rc');
    for (const keyword of ['back', 'forward', 'refresh'] as const) {
      mark = visitor.mark();
      await agentCall(crm, 'navigate', { url: keyword });
      expect(await visitor.next('navigate', mark)).toMatchObject({ url: keyword });
    }

    // The visitor's next page: a new hello that continues the session ([AP8]).
    visitor.client.close();
    await visitor.client.closed;
    const { connectVisitor } = await import('../helpers/protocol-clients.js');
    const back = await connectVisitor(server, {
      resume: { sessionId: visitor.welcome.sessionId, token: visitor.welcome.token, ackedSeq: visitor.nextSeq - 1 },
      page: { url: 'https://shop.example.com/cart?step=2', title: 'Cart' },
    });
    expect(await crmEvent(crm, 'navigate', 1)).toMatchObject({ url: 'https://shop.example.com/cart?step=2', title: 'Cart' });
    expect(await agentCall(crm, 'getSessionState', 'navigate')).toMatchObject({ url: 'https://shop.example.com/cart?step=2' });
    back.client.close();
    await crm.close();
  });

  it('[AP5] addScreenshare, pauseScreeenshare (the document\'s spelling), resumeScreenshare and closeScreenshare reach the visitor and the screenshare event', async () => {
    const key = newKey();
    const visitor = await protocolVisitor(server, key);
    const crm = await openCrm(agent, server, key);
    await waitForSession(await viewerFrame(crm), 'live');
    await crmEvent(crm, 'statereceived');

    let mark = visitor.mark();
    await agentCall(crm, 'addScreenshare', { screenshareView: 'glance_screenshare', sessionKey: '9876', ssnParams: {}, agentparams: { preview: false } });
    expect(await visitor.next('screenshare', mark)).toMatchObject({ screenshareView: 'glance_screenshare', state: 'new', paused: false, params: { sessionKey: '9876' } });
    expect(await crmEvent(crm, 'screenshare')).toMatchObject({ screenshareView: 'glance_screenshare', state: 'new', paused: false });

    mark = visitor.mark();
    await agentCall(crm, 'pauseScreeenshare', { screenshareView: 'glance_screenshare' });
    expect(await visitor.next('screenshare', mark)).toMatchObject({ state: 'continued', paused: true });
    expect(await crmEvent(crm, 'screenshare', 1)).toMatchObject({ state: 'continued', paused: true });
    expect(await agentCall(crm, 'getSessionState', 'screenshare')).toMatchObject({ paused: true });

    mark = visitor.mark();
    await agentCall(crm, 'resumeScreenshare', { screenshareView: 'glance_screenshare' });
    expect(await visitor.next('screenshare', mark)).toMatchObject({ state: 'continued', paused: false });
    await agentCall(crm, 'pauseScreenshare', { screenshareView: 'glance_screenshare' });
    expect(await crmEvent(crm, 'screenshare', 3)).toMatchObject({ paused: true });

    mark = visitor.mark();
    await agentCall(crm, 'closeScreenshare', { screenshareView: 'glance_screenshare' });
    expect(await visitor.next('screenshare', mark)).toMatchObject({ state: 'ended' });
    expect(await crmEvent(crm, 'screenshare', 4)).toMatchObject({ state: 'ended' });
    await crm.close();
  });

  it('[AP6] enableAccessibility switches the session\'s accessibility; accessibilityEnabled reports it', async () => {
    const key = newKey();
    const visitor = await protocolVisitor(server, key);
    const crm = await openCrm(agent, server, key);
    await waitForSession(await viewerFrame(crm), 'live');
    await crmEvent(crm, 'statereceived');

    const mark = visitor.mark();
    await agentCall(crm, 'enableAccessibility', true);
    expect(await agentCall(crm, 'accessibilityEnabled')).toBe(true);
    expect(await visitor.next('accessibility', mark)).toEqual({ type: 'accessibility', enabled: true });
    expect(await crmEvent(crm, 'accessibility')).toEqual({ enabled: true });
    await agentCall(crm, 'enableAccessibility', false);
    expect(await agentCall(crm, 'accessibilityEnabled')).toBe(false);
    expect(await crmEvent(crm, 'accessibility', 1)).toEqual({ enabled: false });
    await crm.close();
  });

  it('[RC1][AP5][NV2] an agent without the privileges gets accessdenied, and the viewer says why', async () => {
    const password = await createAgent(server, 'restricted', { remoteControl: false, screenShare: false, navigate: false });
    const context = await agentContext(browser, server, { username: 'restricted', password });
    const key = newKey();
    const visitor = await protocolVisitor(server, key);
    const crm = await openCrm(context, server, key);
    const frame = await viewerFrame(crm);
    await waitForSession(frame, 'live');
    await crmEvent(crm, 'statereceived');

    const mark = visitor.mark();
    await agentCall(crm, 'requestRC', true);
    expect(await crmEvent(crm, 'accessdenied')).toEqual({ action: 'rcrequested', reason: 'no remote control privilege' });
    await frame.waitForFunction(() => document.querySelector('.oc-alert')?.textContent?.includes('Remote control was refused: no remote control privilege.'));
    await frame.waitForSelector('#oc-viewer[data-control="off"]');
    await agentCall(crm, 'addScreenshare', {});
    expect(await crmEvent(crm, 'accessdenied', 1)).toEqual({ action: 'screenshare', reason: 'no screen share privilege' });
    await agentCall(crm, 'navigate', { url: 'back', confirm: true });
    expect(await crmEvent(crm, 'accessdenied', 2)).toEqual({ action: 'navigate', reason: 'no navigate privilege' });
    // Nothing of it reached the visitor.
    await agentCall(crm, 'sendSessionMessage', 'marker', 1);
    await visitor.next('message', mark);
    expect(visitor.client.messages.slice(mark).map((m) => m.type)).not.toContain('rc-request');
    expect(visitor.client.messages.slice(mark).map((m) => m.type)).not.toContain('screenshare');
    expect(visitor.client.messages.slice(mark).map((m) => m.type)).not.toContain('navigate');
    await context.close();
  });
});
