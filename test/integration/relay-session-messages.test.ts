/**
 * Session messages, state and agent commands through the relay, with hand-crafted
 * messages (not only through the UI): what the server carries, and what it refuses.
 */
import { describe, expect, it } from 'vitest';
import { CloseCode } from '../../src/shared/protocol/close-codes.js';
import { hashPassword } from '../../src/server/auth/password.js';
import type { AgentPrivileges } from '../../src/server/store/store.js';
import { signIn, startTestServer, type TestServer } from '../helpers/start-server.js';
import { connectAgent, connectVisitor, viewerTicket } from '../helpers/protocol-clients.js';

async function ticketFor(server: TestServer, username = 'demo', privileges?: Partial<AgentPrivileges>): Promise<string> {
  if (username === 'demo') return viewerTicket(server, await signIn(server));
  await server.store.createAgent({
    groupId: '10000',
    username,
    displayName: `Agent ${username}`,
    email: '',
    title: 'Support',
    partnerUserId: username,
    passwordHash: await hashPassword('password-of-' + username),
    role: 'agent',
    privileges: { view: true, remoteControl: true, navigate: true, screenShare: true, ...privileges },
    disabled: false,
  });
  return viewerTicket(server, await signIn(server, username, 'password-of-' + username));
}

async function session(server: TestServer, ticket: string, hello: Record<string, unknown> = {}) {
  const { client: visitor, welcome } = await connectVisitor(server, { page: { url: 'https://shop.example.com/cart', title: 'Cart' }, ...hello });
  const agent = await connectAgent(server, ticket, welcome.key);
  await agent.next('joined');
  await visitor.next('agents');
  return { visitor, agent, welcome };
}

async function auditEvents(server: TestServer, key: string): Promise<string[]> {
  await new Promise((resolve) => setTimeout(resolve, 50)); // audit writes are not awaited by the relay
  return (await server.store.listAudit({ sessionKey: key })).map((entry) => entry.event);
}

describe('session messages and state', () => {
  it('[AP1] visitor messages reach every agent, or one; agent messages reach the visitor with the sender', async () => {
    const server = await startTestServer();
    const { visitor, agent, welcome } = await session(server, await ticketFor(server));
    const other = await connectAgent(server, await ticketFor(server, 'bob'), welcome.key);
    await other.next('joined');
    visitor.send({ type: 'message', name: 'cart', data: { items: 3 } });
    expect(await agent.next('message')).toEqual({ type: 'message', name: 'cart', data: { items: 3 } });
    expect(await other.next('message')).toEqual({ type: 'message', name: 'cart', data: { items: 3 } });
    visitor.send({ type: 'message', name: 'private', data: 'for bob', to: 'bob' });
    expect(await other.next('message', other.messages.findIndex((m) => m.type === 'message') + 1)).toMatchObject({ name: 'private' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(agent.messages.filter((m) => m.type === 'message').map((m) => (m as { name: string }).name)).toEqual(['cart']);
    agent.send({ type: 'message', name: 'offer', data: { code: 'SAVE10' } });
    expect(await visitor.next('message')).toMatchObject({ name: 'offer', data: { code: 'SAVE10' }, from: { username: 'demo', partnerid: '10000' } });
  });

  it('[AP2] user state reaches agents, and a late agent gets it with the session state', async () => {
    const server = await startTestServer();
    const ticket = await ticketFor(server);
    const { visitor, agent, welcome } = await session(server, ticket);
    visitor.send({ type: 'userstate', name: 'plan', value: { tier: 'gold' } });
    expect(await agent.next('userstate')).toEqual({ type: 'userstate', name: 'plan', value: { tier: 'gold' } });
    const late = await connectAgent(server, ticket, welcome.key);
    expect((await late.next('joined')).state.userState).toEqual({ plan: { tier: 'gold' } });
  });

  it('[AP3] pause and [AP4] page visibility reach agents; the state survives a reconnect', async () => {
    const server = await startTestServer();
    const { visitor, agent, welcome } = await session(server, await ticketFor(server));
    visitor.send({ type: 'pause', paused: true, message: 'Entering card details' });
    expect(await agent.next('paused')).toEqual({ type: 'paused', paused: true, message: 'Entering card details' });
    visitor.send({ type: 'visibility', visible: false });
    expect(await agent.next('visibility')).toEqual({ type: 'visibility', visible: false });
    visitor.close();
    await visitor.closed;
    const back = await connectVisitor(server, { resume: { sessionId: welcome.sessionId, token: welcome.token, ackedSeq: 0 }, page: { url: 'https://shop.example.com/pay', title: 'Pay', visible: true } });
    expect(back.welcome.state.paused).toEqual({ paused: true, message: 'Entering card details' });
    expect(await agent.next('page')).toMatchObject({ url: 'https://shop.example.com/pay', title: 'Pay', browser: { name: expect.any(String) } });
  });

  it('[AP5] screen share signals reach the visitor and agents; [AP6] accessibility too', async () => {
    const server = await startTestServer();
    const { visitor, agent } = await session(server, await ticketFor(server));
    agent.send({ type: 'screenshare', action: 'add', params: { screenshareView: 'glance_screenshare', sessionKey: '1234' } });
    expect(await visitor.next('screenshare')).toMatchObject({ screenshareView: 'glance_screenshare', state: 'new', paused: false });
    agent.send({ type: 'screenshare', action: 'pause' });
    await expect.poll(() => visitor.messages.filter((m) => m.type === 'screenshare').at(-1)).toMatchObject({ state: 'continued', paused: true });
    agent.send({ type: 'screenshare', action: 'close' });
    await expect.poll(() => visitor.messages.filter((m) => m.type === 'screenshare').at(-1)).toMatchObject({ state: 'ended' });
    agent.send({ type: 'accessibility', enabled: true });
    expect(await visitor.next('accessibility')).toEqual({ type: 'accessibility', enabled: true });
  });

  it('[AP5] screen share without the privilege is denied', async () => {
    const server = await startTestServer();
    const { visitor, agent } = await session(server, await ticketFor(server, 'noshare', { screenShare: false }));
    agent.send({ type: 'screenshare', action: 'add', params: {} });
    expect(await agent.next('denied')).toEqual({ type: 'denied', action: 'screenshare', reason: 'no screen share privilege' });
    expect(visitor.messages.some((m) => m.type === 'screenshare')).toBe(false);
  });

  it('[RC9] the agent\'s pointer reaches the visitor with the agent\'s name', async () => {
    const server = await startTestServer();
    const { visitor, agent } = await session(server, await ticketFor(server));
    agent.send({ type: 'pointer', x: 120, y: 45 });
    expect(await visitor.next('agent-pointer')).toMatchObject({ x: 120, y: 45, agent: { username: 'demo' } });
  });
});

describe('remote control', () => {
  it('[RC1] a request without the privilege is denied and audited; with it the visitor is asked', async () => {
    const server = await startTestServer();
    const refused = await session(server, await ticketFor(server, 'viewonly', { remoteControl: false }), { key: 'refused-rc' });
    refused.agent.send({ type: 'rc-request', enable: true });
    expect(await refused.agent.next('denied')).toEqual({ type: 'denied', action: 'rcrequested', reason: 'no remote control privilege' });
    expect(refused.visitor.messages.some((m) => m.type === 'rc-request')).toBe(false);
    expect(await auditEvents(server, 'refused-rc')).toContain('rc.refused');

    const allowed = await session(server, await ticketFor(server), { key: 'allowed-rc' });
    allowed.agent.send({ type: 'rc-request', enable: true });
    expect(await allowed.visitor.next('rc-request')).toMatchObject({ agent: { username: 'demo' } });
    expect(await auditEvents(server, 'allowed-rc')).toContain('rc.requested');
  });

  it('[RC1] the group setting switches remote control off for everyone', async () => {
    const server = await startTestServer();
    await server.store.putSettings('10000', 'staging', { allowRemoteControl: false });
    const { visitor, agent, welcome } = await session(server, await ticketFor(server));
    expect(welcome.settings.allowRemoteControl).toBe(false);
    agent.send({ type: 'rc-request', enable: true });
    expect(await agent.next('denied')).toMatchObject({ action: 'rcrequested', reason: 'remote control is off for this group' });
    visitor.send({ type: 'rc', enabled: true });
    expect(await visitor.next('error')).toMatchObject({ code: 'rc' });
  });

  it('[RC2] grant, decline and revoke reach agents and the audit log', async () => {
    const server = await startTestServer();
    const { visitor, agent, welcome } = await session(server, await ticketFor(server), { key: 'rc-flow' });
    visitor.send({ type: 'rc-declined' });
    expect(await agent.next('rc-declined')).toEqual({ type: 'rc-declined' });
    visitor.send({ type: 'rc', enabled: true });
    expect(await agent.next('rc')).toEqual({ type: 'rc', enabled: true, suspended: false });
    visitor.send({ type: 'rc', enabled: true, suspended: true });
    await expect.poll(() => agent.messages.filter((m) => m.type === 'rc').at(-1)).toEqual({ type: 'rc', enabled: true, suspended: true });
    visitor.send({ type: 'rc', enabled: false });
    await expect.poll(() => agent.messages.filter((m) => m.type === 'rc').at(-1)).toEqual({ type: 'rc', enabled: false, suspended: false });
    expect(await auditEvents(server, welcome.key)).toEqual(expect.arrayContaining(['rc.declined', 'rc.granted', 'rc.ended']));
  });

  it('[RC5] actions are refused before the grant and carried after it; the audit never holds typed text', async () => {
    const server = await startTestServer();
    const { visitor, agent, welcome } = await session(server, await ticketFor(server), { key: 'rc-actions' });
    agent.send({ type: 'rc-event', epoch: 1, event: { kind: 'click', target: 12, x: 10, y: 20 } });
    expect(await agent.next('denied')).toEqual({ type: 'denied', action: 'rcevent', reason: 'the visitor has not granted control' });
    visitor.send({ type: 'rc', enabled: true });
    await agent.next('rc');
    agent.send({ type: 'rc-event', epoch: 1, event: { kind: 'text', target: 12, text: 'secret words' } });
    expect(await visitor.next('rc-event')).toMatchObject({ epoch: 1, event: { kind: 'text', target: 12, text: 'secret words' }, agent: { username: 'demo' } });
    agent.send({ type: 'rc-request', enable: false });
    expect(await visitor.next('rc')).toEqual({ type: 'rc', enabled: false, suspended: false });
    const audit = await server.store.listAudit({ sessionKey: welcome.key });
    const action = audit.find((entry) => entry.event === 'rc.action');
    expect(action?.detail).toEqual({ kind: 'text', target: 12, length: 12 });
    expect(JSON.stringify(audit)).not.toContain('secret words');
    expect(audit.map((entry) => entry.event)).toEqual(expect.arrayContaining(['rc.refused', 'rc.action', 'rc.ended']));
  });

  it('[RC3] an agent withdraws an unanswered request; the visitor is told to close its prompt', async () => {
    const server = await startTestServer();
    const { visitor, agent } = await session(server, await ticketFor(server));
    agent.send({ type: 'rc-request', enable: true });
    await visitor.next('rc-request');
    agent.send({ type: 'rc-request', enable: false });
    expect(await visitor.next('rc')).toEqual({ type: 'rc', enabled: false, suspended: false });
    expect(await agent.next('rc')).toEqual({ type: 'rc', enabled: false, suspended: false });
  });

  it('[RC6] a visitor socket can never send agent commands', async () => {
    const server = await startTestServer();
    const { visitor } = await session(server, await ticketFor(server));
    visitor.send({ type: 'rc-event', epoch: 1, event: { kind: 'click', target: 1, x: 0, y: 0 } });
    expect((await visitor.closed).code).toBe(CloseCode.BadMessage);
    const second = await connectVisitor(server, { key: 'navigator' });
    second.client.send({ type: 'navigate', url: '/elsewhere' });
    expect((await second.client.closed).code).toBe(CloseCode.BadMessage);
  });

  it('[RC5] malformed actions are refused at the boundary', async () => {
    const server = await startTestServer();
    const { agent } = await session(server, await ticketFor(server));
    agent.send({ type: 'rc-event', epoch: 1, event: { kind: 'click', target: -4, x: 0, y: 0 } });
    expect((await agent.closed).code).toBe(CloseCode.BadMessage);
  });
});

describe('navigation', () => {
  it('[NV2] untrusted hosts are refused and audited; trusted ones with confirm reach the visitor resolved', async () => {
    const server = await startTestServer();
    await server.store.putSettings('10000', 'staging', { trustedDomains: ['help.example.com'] });
    const { visitor, agent, welcome } = await session(server, await ticketFor(server), { key: 'nav' });
    agent.send({ type: 'navigate', url: 'https://phish.example.net/login', confirm: true });
    expect(await agent.next('denied')).toMatchObject({ action: 'navigate', reason: expect.stringContaining('phish.example.net') });
    agent.send({ type: 'navigate', url: 'https://help.example.com/faq', confirm: true, open: { target: '_blank' } });
    expect(await visitor.next('navigate')).toMatchObject({ url: 'https://help.example.com/faq', confirm: true, open: { target: '_blank' }, agent: { username: 'demo' } });
    agent.send({ type: 'navigate', url: '../orders' });
    expect(await agent.next('denied', agent.messages.findIndex((m) => m.type === 'denied') + 1)).toMatchObject({ reason: expect.stringContaining('confirm') });
    visitor.send({ type: 'rc', enabled: true });
    await agent.next('rc');
    agent.send({ type: 'navigate', url: '../orders' });
    await expect.poll(() => visitor.messages.filter((m) => m.type === 'navigate').at(-1)).toMatchObject({ url: 'https://shop.example.com/orders' });
    agent.send({ type: 'navigate', url: 'back' });
    await expect.poll(() => visitor.messages.filter((m) => m.type === 'navigate').at(-1)).toMatchObject({ url: 'back' });
    expect(await auditEvents(server, welcome.key)).toEqual(expect.arrayContaining(['navigate.refused', 'navigate.sent']));
  });

  it('[NV2] navigation without the privilege is denied', async () => {
    const server = await startTestServer();
    const { agent } = await session(server, await ticketFor(server, 'nonav', { navigate: false }));
    agent.send({ type: 'navigate', url: '/x', confirm: true });
    expect(await agent.next('denied')).toEqual({ type: 'denied', action: 'navigate', reason: 'no navigate privilege' });
  });
});
