/**
 * The relay over real WebSockets on loopback: handshake, frames, sessions, joining and the
 * catch-up log (SPEC.md). Visitors and agents here speak the wire protocol directly.
 */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CloseCode } from '../../src/shared/protocol/close-codes.js';
import { FrameKind, FrameFlag, readFrameHeader } from '../../src/shared/protocol/frame.js';
import { hashPassword } from '../../src/server/auth/password.js';
import { signIn, startTestServer, type TestServer } from '../helpers/start-server.js';
import {
  connectAgent,
  connectVisitor,
  openAgent,
  openVisitor,
  viewerTicket,
  visitorHello,
} from '../helpers/protocol-clients.js';

async function agentTicket(server: TestServer): Promise<string> {
  return viewerTicket(server, await signIn(server));
}

async function addOtherGroupAgent(server: TestServer): Promise<string> {
  await server.store.createGroup({ id: '20000', name: 'Other', apiKey: null });
  await server.store.createAgent({
    groupId: '20000',
    username: 'other',
    displayName: 'Other Agent',
    email: '',
    title: '',
    partnerUserId: 'other',
    passwordHash: await hashPassword('other-password-1'),
    role: 'agent',
    privileges: { view: true, remoteControl: true, navigate: true, screenShare: true },
    disabled: false,
  });
  return viewerTicket(server, await signIn(server, 'other', 'other-password-1'));
}

describe('handshake', () => {
  it('[HS1] a hello of another protocol version is refused with 4426', async () => {
    const server = await startTestServer();
    const visitor = await openVisitor(server);
    visitor.send(visitorHello({ v: 99 }));
    expect((await visitor.closed).code).toBe(CloseCode.VersionMismatch);
  });

  it('[HS2] a socket that never says hello is closed with 4430', async () => {
    const server = await startTestServer({ relay: { handshakeTimeoutMs: 150 } });
    const visitor = await openVisitor(server);
    expect(await visitor.closed).toEqual({ code: CloseCode.HandshakeTimeout, reason: 'handshake timeout' });
  });

  it('[HS3] a page frame before the handshake, or a second hello, closes with 4400', async () => {
    const server = await startTestServer();
    const early = await openVisitor(server);
    early.sendFrame(FrameKind.Keyframe, 1);
    expect((await early.closed).code).toBe(CloseCode.BadMessage);

    const { client: twice } = await connectVisitor(server);
    twice.send(visitorHello());
    expect((await twice.closed).code).toBe(CloseCode.BadMessage);
  });

  it('[HS3] a visitor hello on the agent endpoint is refused', async () => {
    const server = await startTestServer();
    const agent = await openAgent(server);
    agent.send(visitorHello());
    expect((await agent.closed).code).toBe(CloseCode.BadMessage);
  });

  it('[HS4] agent sockets from another origin are refused at the upgrade', async () => {
    const server = await startTestServer();
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(server.baseUrl.replace('http', 'ws') + '/ws/agent', { origin: 'https://evil.example' });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => {});
    });
    expect(refused).toBe(403);
  });

  it('[HS5] an unknown group gets a service error and 4403', async () => {
    const server = await startTestServer();
    const visitor = await openVisitor(server);
    visitor.send(visitorHello({ groupId: '99999' }));
    expect(await visitor.next('error')).toMatchObject({ code: 'service' });
    expect((await visitor.closed).code).toBe(CloseCode.Forbidden);
  });

  it('[CM1] a message that is not valid JSON or not a known message closes with 4400', async () => {
    const server = await startTestServer();
    const visitor = await openVisitor(server);
    visitor.send('{"type":');
    expect((await visitor.closed).code).toBe(CloseCode.BadMessage);
    const other = await openVisitor(server);
    other.send({ type: 'hello', v: 1, role: 'visitor', groupId: '10000' }); // missing site and page
    expect((await other.closed).code).toBe(CloseCode.BadMessage);
  });
});

describe('sessions', () => {
  it('[SS2] without a key the session gets a random 4-digit code', async () => {
    const server = await startTestServer();
    const { welcome } = await connectVisitor(server);
    expect(welcome.key).toMatch(/^\d{4}$/);
    expect(welcome.randomKey).toBe(true);
    expect(welcome.nextSeq).toBe(1);
    expect(server.relay.findSession('10000', welcome.key)).toMatchObject({ visitorConnected: true, pageTitle: 'Cart' });
  });

  it('[SS2] the random code length follows the group setting', async () => {
    const server = await startTestServer();
    await server.store.putSettings('10000', 'staging', { randomKeyLength: 6 });
    const { welcome } = await connectVisitor(server);
    expect(welcome.key).toMatch(/^\d{6}$/);
  });

  it('[SS4] the welcome carries the group\'s masking selectors for the site', async () => {
    const server = await startTestServer();
    await server.store.putSettings('10000', 'production', { maskedSelectors: ['#account-number'] });
    const staging = await connectVisitor(server, { key: 'staging-visitor' });
    expect(staging.welcome.settings.maskedSelectors).toEqual([]);
    const production = await connectVisitor(server, { key: 'prod-visitor', site: 'production' });
    expect(production.welcome.settings.maskedSelectors).toEqual(['#account-number']);
  });

  it('[SS3] a key in use by a connected visitor is refused with dupkey and 4409', async () => {
    const server = await startTestServer();
    await connectVisitor(server, { key: 'customer-42' });
    const second = await openVisitor(server);
    second.send(visitorHello({ key: 'customer-42' }));
    expect(await second.next('error')).toMatchObject({ code: 'dupkey' });
    expect((await second.closed).code).toBe(CloseCode.DuplicateKey);
  });

  it('[SS3] a key whose visitor is gone is taken over by the new session', async () => {
    const server = await startTestServer();
    const first = await connectVisitor(server, { key: 'customer-7' });
    first.client.close();
    await first.client.closed;
    const second = await connectVisitor(server, { key: 'customer-7' });
    expect(second.welcome.sessionId).not.toBe(first.welcome.sessionId);
    expect(server.relay.findSession('10000', 'customer-7')?.sessionId).toBe(second.welcome.sessionId);
  });

  it('[SS3] with duplicates allowed a second visitor may use a key in use', async () => {
    const server = await startTestServer();
    await server.store.putSettings('10000', 'staging', { allowDuplicateKeys: true });
    await connectVisitor(server, { key: 'shared' });
    const second = await connectVisitor(server, { key: 'shared' });
    expect(second.welcome.key).toBe('shared');
  });

  it('[SS5] a visitor resumes its session with the token; a wrong token is refused', async () => {
    const server = await startTestServer();
    const { client, welcome } = await connectVisitor(server, { key: 'resumer' });
    client.sendFrame(FrameKind.Keyframe, 1, [12]);
    client.sendFrame(FrameKind.Delta, 2, [4, 1, 'x']);
    await client.next('ack');
    client.close();
    await client.closed;

    const wrong = await openVisitor(server);
    wrong.send(visitorHello({ key: 'resumer', resume: { sessionId: welcome.sessionId, token: 'not-the-token', ackedSeq: 2 } }));
    expect((await wrong.closed).code).toBe(CloseCode.Forbidden);

    const back = await connectVisitor(server, { resume: { sessionId: welcome.sessionId, token: welcome.token, ackedSeq: 2 } });
    expect(back.welcome).toMatchObject({ resumed: true, sessionId: welcome.sessionId, key: 'resumer', nextSeq: 3, needKeyframe: false });
  });

  it('[SS5] resuming a session that ended closes with 4410', async () => {
    const server = await startTestServer();
    const { client, welcome } = await connectVisitor(server);
    client.send({ type: 'stop' });
    await client.closed;
    const late = await openVisitor(server);
    late.send(visitorHello({ resume: { sessionId: welcome.sessionId, token: welcome.token, ackedSeq: 0 } }));
    expect((await late.closed).code).toBe(CloseCode.SessionEnded);
  });

  it('[SS6] a visitor stop ends the session for the agents with reason visitor and 1000', async () => {
    const server = await startTestServer();
    const ticket = await agentTicket(server);
    const { client: visitor, welcome } = await connectVisitor(server);
    const agent = await connectAgent(server, ticket, welcome.key);
    await agent.next('joined');
    visitor.send({ type: 'stop' });
    expect(await agent.next('ended')).toEqual({ type: 'ended', reason: 'visitor' });
    expect((await agent.closed).code).toBe(CloseCode.Normal);
    expect((await visitor.closed).code).toBe(CloseCode.Normal);
    expect(server.relay.findSession('10000', welcome.key)).toBeUndefined();
    const audit = await server.store.listAudit({ sessionKey: welcome.key });
    expect(audit.map((entry) => entry.event)).toEqual(expect.arrayContaining(['session.started', 'agent.joined', 'session.ended']));
  });

  it('[SS7] agents hear that the visitor left, and the session times out after the grace period', async () => {
    const server = await startTestServer({ relay: { visitorGraceMs: 300 } });
    const ticket = await agentTicket(server);
    const { client: visitor, welcome } = await connectVisitor(server);
    const agent = await connectAgent(server, ticket, welcome.key);
    await agent.next('joined');
    visitor.close();
    expect(await agent.next('visitor')).toEqual({ type: 'visitor', connected: false });
    expect(await agent.next('ended')).toEqual({ type: 'ended', reason: 'timeout' });
  });

  it('[SS7] a visitor who comes back within the grace period keeps the session', async () => {
    const server = await startTestServer({ relay: { visitorGraceMs: 60_000 } });
    const ticket = await agentTicket(server);
    const { client: visitor, welcome } = await connectVisitor(server);
    const agent = await connectAgent(server, ticket, welcome.key);
    await agent.next('joined');
    visitor.close();
    await agent.next('visitor');
    const from = agent.messages.length;
    const back = await connectVisitor(server, { resume: { sessionId: welcome.sessionId, token: welcome.token, ackedSeq: 0 } });
    expect(back.welcome.resumed).toBe(true);
    expect(await agent.next('visitor', from)).toEqual({ type: 'visitor', connected: true });
  });
});

describe('page frames', () => {
  it('[FR6] agents receive the visitor\'s frames byte for byte and in order; [CM2] the visitor gets acks', async () => {
    const server = await startTestServer();
    const ticket = await agentTicket(server);
    const { client: visitor, welcome } = await connectVisitor(server);
    const agent = await connectAgent(server, ticket, welcome.key);
    await agent.next('joined');
    const sent = [
      visitor.sendFrame(FrameKind.Keyframe, 1, ['page']),
      visitor.sendFrame(FrameKind.Delta, 2, [4, 3, 'a']),
      visitor.sendFrame(FrameKind.Delta, 3, [4, 3, 'b'], FrameFlag.Deflate),
    ];
    const received = await agent.framesUntil(3);
    expect(received).toEqual(sent);
    const ack = await visitor.next('ack');
    expect(ack.seq).toBeGreaterThanOrEqual(1);
    await expect.poll(() => visitor.messages.filter((m) => m.type === 'ack').at(-1)).toEqual({ type: 'ack', seq: 3 });
  });

  it('[FR5] a resent frame is dropped; a gap stops deltas and asks for a keyframe', async () => {
    const server = await startTestServer();
    const ticket = await agentTicket(server);
    const { client: visitor, welcome } = await connectVisitor(server);
    const agent = await connectAgent(server, ticket, welcome.key);
    await agent.next('joined');
    visitor.sendFrame(FrameKind.Keyframe, 1, ['k1']);
    visitor.sendFrame(FrameKind.Delta, 2, ['d2']);
    visitor.sendFrame(FrameKind.Delta, 2, ['d2-again']);
    visitor.sendFrame(FrameKind.Delta, 5, ['d5-after-gap']);
    await visitor.next('need-keyframe');
    visitor.sendFrame(FrameKind.Delta, 6, ['d6-still-gap']);
    const keyframe = visitor.sendFrame(FrameKind.Keyframe, 7, ['k7']);
    const after = visitor.sendFrame(FrameKind.Delta, 8, ['d8']);
    const frames = await agent.framesUntil(4);
    expect(frames.map((f) => (readFrameHeader(f) as { seq: number }).seq)).toEqual([1, 2, 7, 8]);
    expect(frames.slice(2)).toEqual([keyframe, after]);
  });

  it('[FR5] volatile frames go to agents without a sequence number and are never logged', async () => {
    const server = await startTestServer();
    const ticket = await agentTicket(server);
    const { client: visitor, welcome } = await connectVisitor(server);
    visitor.sendFrame(FrameKind.Keyframe, 1, ['k']);
    const agent = await connectAgent(server, ticket, welcome.key);
    await agent.framesUntil(1);
    const pointer = visitor.sendFrame(FrameKind.Volatile, 0, [8, 10, 20]);
    expect((await agent.framesUntil(2))[1]).toEqual(pointer);
    const late = await connectAgent(server, ticket, welcome.key);
    await late.next('joined');
    visitor.sendFrame(FrameKind.Delta, 2, ['d']);
    const lateFrames = await late.framesUntil(2);
    expect(lateFrames.map((f) => readFrameHeader(f))).toEqual([
      { kind: FrameKind.Keyframe, flags: 0, seq: 1 },
      { kind: FrameKind.Delta, flags: 0, seq: 2 },
    ]);
  });

  it('[FR3] a malformed frame closes only that visitor\'s socket; other sessions go on', async () => {
    const server = await startTestServer();
    const ticket = await agentTicket(server);
    const bad = await connectVisitor(server, { key: 'bad-one' });
    const good = await connectVisitor(server, { key: 'good-one' });
    const agent = await connectAgent(server, ticket, 'good-one');
    await agent.next('joined');
    bad.client.sendBytes(new Uint8Array([7, 0, 0]));
    expect(await bad.client.closed).toEqual({ code: CloseCode.BadMessage, reason: 'malformed message' });
    const frame = good.client.sendFrame(FrameKind.Keyframe, 1, ['still fine']);
    expect((await agent.framesUntil(1))[0]).toEqual(frame);
    // The bad visitor's session survives its socket, waiting for it to come back.
    expect(server.relay.findSession('10000', 'bad-one')?.visitorConnected).toBe(false);
  });

  it('[FR4] a frame over the cap closes the socket with 4413', async () => {
    const server = await startTestServer({ relay: { maxDeltaBytes: 1024 } });
    const { client } = await connectVisitor(server);
    client.sendFrame(FrameKind.Keyframe, 1, ['ok']);
    client.sendFrame(FrameKind.Delta, 2, ['x'.repeat(2000)]);
    expect((await client.closed).code).toBe(CloseCode.TooLarge);
  });

  it('[FR2] a page frame from an agent closes that agent with 4403 and nobody else', async () => {
    const server = await startTestServer();
    const ticket = await agentTicket(server);
    const { client: visitor, welcome } = await connectVisitor(server);
    const rogue = await connectAgent(server, ticket, welcome.key);
    const honest = await connectAgent(server, ticket, welcome.key);
    await rogue.next('joined');
    await honest.next('joined');
    rogue.sendFrame(FrameKind.Keyframe, 1, ['fake page']);
    expect((await rogue.closed).code).toBe(CloseCode.Forbidden);
    const frame = visitor.sendFrame(FrameKind.Keyframe, 1, ['real page']);
    expect((await honest.framesUntil(1))[0]).toEqual(frame);
  });

  it('rate caps: a flood of control messages closes the socket with 4429', async () => {
    const server = await startTestServer({ relay: { maxControlPerSecond: 5 } });
    const { client } = await connectVisitor(server);
    for (let i = 0; i < 40; i++) client.send({ type: 'pong', t: i });
    expect((await client.closed).code).toBe(CloseCode.RateLimited);
  });
});

describe('joining', () => {
  it('[JN3] a late agent gets the keyframe before any delta, then live frames; the visitor does nothing', async () => {
    const server = await startTestServer();
    const ticket = await agentTicket(server);
    const { client: visitor, welcome } = await connectVisitor(server);
    const sent = [visitor.sendFrame(FrameKind.Keyframe, 1, ['k'])];
    for (let seq = 2; seq <= 20; seq++) sent.push(visitor.sendFrame(FrameKind.Delta, seq, [seq]));
    await expect.poll(() => visitor.messages.filter((m) => m.type === 'ack').at(-1)).toEqual({ type: 'ack', seq: 20 });
    const before = visitor.messages.length;
    const agent = await connectAgent(server, ticket, welcome.key);
    const joined = await agent.next('joined');
    expect(joined).toMatchObject({ key: welcome.key, sessionId: welcome.sessionId, groupId: '10000' });
    expect(await agent.framesUntil(20)).toEqual(sent);
    sent.push(visitor.sendFrame(FrameKind.Delta, 21, ['live']));
    expect(await agent.framesUntil(21)).toEqual(sent);
    // The visitor was told about the agent, and asked for nothing else.
    const toVisitor = visitor.messages.slice(before).map((m) => m.type).filter((t) => t !== 'ack');
    expect(toVisitor).toEqual(['agents']);
  });

  it('[JN4] an agent resuming with afterSeq gets only the frames after it', async () => {
    const server = await startTestServer();
    const ticket = await agentTicket(server);
    const { client: visitor, welcome } = await connectVisitor(server);
    visitor.sendFrame(FrameKind.Keyframe, 1, ['k']);
    for (let seq = 2; seq <= 5; seq++) visitor.sendFrame(FrameKind.Delta, seq, [seq]);
    await expect.poll(() => visitor.messages.filter((m) => m.type === 'ack').at(-1)).toEqual({ type: 'ack', seq: 5 });
    const agent = await connectAgent(server, ticket, welcome.key, { afterSeq: 3 });
    const frames = await agent.framesUntil(2);
    expect(frames.map((f) => (readFrameHeader(f) as { seq: number }).seq)).toEqual([4, 5]);
  });

  it('[JN2] with wait the agent waits, and joins when the session starts', async () => {
    const server = await startTestServer();
    const ticket = await agentTicket(server);
    const agent = await connectAgent(server, ticket, 'not-yet', { wait: true });
    expect(await agent.next('waiting')).toEqual({ type: 'waiting', key: 'not-yet' });
    const { client: visitor } = await connectVisitor(server, { key: 'not-yet' });
    expect(await agent.next('joined')).toMatchObject({ key: 'not-yet' });
    const frame = visitor.sendFrame(FrameKind.Keyframe, 1, ['hello']);
    expect((await agent.framesUntil(1))[0]).toEqual(frame);
  });

  it('[JN2] without wait an unknown key closes with 4404', async () => {
    const server = await startTestServer();
    const ticket = await agentTicket(server);
    const agent = await connectAgent(server, ticket, 'nobody-here');
    expect(await agent.closed).toEqual({ code: CloseCode.NoSession, reason: 'no such session' });
  });

  it('[JN1] another group\'s session looks exactly like an unknown key', async () => {
    const server = await startTestServer();
    const otherTicket = await addOtherGroupAgent(server);
    await connectVisitor(server, { key: 'group-10000-visitor' });
    const agent = await connectAgent(server, otherTicket, 'group-10000-visitor');
    expect(await agent.closed).toEqual({ code: CloseCode.NoSession, reason: 'no such session' });
  });

  it('[JN1] a forged or garbled ticket is refused with 4401', async () => {
    const server = await startTestServer();
    const ticket = await agentTicket(server);
    const forged = ticket.slice(0, -3) + (ticket.endsWith('AAA') ? 'BBB' : 'AAA');
    const agent = await connectAgent(server, forged, 'anything', { wait: true });
    expect((await agent.closed).code).toBe(CloseCode.Unauthorized);
  });

  it('[JN5] visitor and agents hear the agent list when it changes; two agents watch one session', async () => {
    const server = await startTestServer();
    const ticket = await agentTicket(server);
    const { client: visitor, welcome } = await connectVisitor(server);
    const first = await connectAgent(server, ticket, welcome.key);
    await first.next('joined');
    expect(await visitor.next('agents')).toMatchObject({ count: 1, agentlist: [{ username: 'demo', partnerid: '10000', partneruserid: 'demo' }] });
    const second = await connectAgent(server, ticket, welcome.key);
    await second.next('joined');
    const mark = visitor.messages.length;
    await expect.poll(() => visitor.messages.slice(mark).some((m) => m.type === 'agents' && m.count === 2)).toBe(true);
    const frame = visitor.sendFrame(FrameKind.Keyframe, 1, ['shared']);
    expect((await first.framesUntil(1))[0]).toEqual(frame);
    expect((await second.framesUntil(1))[0]).toEqual(frame);
    second.send({ type: 'leave' });
    expect((await second.closed).code).toBe(CloseCode.Normal);
    await expect.poll(() => visitor.messages.filter((m) => m.type === 'agents').at(-1)).toMatchObject({ count: 1 });
  });

  it('[LG2] when deltas outgrow the log the visitor is asked for a keyframe, and a late agent waits for it', async () => {
    const server = await startTestServer({ relay: { maxLogBytes: 2_000 } });
    const ticket = await agentTicket(server);
    const { client: visitor, welcome } = await connectVisitor(server);
    visitor.sendFrame(FrameKind.Keyframe, 1, ['k']);
    let seq = 2;
    for (; seq < 12; seq++) visitor.sendFrame(FrameKind.Delta, seq, ['x'.repeat(500)]);
    await visitor.next('need-keyframe');
    const agent = await connectAgent(server, ticket, welcome.key);
    await agent.next('joined');
    visitor.sendFrame(FrameKind.Delta, seq++, ['not for the late agent']);
    const keyframe = visitor.sendFrame(FrameKind.Keyframe, seq++, ['fresh']);
    expect((await agent.framesUntil(1))[0]).toEqual(keyframe);
  });
});

describe('liveness', () => {
  it('[CM4] the server pings open sockets and ignores the pongs', async () => {
    const server = await startTestServer({ relay: { pingIntervalMs: 100 } });
    const ticket = await agentTicket(server);
    const { client: visitor, welcome } = await connectVisitor(server);
    const agent = await connectAgent(server, ticket, welcome.key);
    await agent.next('joined');
    const ping = await visitor.next('ping');
    expect(ping.t).toBeGreaterThan(0);
    await agent.next('ping');
    visitor.send({ type: 'pong', t: ping.t });
    const frame = visitor.sendFrame(FrameKind.Keyframe, 1, ['still open']);
    expect((await agent.framesUntil(1))[0]).toEqual(frame);
  });
});
