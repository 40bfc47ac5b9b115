import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgentAuthenticator } from '../../src/server/auth/agent-authenticator.js';
import { TICKET_TTL_MS, TicketSigner, loadOrCreateSecret } from '../../src/server/auth/tickets.js';
import { openSqliteStore } from '../../src/server/store/sqlite.js';
import type { Store } from '../../src/server/store/store.js';

describe('viewer tickets', () => {
  const secret = randomBytes(32);

  it('verifies a ticket it issued and returns its claims', () => {
    let now = 1_000_000;
    const signer = new TicketSigner(secret, { now: () => now });
    const ticket = signer.issueTicket({ agentId: 7, groupId: '10000' });
    expect(ticket).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(signer.verifyTicket(ticket)).toEqual({
      agentId: 7,
      groupId: '10000',
      expiresAt: now + TICKET_TTL_MS,
    });
    now += TICKET_TTL_MS - 1;
    expect(signer.verifyTicket(ticket)).not.toBeNull();
  });

  it('refuses an expired ticket (12 h)', () => {
    let now = 1_000_000;
    const signer = new TicketSigner(secret, { now: () => now });
    const ticket = signer.issueTicket({ agentId: 7, groupId: '10000' });
    now += TICKET_TTL_MS;
    expect(signer.verifyTicket(ticket)).toBeNull();
  });

  it('refuses a tampered payload or signature', () => {
    const signer = new TicketSigner(secret);
    const ticket = signer.issueTicket({ agentId: 7, groupId: '10000' });
    const [payload, signature] = ticket.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    const forged = Buffer.from(JSON.stringify({ ...claims, a: 1 })).toString('base64url');
    expect(signer.verifyTicket(`${forged}.${signature}`)).toBeNull();
    const flipped = signature.startsWith('A') ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
    expect(signer.verifyTicket(`${payload}.${flipped}`)).toBeNull();
    expect(signer.verifyTicket(payload)).toBeNull();
    expect(signer.verifyTicket('')).toBeNull();
    expect(signer.verifyTicket('x'.repeat(5000))).toBeNull();
  });

  it('refuses a ticket signed with another secret', () => {
    const ticket = new TicketSigner(randomBytes(32)).issueTicket({ agentId: 7, groupId: '10000' });
    expect(new TicketSigner(secret).verifyTicket(ticket)).toBeNull();
  });

  it('refuses short secrets', () => {
    expect(() => new TicketSigner(randomBytes(16))).toThrow(/at least 32 bytes/);
  });
});

describe('agent authentication for the relay', () => {
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'oc-auth-'));
    store = openSqliteStore(path.join(dir, 'db.sqlite'));
    await store.migrate();
    await store.createGroup({ id: '10000', name: 'Demo', apiKey: null });
    await store.createGroup({ id: '20000', name: 'Other', apiKey: null });
  });

  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps one ticket secret per installation', async () => {
    const first = await loadOrCreateSecret(store, 'ticket_secret');
    expect(first.length).toBe(32);
    expect((await loadOrCreateSecret(store, 'ticket_secret')).equals(first)).toBe(true);
  });

  it('resolves a ticket to the stored agent and refuses disabled, deleted or moved agents', async () => {
    const agent = await store.createAgent({
      groupId: '10000',
      username: 'ada',
      displayName: 'Ada',
      email: '',
      title: 'Support',
      partnerUserId: 'crm-1',
      passwordHash: null,
      role: 'agent',
      privileges: { view: true, remoteControl: true, navigate: false, screenShare: false },
      disabled: false,
    });
    const signer = new TicketSigner(await loadOrCreateSecret(store, 'ticket_secret'));
    const authenticate = createAgentAuthenticator(store, signer);
    const ticket = signer.issueTicket({ agentId: agent.id, groupId: '10000' });

    expect(await authenticate(ticket)).toEqual({
      agentId: agent.id,
      groupId: '10000',
      username: 'ada',
      name: 'Ada',
      title: 'Support',
      partnerUserId: 'crm-1',
      role: 'agent',
      privileges: { view: true, remoteControl: true, navigate: false, screenShare: false },
    });
    expect(await authenticate('not-a-ticket')).toBeNull();

    await store.updateAgent(agent.id, { groupId: '20000' });
    expect(await authenticate(ticket)).toBeNull();
    await store.updateAgent(agent.id, { groupId: '10000', disabled: true });
    expect(await authenticate(ticket)).toBeNull();
    await store.updateAgent(agent.id, { disabled: false });
    expect(await authenticate(ticket)).not.toBeNull();
    await store.deleteAgent(agent.id);
    expect(await authenticate(ticket)).toBeNull();
  });
});
