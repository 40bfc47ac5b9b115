/**
 * The `Store` conformance suite (STYLE §5): every implementation runs it, through
 * `describeStore(name, factory)`. The factory returns a fresh, empty store for each test;
 * the suite migrates it and closes it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SITE_SETTINGS, type NewAgent, type Store } from '../../src/server/store/store.js';
import { StoreError } from '../../src/server/store/sql-store.js';

/** Makes a fresh, empty (not yet migrated) store; `dispose` runs after the store is closed. */
export type StoreFactory = () => Promise<{ store: Store; dispose?: () => Promise<void> }>;

const ALL = { view: true, remoteControl: true, navigate: true, screenShare: true };

function newAgent(overrides: Partial<NewAgent> = {}): NewAgent {
  return {
    groupId: '10000',
    username: 'ada',
    displayName: 'Ada Lovelace',
    email: 'ada@example.com',
    title: 'Support',
    partnerUserId: 'crm-1',
    passwordHash: 'scrypt$hash',
    role: 'agent',
    privileges: ALL,
    disabled: false,
    ...overrides,
  };
}

/** Registers the conformance tests for one `Store` implementation. */
export function describeStore(name: string, factory: StoreFactory): void {
  describe(`Store conformance: ${name}`, () => {
    let store: Store;
    let dispose: (() => Promise<void>) | undefined;

    beforeEach(async () => {
      ({ store, dispose } = await factory());
      await store.migrate();
      await store.createGroup({ id: '10000', name: 'Demo', apiKey: null });
    });

    afterEach(async () => {
      await store.close();
      await dispose?.();
    });

    it('migrate() twice is harmless', async () => {
      await store.migrate();
      expect(await store.getGroup('10000')).toMatchObject({ id: '10000', name: 'Demo' });
    });

    it('keeps meta values and overwrites them', async () => {
      expect(await store.getMeta('ticket_secret')).toBeUndefined();
      await store.setMeta('ticket_secret', 'one');
      await store.setMeta('ticket_secret', 'two');
      expect(await store.getMeta('ticket_secret')).toBe('two');
    });

    describe('groups', () => {
      it('creates, lists, reads and updates groups', async () => {
        const before = Date.now();
        const created = await store.createGroup({ id: '20000', name: 'Bank', apiKey: 'secret' });
        expect(created).toMatchObject({ id: '20000', name: 'Bank', apiKey: 'secret' });
        expect(created.createdAt).toBeGreaterThanOrEqual(before);
        expect((await store.listGroups()).map((g) => g.id)).toEqual(['10000', '20000']);
        expect(await store.updateGroup('20000', { name: 'Bank two', apiKey: null })).toMatchObject({
          name: 'Bank two',
          apiKey: null,
        });
        expect(await store.getGroup('20000')).toEqual({
          ...created,
          name: 'Bank two',
          apiKey: null,
        });
      });

      it('refuses a second group with the same id', async () => {
        await expect(
          store.createGroup({ id: '10000', name: 'Again', apiKey: null }),
        ).rejects.toThrow(StoreError);
      });

      it('answers undefined for unknown groups', async () => {
        expect(await store.getGroup('99999')).toBeUndefined();
        expect(await store.updateGroup('99999', { name: 'x' })).toBeUndefined();
      });
    });

    describe('settings', () => {
      it('gives the defaults for a group never configured', async () => {
        expect(await store.getSettings('10000', 'staging')).toEqual(DEFAULT_SITE_SETTINGS);
      });

      it('merges patches into the stored settings, per site', async () => {
        await store.putSettings('10000', 'staging', { maskedSelectors: ['#account-number'] });
        const merged = await store.putSettings('10000', 'staging', { randomKeyLength: 6 });
        expect(merged).toEqual({
          ...DEFAULT_SITE_SETTINGS,
          maskedSelectors: ['#account-number'],
          randomKeyLength: 6,
        });
        expect(await store.getSettings('10000', 'staging')).toEqual(merged);
        expect(await store.getSettings('10000', 'production')).toEqual(DEFAULT_SITE_SETTINGS);
      });

      it('never hands out the shared defaults object', async () => {
        const settings = await store.getSettings('10000', 'production');
        settings.maskedSelectors.push('#changed');
        expect(DEFAULT_SITE_SETTINGS.maskedSelectors).toEqual([]);
      });

      it('refuses settings for an unknown group', async () => {
        await expect(store.putSettings('99999', 'staging', { randomKeyLength: 5 })).rejects.toThrow(
          /no group 99999/,
        );
      });
    });

    describe('agents', () => {
      it('creates and finds agents by id, username and partner user id', async () => {
        const agent = await store.createAgent(newAgent());
        expect(agent).toMatchObject({ ...newAgent(), id: expect.any(Number) });
        expect(await store.getAgent(agent.id)).toEqual(agent);
        expect(await store.findAgentByUsername('ada')).toEqual(agent);
        expect(await store.findAgentByPartnerUserId('10000', 'crm-1')).toEqual(agent);
        expect(await store.findAgentByPartnerUserId('20000', 'crm-1')).toBeUndefined();
        expect(await store.findAgentByUsername('nobody')).toBeUndefined();
      });

      it('refuses a username that is taken, even in another group', async () => {
        await store.createGroup({ id: '20000', name: 'Bank', apiKey: null });
        await store.createAgent(newAgent());
        await expect(
          store.createAgent(newAgent({ groupId: '20000', partnerUserId: 'crm-2' })),
        ).rejects.toThrow(/username "ada" is taken/);
      });

      it('refuses a partner user id used twice in one group, but not an empty one', async () => {
        await store.createAgent(newAgent());
        await expect(store.createAgent(newAgent({ username: 'bob' }))).rejects.toThrow(StoreError);
        await store.createAgent(newAgent({ username: 'carol', partnerUserId: '' }));
        await store.createAgent(newAgent({ username: 'dave', partnerUserId: '' }));
        expect(await store.findAgentByPartnerUserId('10000', '')).toBeUndefined();
      });

      it('refuses an agent of an unknown group', async () => {
        await expect(store.createAgent(newAgent({ groupId: '99999' }))).rejects.toThrow(
          /no group 99999/,
        );
      });

      it('updates only the fields given and lists by group', async () => {
        await store.createGroup({ id: '20000', name: 'Bank', apiKey: null });
        const ada = await store.createAgent(newAgent());
        await store.createAgent(
          newAgent({ groupId: '20000', username: 'bob', partnerUserId: 'crm-2' }),
        );
        const updated = await store.updateAgent(ada.id, {
          disabled: true,
          role: 'viewer',
          privileges: { ...ALL, remoteControl: false },
        });
        expect(updated).toEqual({
          ...ada,
          disabled: true,
          role: 'viewer',
          privileges: { ...ALL, remoteControl: false },
        });
        expect((await store.listAgents('10000')).map((a) => a.username)).toEqual(['ada']);
        expect((await store.listAgents()).map((a) => a.username)).toEqual(['ada', 'bob']);
        expect(await store.updateAgent(9999, { title: 'x' })).toBeUndefined();
      });

      it('deletes agents and their web sessions', async () => {
        const ada = await store.createAgent(newAgent());
        await store.createWebSession({
          idHash: 'h1',
          agentId: ada.id,
          csrfToken: 't',
          expiresAt: Date.now() + 1000,
          createdAt: Date.now(),
        });
        expect(await store.deleteAgent(ada.id)).toBe(true);
        expect(await store.deleteAgent(ada.id)).toBe(false);
        expect(await store.getAgent(ada.id)).toBeUndefined();
        expect(await store.getWebSession('h1')).toBeUndefined();
      });
    });

    describe('web sessions', () => {
      it('stores, reads, deletes and expires web sessions', async () => {
        const ada = await store.createAgent(newAgent());
        const now = Date.now();
        const live = {
          idHash: 'live',
          agentId: ada.id,
          csrfToken: 'c1',
          expiresAt: now + 60_000,
          createdAt: now,
        };
        const old = {
          idHash: 'old',
          agentId: ada.id,
          csrfToken: 'c2',
          expiresAt: now - 1,
          createdAt: now - 60_000,
        };
        await store.createWebSession(live);
        await store.createWebSession(old);
        expect(await store.getWebSession('live')).toEqual(live);
        expect(await store.deleteExpiredWebSessions(now)).toBe(1);
        expect(await store.getWebSession('old')).toBeUndefined();
        await store.deleteWebSession('live');
        expect(await store.getWebSession('live')).toBeUndefined();
      });
    });

    describe('audit log', () => {
      beforeEach(async () => {
        const base = 1_700_000_000_000;
        const entries = [
          {
            at: base,
            groupId: '10000',
            event: 'session.started',
            sessionKey: '1234',
            agentId: null,
          },
          {
            at: base + 10,
            groupId: '10000',
            event: 'agent.joined',
            sessionKey: '1234',
            agentId: 1,
          },
          {
            at: base + 20,
            groupId: '10000',
            event: 'agent.joined',
            sessionKey: '5678',
            agentId: 2,
          },
          { at: base + 30, groupId: '20000', event: 'agent.login', sessionKey: null, agentId: 3 },
        ] as const;
        for (const entry of entries) {
          await store.appendAudit({
            ...entry,
            sessionId: entry.sessionKey && `s-${entry.sessionKey}`,
            detail: { n: entry.at - base },
          });
        }
      });

      it('lists newest first with details intact', async () => {
        const all = await store.listAudit({});
        expect(all.map((e) => e.detail['n'])).toEqual([30, 20, 10, 0]);
        expect(all[3]).toMatchObject({
          event: 'session.started',
          sessionId: 's-1234',
          sessionKey: '1234',
          agentId: null,
        });
      });

      it('filters by group, agent, key and time range, and limits', async () => {
        const base = 1_700_000_000_000;
        expect((await store.listAudit({ groupId: '10000' })).length).toBe(3);
        expect((await store.listAudit({ agentId: 2 })).map((e) => e.sessionKey)).toEqual(['5678']);
        expect((await store.listAudit({ sessionKey: '1234' })).map((e) => e.event)).toEqual([
          'agent.joined',
          'session.started',
        ]);
        expect(
          (await store.listAudit({ from: base + 10, to: base + 20 })).map((e) => e.detail['n']),
        ).toEqual([20, 10]);
        expect(
          (await store.listAudit({ groupId: '10000', limit: 1 })).map((e) => e.detail['n']),
        ).toEqual([20]);
      });
    });
  });
}
