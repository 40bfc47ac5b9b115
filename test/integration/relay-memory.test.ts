/**
 * Sessions end cleanly ([SS7], [SS8]): when a session ends — its visitor stops, or does not
 * come back within the grace period, also after a restart — agents are told, the audit log
 * records it, and the session and its catch-up log are released: nothing the relay keeps
 * holds their page frames. Checked with weak references and a real garbage collection.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Relay } from '../../src/server/relay/relay.js';
import type { Session } from '../../src/server/relay/session.js';
import { CloseCode } from '../../src/shared/protocol/close-codes.js';
import { FrameKind } from '../../src/shared/protocol/frame.js';
import { signIn, startTestServer, type TestServer } from '../helpers/start-server.js';
import { connectAgent, connectVisitor, viewerTicket } from '../helpers/protocol-clients.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Weak references to a session, its log and the frames the log holds. */
interface Held {
  session: WeakRef<Session>;
  log: WeakRef<object>;
  frames: WeakRef<Uint8Array>[];
}

/** Looks into the relay (test only) for the live session with this key. */
function hold(relay: Relay, key: string): Held {
  const sessions = (relay as unknown as { sessionsById: Map<string, Session> }).sessionsById;
  const session = [...sessions.values()].find((s) => s.key === key);
  if (!session) throw new Error(`no live session ${key}`);
  const frames = session.log.framesFor() ?? [];
  return {
    session: new WeakRef(session),
    log: new WeakRef(session.log),
    frames: frames.map((frame) => new WeakRef(frame)),
  };
}

/** Collects garbage until `released` holds or the time is up. */
async function collectedUntil(released: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Let sockets finish closing and pending writes settle before each collection.
    await new Promise((resolve) => setTimeout(resolve, 50));
    gc();
    if (released() || Date.now() > deadline) return;
  }
}

const alive = (held: Held) => [held.session, held.log, ...held.frames].filter((ref) => ref.deref() !== undefined).length;

/** A payload of `bytes` bytes of JSON (a string token). */
function payload(bytes: number): unknown[] {
  return ['x'.repeat(bytes)];
}

async function endedAudit(server: TestServer, key: string): Promise<string[]> {
  for (let i = 0; i < 100; i++) {
    const entries = await server.store.listAudit({ sessionKey: key, event: 'session.ended' });
    if (entries.length > 0) return entries.map((e) => String(e.detail['reason']));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return [];
}

describe('session end releases memory', () => {
  it('[SS8] a live session keeps its log; once the visitor stops, session, log and frames are collected', async () => {
    const server = await startTestServer();
    const ticket = await viewerTicket(server, await signIn(server));
    // A random code: its expiry timer must not hold the ended session either.
    const { client: visitor, welcome } = await connectVisitor(server);
    visitor.sendFrame(FrameKind.Keyframe, 1, payload(512 * 1024));
    for (let seq = 2; seq <= 11; seq++) visitor.sendFrame(FrameKind.Delta, seq, payload(16 * 1024));
    const agent = await connectAgent(server, ticket, welcome.key);
    await agent.framesUntil(11);

    const held = hold(server.relay, welcome.key);
    expect(held.frames).toHaveLength(11);
    // The control: while the session lives, a collection keeps all of it.
    gc();
    expect(alive(held)).toBe(13);

    visitor.send({ type: 'stop' });
    expect(await agent.next('ended')).toEqual({ type: 'ended', reason: 'visitor' });
    expect(await endedAudit(server, welcome.key)).toEqual(['visitor']);
    await collectedUntil(() => alive(held) === 0);
    expect(alive(held)).toBe(0);
    expect(server.relay.sessionCount).toBe(0);
  });

  it('[SS7][SS8] a visitor that does not come back: the session ends with timeout, agents are told, the audit records it, the memory is released', async () => {
    const server = await startTestServer({ relay: { visitorGraceMs: 300 } });
    const ticket = await viewerTicket(server, await signIn(server));
    const sessions = 5;
    const helds: Held[] = [];
    const agents = [];
    for (let n = 0; n < sessions; n++) {
      const key = `leak-${n}`;
      const { client: visitor } = await connectVisitor(server, { key });
      visitor.sendFrame(FrameKind.Keyframe, 1, payload(256 * 1024));
      visitor.sendFrame(FrameKind.Delta, 2, payload(8 * 1024));
      const agent = await connectAgent(server, ticket, key);
      await agent.framesUntil(2);
      helds.push(hold(server.relay, key));
      agents.push(agent);
      visitor.ws.terminate(); // the tab died: no stop
    }
    for (const agent of agents) {
      expect(await agent.next('visitor')).toEqual({ type: 'visitor', connected: false });
      expect(await agent.next('ended')).toEqual({ type: 'ended', reason: 'timeout' });
      expect((await agent.closed).code).toBe(CloseCode.Normal);
    }
    for (let n = 0; n < sessions; n++) expect(await endedAudit(server, `leak-${n}`)).toEqual(['timeout']);
    expect(server.relay.sessionCount).toBe(0);
    await collectedUntil(() => helds.every((held) => alive(held) === 0));
    expect(helds.map(alive)).toEqual(helds.map(() => 0));
    expect(await server.store.listLiveSessions()).toEqual([]);
  });

  it('[RS3][SS8] a session restored after a restart whose visitor does not come back is ended and released too', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'oc-memory-'));
    onTestFinished(() => rm(dataDir, { recursive: true, force: true }));
    const first = await startTestServer({ dataDir });
    const { client: visitor } = await connectVisitor(first, { key: 'restored-1' });
    visitor.sendFrame(FrameKind.Keyframe, 1, payload(1024));
    await visitor.next('ack');
    await first.close();
    await visitor.closed;

    const second = await startTestServer({ dataDir, port: first.port, relay: { visitorGraceMs: 300 } });
    const held = hold(second.relay, 'restored-1');
    expect(await endedAudit(second, 'restored-1')).toEqual(['timeout']);
    await collectedUntil(() => alive(held) === 0);
    expect(alive(held)).toBe(0);
    expect(await second.store.listLiveSessions()).toEqual([]);
  });
});
