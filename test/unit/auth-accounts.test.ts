/**
 * The rules of administration (`Accounts`), whichever door is used: a group key acts on
 * its group only and never on administrators, an installation keeps an administrator,
 * roles narrow privileges, and every change is in the audit log. Real SQLite in memory.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultPrivileges, type NewAgentInput } from '../../src/server/auth/account-schemas.js';
import { AccountError, Accounts, type Actor } from '../../src/server/auth/accounts.js';
import { effectivePrivileges, toAgentIdentity } from '../../src/server/auth/agent-authenticator.js';
import { verifyPassword } from '../../src/server/auth/password.js';
import { verifyLoginKey } from '../../src/server/auth/login-key.js';
import type { SqlStore } from '../../src/server/store/sql-store.js';
import { openSqliteStore } from '../../src/server/store/sqlite.js';

const ADMIN: Actor = { kind: 'admin', agentId: 1, username: 'root' };
const KEY_A: Actor = { kind: 'api-key', groupId: '10000' };

function agentInput(overrides: Partial<NewAgentInput> = {}): NewAgentInput {
  return {
    username: 'ada',
    displayName: 'Ada',
    email: '',
    title: '',
    partnerUserId: '',
    password: null,
    role: 'agent',
    disabled: false,
    ...overrides,
  };
}

async function refusal(promise: Promise<unknown>): Promise<AccountError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AccountError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('Accounts', () => {
  let store: SqlStore;
  let accounts: Accounts;

  beforeEach(async () => {
    store = openSqliteStore(':memory:');
    await store.migrate();
    accounts = new Accounts(store, { now: () => 1_700_000_000_000 });
    await store.createGroup({ id: '10000', name: 'A', apiKey: 'group-a-api-key-0123456789' });
    await store.createGroup({ id: '20000', name: 'B', apiKey: 'group-b-api-key-0123456789' });
    await accounts.createAgent(
      { kind: 'cli' },
      '10000',
      agentInput({ username: 'root', role: 'admin' }),
    );
  });

  afterEach(async () => {
    await store.close();
  });

  it('lets a group key see and change only its own group, answering "not found" for others', async () => {
    expect((await accounts.listGroups(KEY_A)).map((g) => g.id)).toEqual(['10000']);
    const other = await accounts.createAgent(ADMIN, '20000', agentInput({ username: 'bob' }));
    for (const attempt of [
      accounts.group(KEY_A, '20000'),
      accounts.settings(KEY_A, '20000', 'staging'),
      accounts.putSettings(KEY_A, '20000', 'staging', { randomKeyLength: 6 }),
      accounts.createAgent(KEY_A, '20000', agentInput({ username: 'eve' })),
      accounts.agent(KEY_A, other.id),
      accounts.updateAgent(KEY_A, other.id, { disabled: true }),
      accounts.deleteAgent(KEY_A, other.id),
      accounts.rotateApiKey(KEY_A, '20000'),
      accounts.issueLoginKey(KEY_A, '20000', 'x', 60),
      accounts.listAudit(KEY_A, { groupId: '20000' }),
    ]) {
      const error = await refusal(attempt);
      expect(error.code).toBe('not-found');
    }
    expect((await store.getAgent(other.id))?.disabled).toBe(false);
    expect((await accounts.listAgents(KEY_A)).map((a) => a.username)).toEqual(['root']);
  });

  it('keeps a group key away from administrators', async () => {
    expect((await refusal(accounts.createGroup(KEY_A, { id: '30000', name: 'C' }))).code).toBe(
      'forbidden',
    );
    expect(
      (await refusal(accounts.createAgent(KEY_A, '10000', agentInput({ role: 'admin' })))).field,
    ).toBe('role');
    const root = (await store.findAgentByUsername('root'))!;
    expect(
      (await refusal(accounts.updateAgent(KEY_A, root.id, { password: 'new-password-123' }))).code,
    ).toBe('forbidden');
    expect((await refusal(accounts.deleteAgent(KEY_A, root.id))).code).toBe('forbidden');
    const ada = await accounts.createAgent(KEY_A, '10000', agentInput());
    expect((await refusal(accounts.updateAgent(KEY_A, ada.id, { role: 'admin' }))).code).toBe(
      'forbidden',
    );
  });

  it('never leaves the installation without an enabled administrator', async () => {
    const root = (await store.findAgentByUsername('root'))!;
    for (const patch of [{ disabled: true }, { role: 'viewer' as const }]) {
      expect((await refusal(accounts.updateAgent(ADMIN, root.id, patch))).message).toBe(
        'cannot disable or demote root: it is the last enabled administrator',
      );
    }
    expect((await refusal(accounts.deleteAgent({ kind: 'cli' }, root.id))).message).toMatch(
      /last enabled administrator/,
    );
    // With a second administrator, the first may go.
    await accounts.createAgent(ADMIN, '20000', agentInput({ username: 'second', role: 'admin' }));
    await accounts.updateAgent(ADMIN, root.id, { disabled: true });
    expect((await store.getAgent(root.id))?.disabled).toBe(true);
  });

  it('hashes passwords, and ends web sessions when a password changes or an agent is disabled', async () => {
    const ada = await accounts.createAgent(
      ADMIN,
      '10000',
      agentInput({ password: 'first-password-1' }),
    );
    const stored = (await store.getAgent(ada.id))!;
    expect(stored.passwordHash).not.toContain('first-password-1');
    expect(await verifyPassword('first-password-1', stored.passwordHash!)).toBe(true);
    const live = {
      agentId: ada.id,
      csrfToken: 't',
      expiresAt: Date.now() + 60_000,
      createdAt: Date.now(),
    };
    await store.createWebSession({ ...live, idHash: 'one' });
    await accounts.updateAgent(ADMIN, ada.id, { title: 'Lead' });
    expect(await store.getWebSession('one')).toBeDefined();
    await accounts.updateAgent(ADMIN, ada.id, { password: 'second-password-2' });
    expect(await store.getWebSession('one')).toBeUndefined();
    await store.createWebSession({ ...live, idHash: 'two' });
    await accounts.updateAgent(ADMIN, ada.id, { disabled: true });
    expect(await store.getWebSession('two')).toBeUndefined();
    await accounts.updateAgent(ADMIN, ada.id, { password: null });
    expect((await store.getAgent(ada.id))?.passwordHash).toBeNull();
  });

  it('gives privileges by role unless told otherwise, and a viewer only ever views', async () => {
    const agent = await accounts.createAgent(ADMIN, '10000', agentInput());
    expect(agent.privileges).toEqual(defaultPrivileges('agent'));
    const viewer = await accounts.createAgent(
      ADMIN,
      '10000',
      agentInput({
        username: 'v',
        role: 'viewer',
        privileges: { remoteControl: true, navigate: true },
      }),
    );
    expect(viewer.privileges).toMatchObject({ view: true, remoteControl: true });
    // What the relay gets: the role narrows what was ticked.
    expect(toAgentIdentity(viewer).privileges).toEqual({
      view: true,
      remoteControl: false,
      navigate: false,
      screenShare: false,
    });
    expect(
      effectivePrivileges({
        role: 'agent',
        privileges: { ...viewer.privileges, screenShare: true },
      }),
    ).toEqual({
      view: true,
      remoteControl: true,
      navigate: true,
      screenShare: true,
    });
  });

  it('generates API keys, rotates them, and issues login keys the group key verifies', async () => {
    const { group, apiKey } = await accounts.createGroup(ADMIN, { id: '30000', name: 'C' });
    expect(apiKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await store.findGroupByApiKey(apiKey))?.id).toBe(group.id);
    const rotated = await accounts.rotateApiKey(ADMIN, '30000');
    expect(rotated.apiKey).not.toBe(apiKey);
    expect(await store.findGroupByApiKey(apiKey)).toBeUndefined();

    await accounts.createAgent(
      ADMIN,
      '30000',
      agentInput({ username: 'crm', partnerUserId: 'crm-9' }),
    );
    const issued = await accounts.issueLoginKey(ADMIN, '30000', 'crm-9', 600);
    expect(issued.expires).toBe(1_700_000_000 + 600);
    expect(
      verifyLoginKey(
        issued.loginKey,
        { partnerId: '30000', partnerUserId: 'crm-9', apiKey: rotated.apiKey },
        1_700_000_000_000,
      ),
    ).toEqual({ ok: true, expires: issued.expires });
    await store.updateGroup('30000', { apiKey: null });
    expect((await refusal(accounts.issueLoginKey(ADMIN, '30000', 'crm-9', 600))).code).toBe(
      'conflict',
    );
  });

  it('writes every change to the audit log with who made it', async () => {
    await accounts.putSettings(KEY_A, '10000', 'staging', {
      maskedSelectors: ['#x'],
      randomKeyLength: 5,
    });
    const ada = await accounts.createAgent(ADMIN, '10000', agentInput());
    await accounts.updateAgent({ kind: 'cli' }, ada.id, {
      password: 'new-password-123',
      title: 'T',
    });
    await accounts.deleteAgent(ADMIN, ada.id);
    const entries = await store.listAudit({ groupId: '10000' });
    expect(entries.map((e) => [e.event, e.agentId, e.detail['by']])).toEqual([
      ['admin.agent_deleted', 1, 'admin root'],
      ['admin.agent_updated', null, 'command line'],
      ['admin.agent_created', 1, 'admin root'],
      ['admin.settings_changed', null, 'API key of group 10000'],
      ['admin.agent_created', null, 'command line'],
    ]);
    expect(entries[1]?.detail['fields']).toEqual(['password', 'title']);
    expect(JSON.stringify(entries)).not.toContain('new-password-123');
  });
});
