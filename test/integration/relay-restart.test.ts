/**
 * A server restart ends no session (SPEC.md [RS1]–[RS4]): real servers on loopback, real
 * SQLite in one data directory, restarted on the same port; visitors and agents speak the
 * wire protocol directly.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CloseCode, FINAL_CLOSE_CODES } from '../../src/shared/protocol/close-codes.js';
import { FrameKind, readFrameHeader } from '../../src/shared/protocol/frame.js';
import { signIn, startTestServer, type TestServer, type TestServerOptions } from '../helpers/start-server.js';
import {
  connectAgent,
  connectVisitor,
  openVisitor,
  viewerTicket,
  visitorHello,
  type AgentClient,
} from '../helpers/protocol-clients.js';

/** A data directory that outlives one server (removed when the test ends). */
async function sharedDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'oc-restart-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts a server on `dataDir` (and `port`, to restart in place). */
function serverOn(dataDir: string, options: TestServerOptions = {}): Promise<TestServer> {
  return startTestServer({ dataDir, ...options });
}

function kindAndSeq(frame: Uint8Array): [FrameKind, number] {
  const header = readFrameHeader(frame);
  if (typeof header === 'string') throw new Error(header);
  return [header.kind, header.seq];
}

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function expectJoined(agent: AgentClient) {
  return agent.next('joined');
}

describe('server restart', () => {
  it('[RS2][RS3][RS4] visitor and agent survive a clean restart on the same data dir and port; the visitor re-keys and the agent gets the new keyframe and live frames', async () => {
    const dataDir = await sharedDataDir();
    const first = await serverOn(dataDir);
    const ticket = await viewerTicket(first, await signIn(first));

    const { client: visitor, welcome } = await connectVisitor(first, { key: 'restart-1', visitor: { name: 'Grace' } });
    expect(welcome.nextSeq).toBe(1);
    visitor.sendFrame(FrameKind.Keyframe, 1, ['before']);
    visitor.sendFrame(FrameKind.Delta, 2, ['d2']);
    const agent = await connectAgent(first, ticket, 'restart-1');
    await expectJoined(agent);
    expect((await agent.framesUntil(2)).map(kindAndSeq)).toEqual([
      [FrameKind.Keyframe, 1],
      [FrameKind.Delta, 2],
    ]);
    await until(() => visitor.messages.find((m) => m.type === 'ack' && m.seq === 2), 'ack 2');
    visitor.send({ type: 'userstate', name: 'step', value: 3 });
    visitor.send({ type: 'pause', paused: true, message: 'one moment' });
    await agent.next('paused');
    const sessionBefore = first.relay.findSession('10000', 'restart-1')!;

    // A clean stop (what SIGTERM does): both sides are told to come back, nothing ends.
    await first.close();
    const [visitorClose, agentClose] = await Promise.all([visitor.closed, agent.closed]);
    expect(visitorClose).toEqual({ code: CloseCode.ServiceRestart, reason: 'server restarting' });
    expect(agentClose.code).toBe(CloseCode.ServiceRestart);
    expect(FINAL_CLOSE_CODES.has(CloseCode.ServiceRestart)).toBe(false);
    expect(visitor.messages.some((m) => m.type === 'ended')).toBe(false);
    expect(agent.messages.some((m) => m.type === 'ended')).toBe(false);

    const second = await serverOn(dataDir, { port: first.port });
    expect(second.port).toBe(first.port);
    expect(second.relay.findSession('10000', 'restart-1')).toEqual({
      ...sessionBefore,
      visitorConnected: false,
      agentCount: 0,
    });

    // The agent's viewer reconnects first and resumes after what it showed.
    const agentAgain = await connectAgent(second, ticket, 'restart-1', { afterSeq: 2 });
    const joined = await expectJoined(agentAgain);
    expect(joined.sessionId).toBe(welcome.sessionId);
    expect(joined.startedAt).toBe(sessionBefore.startedAt);
    expect(joined.visitor).toEqual({ name: 'Grace' });
    expect(joined.state.userState).toEqual({ step: 3 });
    expect(joined.state.paused).toEqual({ paused: true, message: 'one moment' });
    expect(await agentAgain.next('visitor')).toEqual({ type: 'visitor', connected: false });

    // The visitor resumes with its session id, token and acknowledged sequence number.
    const { client: visitorAgain, welcome: resumed } = await connectVisitor(second, {
      resume: { sessionId: welcome.sessionId, token: welcome.token, ackedSeq: 2 },
    });
    expect(resumed).toMatchObject({
      sessionId: welcome.sessionId,
      key: 'restart-1',
      token: welcome.token,
      resumed: true,
      needKeyframe: true,
      nextSeq: 3,
    });
    expect(resumed.state.userState).toEqual({ step: 3 });
    expect(resumed.agents.count).toBe(1);
    await until(() => agentAgain.messages.find((m) => m.type === 'visitor' && m.connected), 'visitor connected');

    visitorAgain.sendFrame(FrameKind.Keyframe, 3, ['after']);
    visitorAgain.sendFrame(FrameKind.Delta, 4, ['d4']);
    expect((await agentAgain.framesUntil(2)).map(kindAndSeq)).toEqual([
      [FrameKind.Keyframe, 3],
      [FrameKind.Delta, 4],
    ]);
    expect(await visitorAgain.next('ack')).toBeDefined();

    // A viewer opened with Wait=1 after the restart joins normally and gets the new keyframe.
    const waiting = await connectAgent(second, ticket, 'restart-1', { wait: true });
    await expectJoined(waiting);
    expect((await waiting.framesUntil(2)).map(kindAndSeq)).toEqual([
      [FrameKind.Keyframe, 3],
      [FrameKind.Delta, 4],
    ]);
    visitorAgain.sendFrame(FrameKind.Delta, 5, ['d5']);
    expect(kindAndSeq((await waiting.framesUntil(3))[2]!)).toEqual([FrameKind.Delta, 5]);
    expect(kindAndSeq((await agentAgain.framesUntil(3))[2]!)).toEqual([FrameKind.Delta, 5]);

    // Still one session, and it ends normally in the end.
    expect(second.relay.sessionCount).toBe(1);
    visitorAgain.send({ type: 'stop' });
    expect(await agentAgain.next('ended')).toEqual({ type: 'ended', reason: 'visitor' });
    await until(async () => ((await second.store.listLiveSessions()).length === 0 ? true : undefined), 'row deleted');
    const ended = await second.store.listAudit({ sessionKey: 'restart-1', event: 'session.ended' });
    expect(ended.map((e) => e.detail['reason'])).toEqual(['visitor']);
    expect(await second.store.listAudit({ sessionKey: 'restart-1', event: 'session.started' })).toHaveLength(1);
  });

  it('[RS3] a restored session whose visitor does not come back ends with timeout: agents are told, the audit log records it, the store forgets it', async () => {
    const dataDir = await sharedDataDir();
    const first = await serverOn(dataDir);
    const ticket = await viewerTicket(first, await signIn(first));
    const { client: visitor } = await connectVisitor(first, { key: 'gone-1' });
    visitor.sendFrame(FrameKind.Keyframe, 1, ['page']);
    await visitor.next('ack');
    await first.close();
    await visitor.closed;

    const graceMs = 600;
    const startedAt = Date.now();
    const second = await serverOn(dataDir, { port: first.port, relay: { visitorGraceMs: graceMs } });
    expect(second.relay.sessionCount).toBe(1);
    const agent = await connectAgent(second, ticket, 'gone-1', { wait: true });
    await expectJoined(agent);
    expect(await agent.next('visitor')).toEqual({ type: 'visitor', connected: false });

    expect(await agent.next('ended', 0, 5_000)).toEqual({ type: 'ended', reason: 'timeout' });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(graceMs - 50);
    expect((await agent.closed).code).toBe(CloseCode.Normal);
    expect(second.relay.sessionCount).toBe(0);
    await until(async () => ((await second.store.listLiveSessions()).length === 0 ? true : undefined), 'row deleted');
    const ended = await until(async () => {
      const entries = await second.store.listAudit({ sessionKey: 'gone-1', event: 'session.ended' });
      return entries.length > 0 ? entries : undefined;
    }, 'session.ended audit');
    expect(ended.map((e) => e.detail['reason'])).toEqual(['timeout']);

    // Too late: the visitor's resume is told the session ended.
    const late = await openVisitor(second);
    late.send(visitorHello({ resume: { sessionId: ended[0]!.sessionId, token: 'whatever', ackedSeq: 1 } }));
    expect((await late.closed).code).toBe(CloseCode.SessionEnded);
  });

  it('[RS1][RS3] the store has the session as it changes, so a crash ends none either; the token is stored only as a hash', async () => {
    const dataDir = await sharedDataDir();
    const live = await serverOn(dataDir);
    const ticket = await viewerTicket(live, await signIn(live));
    const { client: visitor, welcome } = await connectVisitor(live, { key: 'crash-1' });
    visitor.sendFrame(FrameKind.Keyframe, 1, ['page']);
    visitor.send({ type: 'userstate', name: 'cart', value: [1, 2] });
    const agent = await connectAgent(live, ticket, 'crash-1');
    await expectJoined(agent);
    agent.send({ type: 'accessibility', enabled: true });
    await agent.next('accessibility');

    const row = await until(async () => {
      const [stored] = await live.store.listLiveSessions();
      const state = stored?.state as { userState?: unknown; accessibility?: unknown } | undefined;
      return stored?.everJoined && state?.accessibility === true && state.userState ? stored : undefined;
    }, 'the session written to the store');
    expect(row).toMatchObject({ id: welcome.sessionId, key: 'crash-1', groupId: '10000', randomKey: false, nextSeq: 2 });
    expect(row.state['userState']).toEqual({ cart: [1, 2] });
    expect(row.tokenHash).toBe(createHash('sha256').update(welcome.token).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(welcome.token);

    // Another server on the same store knows only what the store has: as after a crash.
    const afterCrash = await serverOn(dataDir);
    const { welcome: resumed } = await connectVisitor(afterCrash, {
      resume: { sessionId: welcome.sessionId, token: welcome.token, ackedSeq: 0 },
    });
    // ackedSeq 0 is below what the store knew: the numbering never goes back (keyframe epochs).
    expect(resumed).toMatchObject({ resumed: true, needKeyframe: true, nextSeq: 2 });
    expect(resumed.state).toMatchObject({ accessibility: true, userState: { cart: [1, 2] } });
  });

  it('[RS4] a resume of a restored session with a wrong token is refused with 4403', async () => {
    const dataDir = await sharedDataDir();
    const first = await serverOn(dataDir);
    const { client: visitor, welcome } = await connectVisitor(first, { key: 'token-1' });
    await first.close();
    await visitor.closed;
    const second = await serverOn(dataDir, { port: first.port });
    const wrong = await openVisitor(second);
    wrong.send(visitorHello({ resume: { sessionId: welcome.sessionId, token: 'not-the-token', ackedSeq: 0 } }));
    expect((await wrong.closed).code).toBe(CloseCode.Forbidden);
    const { welcome: right } = await connectVisitor(second, {
      resume: { sessionId: welcome.sessionId, token: welcome.token, ackedSeq: 0 },
    });
    expect(right).toMatchObject({ resumed: true, needKeyframe: true, nextSeq: 1 });
  });

  it('[RS3] a server restores only its own sessions; sessions of a server gone for an hour are ended and audited', async () => {
    const dataDir = await sharedDataDir();
    const first = await serverOn(dataDir);
    const { client: visitor, welcome } = await connectVisitor(first, { key: 'mine-1' });
    const [mine] = await until(async () => {
      const rows = await first.store.listLiveSessions();
      return rows.length === 1 ? rows : undefined;
    }, 'the session written');
    const other = { ...mine!, nodeId: 'another-server', updatedAt: Date.now() };
    await first.store.putLiveSession({ ...other, id: '10000.other-live', key: 'other-live' });
    await first.store.putLiveSession({ ...other, id: '10000.other-gone', key: 'other-gone', updatedAt: Date.now() - 2 * 60 * 60_000 });
    await first.close();
    await visitor.closed;

    const second = await serverOn(dataDir, { port: first.port });
    expect(second.relay.listSessions('10000').map((s) => s.key)).toEqual(['mine-1']);
    expect(second.relay.findSession('10000', 'mine-1')?.sessionId).toBe(welcome.sessionId);
    // The other server's live session stays in the store for it; the one gone for good is ended.
    expect((await second.store.listLiveSessions()).map((s) => s.key).sort()).toEqual(['mine-1', 'other-live']);
    const ended = await until(async () => {
      const entries = await second.store.listAudit({ sessionKey: 'other-gone', event: 'session.ended' });
      return entries.length > 0 ? entries : undefined;
    }, 'session.ended audit of the stale session');
    expect(ended.map((e) => [e.sessionId, e.detail['reason']])).toEqual([['10000.other-gone', 'timeout']]);
  });

  it('[RS1] a session that ends at once leaves no row behind, nor does one that ends while its state is written', async () => {
    const server = await startTestServer();
    const { client: quick } = await connectVisitor(server, { key: 'quick-1' });
    quick.send({ type: 'stop' });
    await quick.closed;
    const { client: busy } = await connectVisitor(server, { key: 'busy-1' });
    for (let n = 0; n < 50; n++) busy.send({ type: 'userstate', name: `n${n}`, value: n });
    await new Promise((resolve) => setTimeout(resolve, 60));
    busy.send({ type: 'stop' });
    await busy.closed;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await server.store.listLiveSessions()).toEqual([]);
  });
});
