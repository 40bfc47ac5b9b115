/**
 * The visitor side end to end: a customer page on its own origin with the Glance-style
 * script tag pointing at a real server, driven through `GLANCE.Cobrowse.Visitor` in real
 * Chromium. The visitor's WebSocket frames are captured with Playwright and checked.
 */
import { inflateRawSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { TEST_GROUP_ID, signIn, startTestServer, type TestServer } from '../helpers/start-server.js';
import type { StaticServer } from '../helpers/static-server.js';
import { serveVisitorSite } from '../fixtures/visitor/fixture-site.js';
import { startTcpProxy } from '../fixtures/visitor/tcp-proxy.js';
import { FrameFlag, FrameKind, framePayload, readFrameHeader, type FrameHeader } from '../../src/shared/protocol/frame.js';
import { PROTOCOL_VERSION } from '../../src/shared/protocol/version.js';
import { Op } from '../../src/shared/dom/format.js';

let browser: Browser;
let server: TestServer;
let site: StaticServer;

beforeAll(async () => {
  server = await startTestServer();
  site = await serveVisitorSite(server.baseUrl, TEST_GROUP_ID);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await server?.close();
});

// ---------------------------------------------------------------------------------------------
// Helpers

interface SocketLog {
  url: string;
  sent: Array<string | Buffer>;
  received: Array<string | Buffer>;
}

interface Visitor {
  page: Page;
  sockets: SocketLog[];
  consoleErrors: string[];
}

/** Opens the fixture page (`query` shapes the tag, see fixture-site.ts) and records its sockets. */
async function openVisitor(context: BrowserContext, query = '', origin = site.url): Promise<Visitor> {
  const page = await context.newPage();
  const sockets: SocketLog[] = [];
  const consoleErrors: string[] = [];
  page.on('websocket', (ws) => {
    const log: SocketLog = { url: ws.url(), sent: [], received: [] };
    sockets.push(log);
    ws.on('framesent', (frame) => log.sent.push(frame.payload));
    ws.on('framereceived', (frame) => log.received.push(frame.payload));
  });
  page.on('console', (message) => {
    if (message.type() === 'error' && message.text().startsWith('[cobrowse]')) consoleErrors.push(message.text());
  });
  await page.goto(`${origin}/page.html${query}`);
  return { page, sockets, consoleErrors };
}

type EventLog = Array<{ name: string; payload: Record<string, unknown> }>;

const events = (page: Page): Promise<EventLog> => page.evaluate(() => (window as unknown as { __events: EventLog }).__events);

/** Waits for the `count`-th event called `name` and returns every event so far. */
async function waitForEvent(page: Page, name: string, count = 1): Promise<EventLog> {
  await page.waitForFunction(
    ([n, c]) => (window as unknown as { __events: EventLog }).__events.filter((e) => e.name === n).length >= c,
    [name, count] as const,
    { timeout: 20_000 },
  );
  return events(page);
}

/** Calls a method of `GLANCE.Cobrowse.Visitor` in the page and returns its result. */
function call(page: Page, method: string, ...args: unknown[]): Promise<unknown> {
  return page.evaluate(
    ([m, a]) => {
      const visitor = (window as unknown as { GLANCE: { Cobrowse: { Visitor: Record<string, (...x: unknown[]) => unknown> } } }).GLANCE.Cobrowse.Visitor;
      return visitor[m as string]!(...(a as unknown[]));
    },
    [method, args] as const,
  );
}

async function visitorState(page: Page) {
  return page.evaluate(() => {
    const v = (window as unknown as { GLANCE: { Cobrowse: { Visitor: Record<string, unknown> & Record<string, () => unknown> } } }).GLANCE.Cobrowse.Visitor;
    return {
      loaded: v.loaded,
      inSession: v.inSession!(),
      key: v.getKey!(),
      randomKey: v.isRandomKey!(),
      readyState: v.readyState,
    };
  });
}

interface DecodedFrame {
  header: FrameHeader;
  text: string;
}

/** Every binary frame the page sent on `socket`, decoded; throws on a malformed one. */
function pageFrames(socket: SocketLog | undefined): DecodedFrame[] {
  const frames: DecodedFrame[] = [];
  for (const data of socket?.sent ?? []) {
    if (typeof data === 'string') continue;
    const bytes = new Uint8Array(data);
    const header = readFrameHeader(bytes);
    if (typeof header === 'string') throw new Error(`malformed frame: ${header}`);
    const payload = Buffer.from(framePayload(bytes));
    const text = (header.flags & FrameFlag.Deflate ? inflateRawSync(payload) : payload).toString('utf8');
    expect(Array.isArray(JSON.parse(text))).toBe(true);
    frames.push({ header, text });
  }
  return frames;
}

/** The JSON control messages of one direction of a socket. */
function controls(list: Array<string | Buffer>): Array<Record<string, unknown>> {
  return list.filter((data): data is string => typeof data === 'string').map((text) => JSON.parse(text) as Record<string, unknown>);
}

/** Sequence numbers of the keyframes and deltas in `frames`. */
const numbered = (frames: DecodedFrame[]) => frames.filter((f) => f.header.kind !== FrameKind.Volatile).map((f) => f.header.seq);

const consecutive = (seqs: number[]) => seqs.every((seq, i) => i === 0 || seq === seqs[i - 1]! + 1);

/** Adds a list item to the page (a delta follows). */
const mutate = (page: Page, text: string) =>
  page.evaluate((t) => {
    const li = document.createElement('li');
    li.textContent = t;
    document.querySelector('ul')!.append(li);
  }, text);

/** Waits until the page has sent a delta containing `text` on its last socket. */
async function waitForDelta(visitor: Visitor, text: string): Promise<void> {
  await expect
    .poll(() => pageFrames(visitor.sockets.at(-1)).some((f) => f.header.kind === FrameKind.Delta && f.text.includes(text)), { timeout: 20_000 })
    .toBe(true);
}

const storedCookie = (page: Page) => page.evaluate(() => document.cookie.includes('glance_ssn_info='));

// ---------------------------------------------------------------------------------------------

describe('[SS2] startSession("GLANCE_KEYTYPE_RANDOM")', () => {
  it('fires sessionstarting then sessionstart, gets a numeric code, and stopSession ends it', async () => {
    const context = await browser.newContext();
    const visitor = await openVisitor(context);
    const { page } = visitor;
    await call(page, 'startSession', 'GLANCE_KEYTYPE_RANDOM');
    const started = await waitForEvent(page, 'sessionstart');
    expect(started.map((e) => e.name)).toEqual(['sessionstarting', 'sessionstart', 'sessioncontinue', 'statereceived']);

    const state = await visitorState(page);
    expect(state).toMatchObject({ loaded: true, inSession: true, randomKey: true, readyState: 4 });
    expect(state.key).toMatch(/^[0-9]{4,}$/);
    const key = state.key as string;
    expect(server.relay.findSession(TEST_GROUP_ID, key)).toMatchObject({ randomKey: true, visitorConnected: true });
    expect(await storedCookie(page)).toBe(true);

    // [HS1] the hello; no key asks the server for a code.
    const socket = visitor.sockets[0]!;
    expect(socket.url).toBe(`${server.baseUrl.replace('http', 'ws')}/ws/visitor`);
    const hello = controls(socket.sent)[0]!;
    expect(hello).toMatchObject({ type: 'hello', v: PROTOCOL_VERSION, role: 'visitor', groupId: TEST_GROUP_ID, site: 'staging' });
    expect(hello).not.toHaveProperty('key');
    expect((hello.page as { url: string }).url).toBe(`${site.url}/page.html`);

    await mutate(page, 'Order 3');
    await waitForDelta(visitor, 'Order 3');
    // [FR1] [FR5] well-formed frames, a keyframe first, numbered consecutively from the welcome's nextSeq.
    const frames = pageFrames(socket);
    const welcome = controls(socket.received).find((m) => m.type === 'welcome')!;
    expect(frames[0]!.header.kind).toBe(FrameKind.Keyframe);
    expect(frames[0]!.header.seq).toBe(welcome.nextSeq);
    expect(consecutive(numbered(frames))).toBe(true);
    const keyframe = JSON.parse(frames[0]!.text) as unknown[];
    expect(keyframe.slice(0, 3)).toEqual([Op.Location, `${site.url}/page.html`, 'Visitor fixture']);
    // [MK1] the masked card number never leaves the page.
    expect(frames.some((f) => f.text.includes('4111'))).toBe(false);

    await call(page, 'stopSession');
    const ended = await waitForEvent(page, 'sessionend');
    expect(ended.at(-1)).toEqual({ name: 'sessionend', payload: { reason: 'visitor' } });
    expect(await visitorState(page)).toMatchObject({ inSession: false, key: null, readyState: 5 });
    expect(await storedCookie(page)).toBe(false);
    await expect.poll(() => server.relay.findSession(TEST_GROUP_ID, key)).toBeUndefined();
    expect(controls(socket.sent).some((m) => m.type === 'stop')).toBe(true);
    expect(visitor.consoleErrors).toEqual([]);
    await context.close();
  });
});

describe('[SS1] session keys', () => {
  it('startSession("my-key") uses that key', async () => {
    const context = await browser.newContext();
    const { page, sockets } = await openVisitor(context);
    await call(page, 'startSession', 'my-key');
    await waitForEvent(page, 'sessionstart');
    expect(await visitorState(page)).toMatchObject({ inSession: true, key: 'my-key', randomKey: false });
    expect(controls(sockets[0]!.sent)[0]).toMatchObject({ type: 'hello', key: 'my-key' });
    expect(server.relay.findSession(TEST_GROUP_ID, 'my-key')).toMatchObject({ visitorConnected: true });
    await call(page, 'stopSession');
    await context.close();
  });

  it('data-visitorid is the default key of startSession()', async () => {
    const context = await browser.newContext();
    const { page } = await openVisitor(context, '?attr.visitorid=cust-42');
    await call(page, 'startSession');
    await waitForEvent(page, 'sessionstart');
    expect(await visitorState(page)).toMatchObject({ key: 'cust-42', randomKey: false });
    await call(page, 'stopSession');
    await context.close();
  });

  it('start params carry the key and the visitor details to the server', async () => {
    const context = await browser.newContext();
    const { page } = await openVisitor(context, '?attr.visitorid=ignored-here');
    await call(page, 'setStartParams', { sessionKey: 'params-key', name: 'Ada Lovelace', email: 'ada@example.com' });
    await call(page, 'startSession');
    await waitForEvent(page, 'sessionstart');
    expect(await visitorState(page)).toMatchObject({ key: 'params-key' });
    expect(server.relay.findSession(TEST_GROUP_ID, 'params-key')?.visitor).toEqual({ name: 'Ada Lovelace', email: 'ada@example.com' });
    await call(page, 'stopSession');
    await context.close();
  });

  it('an invalid key and a second start are refused with a console error, not an exception', async () => {
    const context = await browser.newContext();
    const visitor = await openVisitor(context);
    await call(visitor.page, 'startSession', 'not a key!');
    await visitor.page.waitForFunction(() => (window as unknown as { GLANCE: { Cobrowse: { Visitor: { loaded: boolean } } } }).GLANCE.Cobrowse.Visitor.loaded);
    expect(await visitorState(visitor.page)).toMatchObject({ loaded: true, inSession: false });
    await expect.poll(() => visitor.consoleErrors.at(-1)).toContain('invalid session key "not a key!"');
    await call(visitor.page, 'startSession', 'twice-key');
    await call(visitor.page, 'startSession', 'twice-key-2');
    await expect.poll(() => visitor.consoleErrors.at(-1)).toContain('a session is already running');
    await waitForEvent(visitor.page, 'sessionstart');
    expect(await visitorState(visitor.page)).toMatchObject({ key: 'twice-key' });
    await call(visitor.page, 'stopSession');
    await context.close();
  });

  it('[SS3] a second visitor starting a key in use gets error dupkey', async () => {
    const first = await browser.newContext();
    const second = await browser.newContext();
    const a = await openVisitor(first);
    await call(a.page, 'startSession', 'dup-key');
    await waitForEvent(a.page, 'sessionstart');

    const b = await openVisitor(second);
    await call(b.page, 'startSession', 'dup-key');
    const log = await waitForEvent(b.page, 'error');
    expect(log.map((e) => e.name)).toEqual(['sessionstarting', 'error']);
    expect(log[1]!.payload).toMatchObject({ code: 'dupkey' });
    expect(await visitorState(b.page)).toMatchObject({ inSession: false, readyState: 0 });
    expect(await storedCookie(b.page)).toBe(false);
    // The first visitor's session is untouched.
    expect(await visitorState(a.page)).toMatchObject({ inSession: true, key: 'dup-key' });
    expect((await events(a.page)).map((e) => e.name)).not.toContain('error');
    await call(a.page, 'stopSession');
    await first.close();
    await second.close();
  });

  it('[HS5] an unknown group gets error service from the server, and no session', async () => {
    const context = await browser.newContext();
    const { page } = await openVisitor(context, '?groupid=99999');
    await call(page, 'startSession', 'some-key');
    const log = await waitForEvent(page, 'error');
    expect(log).toEqual([
      { name: 'sessionstarting', payload: {} },
      { name: 'error', payload: { code: 'service', msg: 'unknown group 99999' } },
    ]);
    expect(await visitorState(page)).toMatchObject({ inSession: false, readyState: 0 });
    await context.close();
  });

  it('startSession inside an iframe is refused', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.setContent(`<iframe src="${site.url}/page.html"></iframe>`);
    const frame = await (await page.waitForSelector('iframe')).contentFrame();
    await frame!.waitForFunction(() => 'GLANCE' in window);
    await frame!.evaluate(() => (window as unknown as { GLANCE: { Cobrowse: { Visitor: { startSession(k: string): void } } } }).GLANCE.Cobrowse.Visitor.startSession('framed-key'));
    await expect.poll(() => errors.some((text) => text.includes('startSession is not allowed inside an iframe'))).toBe(true);
    expect(server.relay.findSession(TEST_GROUP_ID, 'framed-key')).toBeUndefined();
    await context.close();
  });
});

describe('[SS5] continuing a session', () => {
  for (const storage of ['cookie', 'localStorage'] as const) {
    it(`a page reload continues the session (${storage}): same key, sessioncontinue, frames numbered on`, async () => {
      const context = await browser.newContext();
      const query = storage === 'localStorage' ? '?attr.cookietype=ls' : '';
      const visitor = await openVisitor(context, query);
      const { page } = visitor;
      const key = `reload-${storage}`;
      await call(page, 'startSession', key);
      await waitForEvent(page, 'sessionstart');
      await mutate(page, 'before reload');
      await waitForDelta(visitor, 'before reload');
      const before = numbered(pageFrames(visitor.sockets[0]));
      const firstWelcome = controls(visitor.sockets[0]!.received).find((m) => m.type === 'welcome')!;
      expect(await storedCookie(page)).toBe(storage === 'cookie');

      await page.reload();
      const log = await waitForEvent(page, 'statereceived');
      expect(log.map((e) => e.name)).toEqual(['sessioncontinue', 'statereceived']);
      expect(await visitorState(page)).toMatchObject({ inSession: true, key, readyState: 4 });

      const socket = visitor.sockets.at(-1)!;
      const hello = controls(socket.sent)[0]!;
      expect(hello).toMatchObject({ type: 'hello', resume: { sessionId: firstWelcome.sessionId, token: firstWelcome.token } });
      const welcome = controls(socket.received).find((m) => m.type === 'welcome')!;
      expect(welcome).toMatchObject({ resumed: true, key, sessionId: firstWelcome.sessionId });
      await mutate(page, 'after reload');
      await waitForDelta(visitor, 'after reload');
      const after = pageFrames(socket);
      expect(after[0]!.header).toMatchObject({ kind: FrameKind.Keyframe, seq: welcome.nextSeq });
      expect(after[0]!.header.seq).toBeGreaterThan(before.at(-1)!);
      expect(consecutive(numbered(after))).toBe(true);
      expect(server.relay.findSession(TEST_GROUP_ID, key)).toMatchObject({ visitorConnected: true });

      await call(page, 'stopSession');
      await waitForEvent(page, 'sessionend');
      await page.reload();
      // The session is over: the next page neither continues it nor loads the engine.
      expect(await page.evaluate(() => document.querySelector('script[src$="/static/visitor.js"]'))).toBeNull();
      await context.close();
    });
  }
});

describe('[SS5] another tab', () => {
  it('a second tab of the site continues the session; the first stops sharing and gets blur', async () => {
    const context = await browser.newContext();
    const first = await openVisitor(context);
    await call(first.page, 'startSession', 'two-tabs');
    await waitForEvent(first.page, 'sessionstart');
    const second = await openVisitor(context);
    expect((await waitForEvent(second.page, 'statereceived')).map((e) => e.name)).toEqual(['sessioncontinue', 'statereceived']);
    expect(await visitorState(second.page)).toMatchObject({ inSession: true, key: 'two-tabs' });
    const log = await waitForEvent(first.page, 'blur');
    expect(log.map((e) => e.name)).not.toContain('sessionend');
    expect(await visitorState(first.page)).toMatchObject({ inSession: false });
    // The session info stays for the tab that has the session.
    expect(await storedCookie(first.page)).toBe(true);
    expect(server.relay.findSession(TEST_GROUP_ID, 'two-tabs')).toMatchObject({ visitorConnected: true });
    await call(second.page, 'stopSession');
    await context.close();
  });
});

describe('[JN5] agents', () => {
  it('the visitor gets agents events as an agent joins and leaves, and the agent gets the page', async () => {
    const context = await browser.newContext();
    const visitor = await openVisitor(context);
    await call(visitor.page, 'startSession', 'agents-key');
    await waitForEvent(visitor.page, 'sessionstart');

    const cookie = await signIn(server);
    const html = await (await fetch(`${server.baseUrl}/agentjoin/AgentView.aspx?SessionKey=agents-key`, { headers: { cookie } })).text();
    const json = /<script type="application\/json" id="oc-viewer-config">(.*?)<\/script>/s.exec(html)?.[1];
    const ticket = (JSON.parse(json!) as { ticket: string }).ticket;
    const agent = new WebSocket(`${server.baseUrl.replace('http', 'ws')}/ws/agent`, { origin: server.url });
    const received: Array<{ binary: boolean; data: Buffer }> = [];
    agent.on('message', (data, binary) => received.push({ binary, data: data as Buffer }));
    await new Promise((resolve, reject) => agent.once('open', resolve).once('error', reject));
    agent.send(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION, role: 'agent', ticket, key: 'agents-key', wait: false }));

    const joined = await waitForEvent(visitor.page, 'agents');
    expect(joined.at(-1)!.payload).toMatchObject({ count: 1, agentlist: [{ username: 'demo' }] });
    // [JN3] the agent gets the keyframe the visitor sent: the same bytes, relayed.
    await expect.poll(() => received.some((m) => m.binary)).toBe(true);
    const keyframe = new Uint8Array(received.find((m) => m.binary)!.data);
    expect(readFrameHeader(keyframe)).toMatchObject({ kind: FrameKind.Keyframe });
    const sentKeyframe = visitor.sockets[0]!.sent.find((d) => typeof d !== 'string' && d[0] === FrameKind.Keyframe) as Buffer;
    expect(Buffer.from(keyframe).equals(sentKeyframe)).toBe(true);

    agent.send(JSON.stringify({ type: 'leave' }));
    const left = await waitForEvent(visitor.page, 'agents', 2);
    expect(left.at(-1)!.payload).toEqual({ count: 0, agentlist: [] });
    agent.close();
    await call(visitor.page, 'stopSession');
    await context.close();
  });
});

describe('reconnect', () => {
  it('[SS5] a dropped connection resumes the session and resends the frames the server missed', async () => {
    const proxy = await startTcpProxy(server.baseUrl);
    const proxiedSite = await serveVisitorSite(proxy.url, TEST_GROUP_ID);
    const context = await browser.newContext();
    const visitor = await openVisitor(context, '', proxiedSite.url);
    const { page } = visitor;
    try {
      await call(page, 'startSession', 'drop-key');
      await waitForEvent(page, 'sessionstart');
      await mutate(page, 'delivered');
      await waitForDelta(visitor, 'delivered');
      const delivered = pageFrames(visitor.sockets[0]).find((f) => f.text.includes('delivered'))!;
      await expect
        .poll(() => controls(visitor.sockets[0]!.received).some((m) => m.type === 'ack' && (m.seq as number) >= delivered.header.seq))
        .toBe(true);

      // The link goes dead: this delta leaves the browser but never reaches the server.
      proxy.hold();
      await mutate(page, 'lost on the way');
      await waitForDelta(visitor, 'lost on the way');
      const lost = pageFrames(visitor.sockets[0]).find((f) => f.text.includes('lost on the way'))!;
      proxy.cut();

      await waitForEvent(page, 'connection', 2);
      const log = await events(page);
      expect(log.filter((e) => e.name === 'connection').map((e) => e.payload)).toEqual([{ status: 'reconnecting' }, { status: 'ok' }]);
      expect(await visitorState(page)).toMatchObject({ inSession: true, key: 'drop-key' });

      const socket = visitor.sockets.at(-1)!;
      expect(visitor.sockets.length).toBeGreaterThan(1);
      expect(controls(socket.sent)[0]).toMatchObject({ type: 'hello', resume: { ackedSeq: expect.any(Number) as number } });
      const welcome = controls(socket.received).find((m) => m.type === 'welcome')!;
      expect(welcome).toMatchObject({ resumed: true, needKeyframe: false, nextSeq: lost.header.seq });
      // The missed delta is sent again, with its number, before anything new.
      await mutate(page, 'after the drop');
      await waitForDelta(visitor, 'after the drop');
      const resent = pageFrames(socket);
      expect(resent[0]).toEqual(lost);
      expect(consecutive(numbered(resent))).toBe(true);
      expect(server.relay.findSession(TEST_GROUP_ID, 'drop-key')).toMatchObject({ visitorConnected: true });
      await call(page, 'stopSession');
    } finally {
      await context.close();
      await proxiedSite.close();
      await proxy.close();
    }
  });
});

describe('[SS7] the session ended while the visitor was away', () => {
  it('the resume is refused: error conndrop, then sessionend with reason error, and the session info is cleared', async () => {
    const shortGrace = await startTestServer({ relay: { visitorGraceMs: 300 } });
    const proxy = await startTcpProxy(shortGrace.baseUrl);
    const proxiedSite = await serveVisitorSite(proxy.url, TEST_GROUP_ID);
    const context = await browser.newContext();
    try {
      const visitor = await openVisitor(context, '', proxiedSite.url);
      await call(visitor.page, 'startSession', 'away-key');
      await waitForEvent(visitor.page, 'sessionstart');
      proxy.refuse(true);
      proxy.cut();
      await waitForEvent(visitor.page, 'connection');
      await expect.poll(() => shortGrace.relay.findSession(TEST_GROUP_ID, 'away-key')).toBeUndefined();
      proxy.refuse(false);
      const log = await waitForEvent(visitor.page, 'sessionend');
      expect(log.slice(-2)).toEqual([
        { name: 'error', payload: { code: 'conndrop', msg: 'the session ended while the connection was down', params: { server: proxy.url } } },
        { name: 'sessionend', payload: { reason: 'error' } },
      ]);
      expect(await visitorState(visitor.page)).toMatchObject({ inSession: false, readyState: 5 });
      expect(await storedCookie(visitor.page)).toBe(false);
    } finally {
      await context.close();
      await proxiedSite.close();
      await proxy.close();
    }
  });
});

describe('[MK6] masking settings', () => {
  it('an invalid masked selector of the group fires error maskingerror and the session goes on', async () => {
    const masked = await startTestServer({
      groups: [{ id: TEST_GROUP_ID, name: 'Demo', settings: { staging: { maskedSelectors: ['#name', 'div[['] } } }],
    });
    const maskedSite = await serveVisitorSite(masked.baseUrl, TEST_GROUP_ID);
    const context = await browser.newContext();
    try {
      const visitor = await openVisitor(context, '', maskedSite.url);
      await call(visitor.page, 'startSession', 'mask-key');
      const log = await waitForEvent(visitor.page, 'error');
      expect(log.map((e) => e.name)).toEqual(['sessionstarting', 'sessionstart', 'sessioncontinue', 'statereceived', 'error']);
      expect(log.at(-1)!.payload).toMatchObject({ code: 'maskingerror' });
      expect(await visitorState(visitor.page)).toMatchObject({ inSession: true });
      await expect.poll(() => pageFrames(visitor.sockets[0]).length).toBeGreaterThan(0);
      // The whole page is masked: not even the visible text leaves it.
      expect(pageFrames(visitor.sockets[0]).some((f) => f.text.includes('Customer since'))).toBe(false);
    } finally {
      await context.close();
      await maskedSite.close();
    }
  });
});
