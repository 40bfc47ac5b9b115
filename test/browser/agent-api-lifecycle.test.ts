/**
 * The Agent API over a session's life: calls made before `init` and before the viewer has
 * joined wait and go out in order, the end of the session and calls after it, leaving
 * with `leaveSession(url)`, `connectfailed`, and a bridge that only listens to its own
 * windows. Real server, real Chromium, a protocol-speaking visitor checking what arrives.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../src/shared/protocol/close-codes.js';
import { launchBrowser } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/start-server.js';
import { serveStatic, type StaticServer } from '../helpers/static-server.js';
import { startFrontProxy, type FrontProxy } from '../fixtures/viewer/front-proxy.js';
import {
  LEFT_PATH,
  agentCall,
  agentContext,
  createAgent,
  crmEvent,
  crmEventNames,
  openCrm,
  protocolVisitor,
  viewerFrame,
  waitForSession,
} from '../fixtures/crm/crm-harness.js';

let browser: Browser;
let proxy: FrontProxy;
let server: TestServer;
let agent: BrowserContext;
let rogueSite: StaticServer;
let keyCounter = 0;
const newKey = () => `life-${++keyCounter}-${Date.now().toString(36)}`;

/** A page of another origin that, framed in the CRM page, impersonates both ends of the bridge. */
const ROGUE_PAGE = `<!DOCTYPE html><title>rogue</title><script>
  const channel = 'opencobrowse.agent';
  // To the CRM page, pretending to be the viewer.
  parent.postMessage({ channel, v: 1, kind: 'connected', snapshot: { events: { rc: { enabled: true, suspended: false } }, userState: { stolen: 1 } } }, '*');
  parent.postMessage({ channel, v: 1, kind: 'event', name: 'rc', data: { enabled: true, suspended: false } }, '*');
  parent.postMessage({ channel, v: 1, kind: 'message', name: 'cart', data: 'forged' }, '*');
  // To the viewer, pretending to be the CRM page.
  parent.frames[0].postMessage({ channel, v: 1, kind: 'connect' }, '*');
  parent.frames[0].postMessage({ channel, v: 1, kind: 'call', id: 1, call: { method: 'sendSessionMessage', name: 'rogue', data: 1 } }, '*');
  parent.frames[0].postMessage({ channel, v: 1, kind: 'call', id: 2, call: { method: 'leaveSession', url: null } }, '*');
  parent.postMessage('rogue-done', '*');
</script>`;

beforeAll(async () => {
  // The agent reaches the server through a proxy (its public URL), so a test can cut the
  // agent's network; visitors connect straight to the server.
  proxy = await startFrontProxy();
  server = await startTestServer({ publicUrl: proxy.url });
  proxy.setTarget(server.baseUrl);
  browser = await launchBrowser();
  agent = await agentContext(browser, { baseUrl: proxy.url });
  rogueSite = await serveStatic(process.cwd(), { '/rogue.html': () => ({ type: 'text/html; charset=utf-8', body: ROGUE_PAGE }) });
});

afterAll(async () => {
  await browser?.close();
  await rogueSite?.close();
  await server?.close();
  await proxy?.close();
});

const address = () => ({ baseUrl: proxy.url });

/** Polls `condition` until it holds (a visitor socket has no page to wait in). */
async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the Agent API over a session', () => {
  it('[AP9] calls made before init, before the frame has the viewer and while it waits for the session go out in order once joined', async () => {
    const key = newKey();
    const crm = await openCrm(agent, address(), key, { init: 'manual', src: 'later' });
    await agentCall(crm, 'sendSessionMessage', 'first', { n: 1 });
    await agentCall(crm, 'sendSessionMessage', 'second', { n: 2 });
    await agentCall(crm, 'enableAccessibility', true);
    await crm.evaluate(() => {
      const w = window as unknown as { __viewerUrl: string; GLANCE: { Cobrowse: { Agent: { init(f: HTMLIFrameElement): void } } } };
      const frame = document.getElementById('viewer') as HTMLIFrameElement;
      w.GLANCE.Cobrowse.Agent.init(frame);
      frame.src = w.__viewerUrl;
    });
    const frame = await viewerFrame(crm);
    await waitForSession(frame, 'waiting');
    await agentCall(crm, 'sendSessionMessage', 'third', { n: 3 });

    const visitor = await protocolVisitor(server, key);
    await waitForSession(frame, 'live');
    const calls = () =>
      visitor.client.messages.filter((m) => m.type === 'message' || m.type === 'accessibility').map((m) => (m.type === 'message' ? m.name : m.type));
    await until(() => calls().length >= 4);
    // Every call arrived, once, in the order it was made.
    expect(calls()).toEqual(['first', 'second', 'accessibility', 'third']);
    expect(await agentCall(crm, 'accessibilityEnabled')).toBe(true);
    await crm.close();
  });

  it('[AP7] init after the viewer has joined: statereceived and the session state arrive at once', async () => {
    const key = newKey();
    const visitor = await protocolVisitor(server, key);
    visitor.client.send({ type: 'userstate', name: 'plan', value: 'gold' });
    const crm = await openCrm(agent, address(), key, { init: 'manual' });
    await waitForSession(await viewerFrame(crm), 'live');
    expect(await crmEventNames(crm)).toEqual([]);
    await crm.evaluate(() => (window as unknown as { GLANCE: { Cobrowse: { Agent: { init(id: string): void } } } }).GLANCE.Cobrowse.Agent.init('viewer'));
    expect(await crmEvent(crm, 'statereceived')).toMatchObject({ userState: { plan: 'gold' }, events: { agents: { count: 1 } } });
    expect(await agentCall(crm, 'getUserState', 'plan')).toBe('gold');
    expect(await agentCall(crm, 'getSessionState', 'agents')).toMatchObject({ count: 1 });
    await crm.close();
  });

  it('[SS6] sessionend when the visitor ends the session; a call after it fails with no-session', async () => {
    const key = newKey();
    const visitor = await protocolVisitor(server, key);
    const crm = await openCrm(agent, address(), key);
    const frame = await viewerFrame(crm);
    await waitForSession(frame, 'live');

    visitor.client.send({ type: 'stop' });
    expect(await crmEvent(crm, 'sessionend')).toEqual({ reason: 'visitor' });
    await waitForSession(frame, 'over', 'closed');
    await agentCall(crm, 'sendSessionMessage', 'too-late', {});
    expect(await crmEvent(crm, 'error')).toEqual({ method: 'sendSessionMessage', code: 'no-session', message: 'The visitor ended the session' });
    expect(await crm.evaluate(() => (window as unknown as { __consoleErrors: string[] }).__consoleErrors)).toContainEqual(
      expect.stringContaining('GLANCE.Cobrowse.Agent.sendSessionMessage: The visitor ended the session (no-session)'),
    );
    expect(await crmEventNames(crm)).not.toContain('connectfailed');
    await crm.close();
  });

  it('leaveSession(url) leaves the session, fires sessionend and sends the viewer frame to url; a non-web url throws', async () => {
    const key = newKey();
    const visitor = await protocolVisitor(server, key);
    const crm = await openCrm(agent, address(), key);
    await waitForSession(await viewerFrame(crm), 'live');
    await visitor.next('agents');

    await expect(agentCall(crm, 'leaveSession', 'javascript:alert(1)')).rejects.toThrow('leaveSession: url must be an http or https address');
    const mark = visitor.mark();
    await agentCall(crm, 'leaveSession', LEFT_PATH);
    expect((await visitor.next('agents', mark)).count).toBe(0);
    expect(await crmEvent(crm, 'sessionend')).toEqual({ reason: 'left' });
    await crm.waitForFunction(
      (path) => (document.getElementById('viewer') as HTMLIFrameElement).contentWindow?.location.pathname === path,
      LEFT_PATH,
    );
    expect(await crm.frameLocator('#viewer').locator('#left').textContent()).toBe('The agent left the session.');
    await crm.close();
  });

  it('connectfailed when the viewer is refused: the agent was disabled and the viewer reconnects', async () => {
    const password = await createAgent(server, 'leaving-agent');
    const context = await agentContext(browser, address(), { username: 'leaving-agent', password });
    const key = newKey();
    await protocolVisitor(server, key);
    const crm = await openCrm(context, address(), key);
    const frame = await viewerFrame(crm);
    await waitForSession(frame, 'live');

    const stored = await server.store.findAgentByUsername('leaving-agent');
    await server.store.updateAgent(stored!.id, { disabled: true });
    proxy.cut();
    expect(await crmEvent(crm, 'connectfailed')).toEqual({
      code: CloseCode.Unauthorized,
      detail: 'Not authorised — sign in again. Your sign-in expired or does not give access to this session.',
    });
    await waitForSession(frame, 'over', 'closed');
    expect(await crmEventNames(crm)).not.toContain('sessionend');
    await context.close();
  });

  it('the bridge ignores other windows: a framed page of another origin can neither forge events nor make calls', async () => {
    const key = newKey();
    const visitor = await protocolVisitor(server, key);
    const crm = await openCrm(agent, address(), key);
    await waitForSession(await viewerFrame(crm), 'live');
    await crmEvent(crm, 'statereceived');
    const mark = visitor.mark();

    await crm.evaluate((src) => {
      const w = window as unknown as {
        __rogueDone: boolean;
        __messages: unknown[];
        GLANCE: { Cobrowse: { Agent: { addSessionMessageListener(n: string, f: (n: string, d: unknown) => void): void } } };
      };
      w.GLANCE.Cobrowse.Agent.addSessionMessageListener('cart', (name, data) => w.__messages.push({ name, data }));
      window.addEventListener('message', (event) => {
        if (event.data === 'rogue-done') w.__rogueDone = true;
      });
      const rogue = document.createElement('iframe');
      rogue.src = src;
      document.body.append(rogue);
    }, `${rogueSite.url}/rogue.html`);
    await crm.waitForFunction(() => (window as unknown as { __rogueDone?: boolean }).__rogueDone === true);
    // A real call after the forged ones: once it arrived, anything forged would have too.
    await agentCall(crm, 'sendSessionMessage', 'marker', 1);
    await visitor.next('message', mark);
    expect(visitor.client.messages.slice(mark).filter((m) => m.type === 'message').map((m) => (m as { name: string }).name)).toEqual(['marker']);
    expect(visitor.client.messages.slice(mark).map((m) => m.type)).not.toContain('agents'); // the viewer did not leave
    expect(await agentCall(crm, 'getSessionState', 'rc')).toEqual({ enabled: false, suspended: false });
    expect(await agentCall(crm, 'getUserState', 'stolen')).toBeUndefined();
    expect(await crmEventNames(crm)).not.toContain('rc');
    expect(await crm.evaluate(() => (window as unknown as { __messages: unknown[] }).__messages)).toEqual([]);
    await crm.close();
  });
});
