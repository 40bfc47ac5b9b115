/**
 * `GLANCE.Cobrowse.Visitor` against a real server and a real agent socket: session
 * messages both ways, user state, pause, remote-control consent, stateful events and
 * `getSessionState` across a page reload, calls made before the engine or the session is
 * ready, masking descriptors, and the tag's buttons, hotkeys and extra groups.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { TEST_GROUP_ID, startTestServer, type TestServer } from '../helpers/start-server.js';
import type { StaticServer } from '../helpers/static-server.js';
import { serveVisitorSite } from '../fixtures/visitor/fixture-site.js';
import { joinAsAgent, type MirrorAgent } from '../fixtures/visitor/mirror-agent.js';
import { call, events, openVisitorPage, payloads, sentControls, startSession, waitForEvent, type VisitorPage } from '../fixtures/visitor/visitor-page.js';
import { FrameKind, readFrameHeader, framePayload, FrameFlag } from '../../src/shared/protocol/frame.js';
import { inflateRawSync } from 'node:zlib';

let browser: Browser;
let server: TestServer;
let site: StaticServer;

beforeAll(async () => {
  server = await startTestServer({
    groups: [
      { id: TEST_GROUP_ID, name: 'Demo' },
      { id: '10001', name: 'Second brand' },
    ],
  });
  site = await serveVisitorSite(server.baseUrl, TEST_GROUP_ID);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await server?.close();
});

/** A fresh browser context with a visitor page, closed when the test ends. */
async function visitor(query = '', file = 'page.html'): Promise<{ context: BrowserContext; v: VisitorPage }> {
  const context = await browser.newContext();
  const v = await openVisitorPage(context, site.url, file, query);
  return { context, v };
}

/** The text of every page frame the agent received (payloads inflated). */
function frameTexts(agent: MirrorAgent): Array<{ kind: number; text: string }> {
  return agent.client.frames.map((frame) => {
    const header = readFrameHeader(frame);
    if (typeof header === 'string') throw new Error(header);
    const payload = Buffer.from(framePayload(frame));
    return { kind: header.kind, text: (header.flags & FrameFlag.Deflate ? inflateRawSync(payload) : payload).toString('utf8') };
  });
}

const agentMessages = (agent: MirrorAgent, type: string) => agent.client.messages.filter((m) => m.type === type);

describe('[AP1] session messages', () => {
  it('reach the agent from sendSessionMessage, and the page listeners from the agent', async () => {
    const { context, v } = await visitor();
    await v.page.evaluate(() => {
      type Listen = (n: string, f: (n: string, m: unknown) => void) => void;
      const w = window as unknown as { __received: unknown[]; GLANCE: { Cobrowse: { Visitor: { loaded: boolean; addSessionMessageListener: Listen; addSessionMessageHandler: Listen } } } };
      w.__received = [];
      // Added on the loader's stub, before the engine exists: handed over to the engine.
      if (w.GLANCE.Cobrowse.Visitor.loaded) throw new Error('the engine should not be loaded yet');
      w.GLANCE.Cobrowse.Visitor.addSessionMessageListener('offer', (name, message) => w.__received.push({ name, message }));
      w.GLANCE.Cobrowse.Visitor.addSessionMessageHandler('note', (name, message) => w.__received.push({ name, message }));
    });
    await startSession(v.page, 'messages-key');
    const agent = await joinAsAgent(server, 'messages-key');

    agent.send({ type: 'message', name: 'offer', data: { code: 'SAVE10' } });
    agent.send({ type: 'message', name: 'unheard', data: 1 });
    agent.send({ type: 'message', name: 'note', data: 'hello' });
    await v.page.waitForFunction(() => (window as unknown as { __received: unknown[] }).__received.length === 2);
    expect(await v.page.evaluate(() => (window as unknown as { __received: unknown[] }).__received)).toEqual([
      { name: 'offer', message: { code: 'SAVE10' } },
      { name: 'note', message: 'hello' },
    ]);

    await call(v.page, 'sendSessionMessage', 'cart', { items: 3 });
    expect(await agent.client.next('message')).toEqual({ type: 'message', name: 'cart', data: { items: 3 } });
    // The third argument sends to one agent only.
    await call(v.page, 'sendSessionMessage', 'private', 'not for you', 'somebody-else');
    await call(v.page, 'sendSessionMessage', 'private', 'for demo', 'demo');
    await expect.poll(() => agentMessages(agent, 'message').length).toBe(2);
    expect(agentMessages(agent, 'message')[1]).toEqual({ type: 'message', name: 'private', data: 'for demo' });
    agent.close();
    await context.close();
  });

  it('a message sent before the session is welcomed waits for the connection and is delivered', async () => {
    const { context, v } = await visitor();
    const listening = joinWhenStarted('early-key');
    // Queued in the stub, replayed by the engine, sent after the welcome.
    await v.page.evaluate(() => {
      const visitor = (window as unknown as { GLANCE: { Cobrowse: { Visitor: Record<string, (...a: unknown[]) => unknown> } } }).GLANCE.Cobrowse.Visitor;
      visitor.startSession!('early-key');
      visitor.addEventListener!('sessionstarting', () => {
        visitor.sendSessionMessage!('hello', { early: true });
        visitor.setUserState!('step', 'checkout');
      });
    });
    const agent = await listening;
    await waitForEvent(v.page, 'statereceived');
    // Sent on the socket after the hello (the server refuses them before its welcome).
    await expect.poll(() => sentControls(v).map((m) => m.type).slice(0, 3)).toEqual(['hello', 'message', 'userstate']);
    const joined = await agent.client.next('joined');
    // Either the user state was in the session when the agent joined, or it arrives after.
    const userState = joined.state.userState.step ?? (await agent.client.next('userstate')).value;
    expect(userState).toBe('checkout');
    expect(await call(v.page, 'getUserState', 'step')).toBe('checkout');
    agent.close();
    await context.close();
  });

  it('without a session, sendSessionMessage throws and the other session methods refuse with a console error', async () => {
    const { context, v } = await visitor();
    await v.page.evaluate(() => (window as unknown as { GLANCE: { Cobrowse: { Visitor: { showButton(): void } } } }).GLANCE.Cobrowse.Visitor.showButton());
    await v.page.waitForFunction(() => (window as unknown as { GLANCE: { Cobrowse: { Visitor: { loaded: boolean } } } }).GLANCE.Cobrowse.Visitor.loaded);
    await expect(call(v.page, 'sendSessionMessage', 'x', {})).rejects.toThrow('sendSessionMessage: there is no session');
    expect(await call(v.page, 'setUserState', 'a', 1)).toBe(false);
    expect(await call(v.page, 'enableRC', true)).toBe(false);
    await call(v.page, 'pauseSession', { pause: true });
    expect(await call(v.page, 'isSessionPaused')).toBe(false);
    expect(await call(v.page, 'getSessionState', 'agents')).toBeUndefined();
    expect(await call(v.page, 'getUserState', 'a')).toBeUndefined();
    // Console messages reach the test after the calls return.
    await expect.poll(() => v.console.filter((m) => m.type === 'error').map((m) => m.text)).toEqual([
      '[cobrowse] setUserState: there is no session; call it after sessionstart',
      '[cobrowse] enableRC: there is no session; call it after sessionstart',
      '[cobrowse] pauseSession: there is no session; call it after sessionstart',
    ]);
    await context.close();
  });

  it('a message the server would refuse throws instead of breaking the session', async () => {
    const { context, v } = await visitor();
    await startSession(v.page, 'big-message');
    await expect(call(v.page, 'sendSessionMessage', 'big', 'x'.repeat(40_000))).rejects.toThrow('at most 32768 characters');
    await expect(call(v.page, 'sendSessionMessage', '', 1)).rejects.toThrow('1 to 100 characters');
    expect(await call(v.page, 'setUserState', 'big', 'x'.repeat(40_000))).toBe(false);
    // The session is still up: a normal message goes through.
    const agent = await joinAsAgent(server, 'big-message');
    await call(v.page, 'sendSessionMessage', 'small', 1);
    expect(await agent.client.next('message')).toMatchObject({ name: 'small' });
    agent.close();
    await context.close();
  });
});

/** Joins `key` as soon as the session exists (the agent waits for it). */
async function joinWhenStarted(key: string): Promise<MirrorAgent> {
  for (let i = 0; i < 200; i++) {
    if (server.relay.findSession(TEST_GROUP_ID, key)) return joinAsAgent(server, key);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no session ${key}`);
}

describe('[AP2] user state', () => {
  it('setUserState reaches the agents, a late agent gets it, and the page reads it back after a reload', async () => {
    const { context, v } = await visitor();
    await startSession(v.page, 'state-key');
    const agent = await joinAsAgent(server, 'state-key');
    expect(await call(v.page, 'setUserState', 'plan', { tier: 'gold' })).toBe(true);
    expect(await agent.client.next('userstate')).toEqual({ type: 'userstate', name: 'plan', value: { tier: 'gold' } });
    const late = await joinAsAgent(server, 'state-key');
    expect((await late.client.next('joined')).state.userState).toEqual({ plan: { tier: 'gold' } });

    await v.page.reload();
    await waitForEvent(v.page, 'statereceived');
    expect(await call(v.page, 'getUserState', 'plan')).toEqual({ tier: 'gold' });
    expect(await call(v.page, 'getUserState', 'unknown')).toBeUndefined();
    agent.close();
    late.close();
    await context.close();
  });
});

describe('[AP7] stateful events after a page reload', () => {
  it('statereceived restores agents, rc, accessibility and pause; rc is fired again on the new page', async () => {
    const { context, v } = await visitor('?attr.ui=custom');
    await startSession(v.page, 'reload-state');
    const agent = await joinAsAgent(server, 'reload-state');
    await waitForEvent(v.page, 'agents');
    expect(await call(v.page, 'enableRC', true)).toBe(true);
    await expect.poll(() => agentMessages(agent, 'rc').at(-1)).toEqual({ type: 'rc', enabled: true, suspended: false });
    agent.send({ type: 'accessibility', enabled: true });
    await waitForEvent(v.page, 'accessibility');
    expect(await call(v.page, 'getSessionState', 'accessibility')).toEqual({ enabled: true });

    await v.page.reload();
    const log = await waitForEvent(v.page, 'statereceived');
    await waitForEvent(v.page, 'accessibility');
    expect((await events(v.page)).map((e) => e.name)).toEqual(['sessioncontinue', 'statereceived', 'agents', 'rc', 'accessibility']);
    expect(log[0]!.name).toBe('sessioncontinue');
    expect(await payloads(v.page, 'rc')).toEqual([{ enabled: true, suspended: false }]);
    expect(await call(v.page, 'getSessionState', 'rc')).toEqual({ enabled: true, suspended: false });
    expect(await call(v.page, 'getSessionState', 'agents')).toMatchObject({ count: 1, agentlist: [{ username: 'demo' }] });
    expect(await call(v.page, 'getSessionState', 'accessibility')).toEqual({ enabled: true });
    expect(await v.page.evaluate(() => (window as unknown as { GLANCE: { Cobrowse: { Visitor: { readyState: number } } } }).GLANCE.Cobrowse.Visitor.readyState)).toBe(4);
    agent.close();
    await context.close();
  });
});

describe('[AP3] pauseSession', () => {
  it('tells the agents, sends no frames while paused, and sends a keyframe on resume', async () => {
    const { context, v } = await visitor();
    await startSession(v.page, 'pause-key');
    const agent = await joinAsAgent(server, 'pause-key');
    await agent.epoch();
    await call(v.page, 'pauseSession', { pause: true, message: 'Entering card details' });
    expect(await agent.client.next('paused')).toEqual({ type: 'paused', paused: true, message: 'Entering card details' });
    expect(await call(v.page, 'isSessionPaused')).toBe(true);
    expect(await payloads(v.page, 'sessionpaused')).toEqual([{ paused: true, message: 'Entering card details' }]);
    const before = agent.client.frames.length;
    await v.page.evaluate(() => {
      const li = document.createElement('li');
      li.textContent = 'while paused';
      document.querySelector('ul')!.append(li);
    });
    await call(v.page, 'pauseSession', { pause: false });
    await expect.poll(() => agentMessages(agent, 'paused').length).toBe(2);
    await expect.poll(() => agent.client.frames.length).toBeGreaterThan(before);
    // Nothing of the page was sent while paused: the change first reaches the agent in the
    // keyframe sent on resume (a delta written before the pause may still arrive first).
    await expect.poll(() => frameTexts(agent).slice(before).some((f) => f.kind === FrameKind.Keyframe)).toBe(true);
    const after = frameTexts(agent).slice(before);
    const keyframe = after.findIndex((f) => f.kind === FrameKind.Keyframe);
    expect(after.slice(0, keyframe).some((f) => f.text.includes('while paused'))).toBe(false);
    expect(after[keyframe]!.text).toContain('while paused');
    expect(await call(v.page, 'isSessionPaused')).toBe(false);
    agent.close();
    await context.close();
  });
});

describe('[RC1] [RC2] remote-control consent through the API', () => {
  it('rcrequested carries accept() and decline(); the agent learns the answer; enableRC revokes', async () => {
    const { context, v } = await visitor('?attr.ui=custom');
    await startSession(v.page, 'consent-key');
    const agent = await joinAsAgent(server, 'consent-key');
    agent.send({ type: 'rc-request', enable: true });
    const requested = await waitForEvent(v.page, 'rcrequested');
    expect(requested.at(-1)!.payload).toMatchObject({ agent: { username: 'demo', name: expect.any(String) as string } });
    await v.page.evaluate(() => (window as unknown as { __last: { rcrequested: { decline(): void } } }).__last.rcrequested.decline());
    expect(await agent.client.next('rc-declined')).toEqual({ type: 'rc-declined' });

    agent.send({ type: 'rc-request', enable: true });
    await waitForEvent(v.page, 'rcrequested', 2);
    await v.page.evaluate(() => {
      const request = (window as unknown as { __last: { rcrequested: { accept(): void; decline(): void } } }).__last.rcrequested;
      request.accept();
      request.decline(); // only the first answer counts
    });
    await expect.poll(() => agentMessages(agent, 'rc').at(-1)).toEqual({ type: 'rc', enabled: true, suspended: false });
    expect(agentMessages(agent, 'rc-declined')).toHaveLength(1);
    expect(await payloads(v.page, 'rc')).toEqual([{ enabled: true, suspended: false }]);

    expect(await call(v.page, 'enableRC', false)).toBe(true);
    await expect.poll(() => agentMessages(agent, 'rc').at(-1)).toEqual({ type: 'rc', enabled: false, suspended: false });
    expect(await call(v.page, 'getSessionState', 'rc')).toEqual({ enabled: false, suspended: false });

    // [RC3] the agent gives control back: the page hears it too.
    await call(v.page, 'enableRC', true);
    await expect.poll(() => agentMessages(agent, 'rc').at(-1)).toMatchObject({ enabled: true });
    agent.send({ type: 'rc-request', enable: false });
    await expect.poll(async () => (await payloads(v.page, 'rc')).at(-1)).toEqual({ enabled: false, suspended: false });
    agent.close();
    await context.close();
  });

  it('with remote control off for the group, enableRC(true) is refused on the page', async () => {
    const noRc = await startTestServer({ groups: [{ id: TEST_GROUP_ID, name: 'No RC', settings: { staging: { allowRemoteControl: false } } }] });
    const noRcSite = await serveVisitorSite(noRc.baseUrl, TEST_GROUP_ID);
    const context = await browser.newContext();
    try {
      const v = await openVisitorPage(context, noRcSite.url);
      await startSession(v.page, 'no-rc');
      expect(await call(v.page, 'enableRC', true)).toBe(false);
      await expect.poll(() => v.console.at(-1)?.text).toBe('[cobrowse] enableRC: remote control is turned off for this group');
      expect(sentControls(v).some((m) => m.type === 'rc')).toBe(false);
    } finally {
      await context.close();
      await noRcSite.close();
    }
  });
});

describe('[MK6] getMaskingDescriptor', () => {
  it('masks what the descriptor names, and is asked again with the agents when they change', async () => {
    const { context, v } = await visitor('?descriptor=watched:%23name');
    await startSession(v.page, 'descriptor-key');
    const agent = await joinAsAgent(server, 'descriptor-key');
    // Before any agent the descriptor masks nothing: the first keyframe has the name.
    await expect.poll(() => frameTexts(agent).filter((f) => f.kind === FrameKind.Keyframe).length).toBeGreaterThan(1);
    const keyframes = frameTexts(agent).filter((f) => f.kind === FrameKind.Keyframe);
    expect(keyframes[0]!.text).toContain('"Ada"');
    // With an agent watching, the new keyframe masks #name.
    expect(keyframes.at(-1)!.text).not.toContain('"Ada"');
    const calls = (await v.page.evaluate(() => (window as unknown as { __descriptorCalls: Array<{ agents: { count: number } }> }).__descriptorCalls)).map((c) => c.agents.count);
    expect(calls).toEqual([0, 1]);
    expect(await call(v.page, 'isPageMasked')).toBe(false);
    agent.close();
    await context.close();
  });

  it('a rejecting descriptor fires error maskingerror and masks the whole page', async () => {
    const { context, v } = await visitor('?descriptor=reject');
    await startSession(v.page, 'descriptor-reject');
    const log = await waitForEvent(v.page, 'error');
    expect(log.at(-1)!.payload).toMatchObject({ code: 'maskingerror', msg: expect.stringContaining('masking service down') as string });
    const agent = await joinAsAgent(server, 'descriptor-reject');
    await agent.epoch();
    expect(frameTexts(agent).some((f) => f.text.includes('Customer since'))).toBe(false);
    expect(await call(v.page, 'isPageMasked')).toBe(true);
    expect(await call(v.page, 'inSession')).toBe(true);
    agent.close();
    await context.close();
  });
});

describe('the tag: buttons, hotkeys, extra groups', () => {
  it('data-glancebutton starts the session and glance_button="stopSession" ends it', async () => {
    const { context, v } = await visitor('?attr.visitorid=button-key&attr.ui=custom');
    await v.page.click('#help');
    await waitForEvent(v.page, 'statereceived');
    expect(await call(v.page, 'getKey')).toBe('button-key');
    await v.page.click('#stop');
    expect((await waitForEvent(v.page, 'sessionend')).slice(-2)).toEqual([
      { name: 'leavesession', payload: {} },
      { name: 'sessionend', payload: { reason: 'visitor' } },
    ]);
    // The link did not navigate.
    expect(v.page.url()).not.toContain('#');
    await context.close();
  });

  it('data-inputevents maps a hotkey to a Visitor API method', async () => {
    const keys = encodeURIComponent(JSON.stringify({ 'ctrl-shift-75': 'startSession' }));
    const { context, v } = await visitor(`?attr.visitorid=hotkey-key&attr.ui=custom&attr.inputevents=${keys}`);
    await v.page.keyboard.press('Control+K'); // not the hotkey: nothing happens
    await v.page.keyboard.press('Control+Shift+K');
    await waitForEvent(v.page, 'statereceived');
    expect(await call(v.page, 'getKey')).toBe('hotkey-key');
    expect((await events(v.page)).filter((e) => e.name === 'sessionstarting')).toHaveLength(1);
    await call(v.page, 'stopSession');
    await context.close();
  });

  it('data-additionalgroupids lets startSession({groupid}) run the session in another group', async () => {
    const { context, v } = await visitor('?attr.additionalgroupids=10001,12ab');
    await startSession(v.page, { groupid: '10001', sessionKey: 'brand-two', name: 'Ada' });
    expect(await call(v.page, 'sessionGroupId')).toBe('10001');
    expect(server.relay.findSession('10001', 'brand-two')).toMatchObject({ visitorConnected: true, visitor: { name: 'Ada' } });
    expect(server.relay.findSession(TEST_GROUP_ID, 'brand-two')).toBeUndefined();
    // A reload continues it in that group.
    await v.page.reload();
    await waitForEvent(v.page, 'statereceived');
    expect(await call(v.page, 'sessionGroupId')).toBe('10001');
    await call(v.page, 'stopSession');
    await waitForEvent(v.page, 'sessionend');
    await call(v.page, 'startSession', { groupid: '99999', sessionKey: 'elsewhere' });
    await expect.poll(() => v.console.at(-1)?.text).toContain('group 99999 is not one of this page\'s groups');
    await context.close();
  });

  it('the visitor details are cut to Glance\'s limits before they reach the server', async () => {
    const config = encodeURIComponent(JSON.stringify({ name: 'N'.repeat(70), email: `${'e'.repeat(130)}@x.com`, phone: '+33 ☎ 1234' }));
    const { context, v } = await visitor(`?config=${config}`);
    await startSession(v.page, 'limits-key');
    const details = server.relay.findSession(TEST_GROUP_ID, 'limits-key')?.visitor;
    expect(details).toEqual({ name: 'N'.repeat(63), email: 'e'.repeat(127), phone: '+33  1234' });
    await call(v.page, 'stopSession');
    await context.close();
  });
});
