/**
 * The `Store` conformance suite (STYLE §5): every implementation runs it, through
 * `describeStore(name, factory)`. The factory returns a fresh, empty store for each test;
 * the suite migrates it and closes it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_SITE_SETTINGS,
  type LiveSession,
  type NewAgent,
  type SiteSettings,
  type Store,
} from '../../src/server/store/store.js';
import { StoreError } from '../../src/server/store/sql-store.js';
import { SecretBox } from '../../src/server/store/secret-box.js';

/** A fresh store and what the suite needs to look behind it. */
export interface StoreUnderTest {
  /** Empty, not yet migrated. */
  store: Store;
  /** The `api_key` column of a group as stored in the database (to check it is sealed). */
  rawApiKey(groupId: string): Promise<string | null>;
  /** Opens the same database again with another secret key (not migrated). */
  reopen(secrets: SecretBox): Store;
  /** Runs after the store is closed. */
  dispose?: () => Promise<void>;
}

/** Makes a fresh, empty store for one test. */
export type StoreFactory = () => Promise<StoreUnderTest>;

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
    let subject: StoreUnderTest;
    let dispose: (() => Promise<void>) | undefined;

    beforeEach(async () => {
      subject = await factory();
      ({ store, dispose } = subject);
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

    it('setMetaIfAbsent keeps the first value, also when writers race', async () => {
      expect(await store.setMetaIfAbsent('csrf_secret', 'first')).toBe('first');
      expect(await store.setMetaIfAbsent('csrf_secret', 'second')).toBe('first');
      expect(await store.getMeta('csrf_secret')).toBe('first');
      const racing = await Promise.all(
        ['a', 'b', 'c', 'd', 'e', 'f'].map((value) => store.setMetaIfAbsent('race', value)),
      );
      expect(new Set(racing).size).toBe(1);
      expect(await store.getMeta('race')).toBe(racing[0]);
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

    describe('API keys', () => {
      const KEY = 'group-api-key-0123456789abcdef';

      it('finds a group by its API key, and no longer by a replaced one', async () => {
        await store.createGroup({ id: '20000', name: 'Bank', apiKey: KEY });
        expect(await store.findGroupByApiKey(KEY)).toMatchObject({ id: '20000', apiKey: KEY });
        expect(await store.findGroupByApiKey(`${KEY}x`)).toBeUndefined();
        expect(await store.findGroupByApiKey('')).toBeUndefined();
        await store.updateGroup('20000', { apiKey: 'the-next-api-key-0123456789' });
        expect(await store.findGroupByApiKey(KEY)).toBeUndefined();
        expect((await store.findGroupByApiKey('the-next-api-key-0123456789'))?.id).toBe('20000');
        await store.updateGroup('20000', { apiKey: null });
        expect(await store.findGroupByApiKey('the-next-api-key-0123456789')).toBeUndefined();
        expect((await store.getGroup('20000'))?.apiKey).toBeNull();
      });

      it('never stores an API key in clear', async () => {
        await store.createGroup({ id: '20000', name: 'Bank', apiKey: KEY });
        const raw = await subject.rawApiKey('20000');
        expect(raw).toBeTypeOf('string');
        expect(raw).not.toContain(KEY);
        await store.updateGroup('20000', { apiKey: 'rotated-api-key-0123456789' });
        expect(await subject.rawApiKey('20000')).not.toContain('rotated-api-key');
        expect(await subject.rawApiKey('10000')).toBeNull();
      });

      it('refuses to give two groups the same API key', async () => {
        await store.createGroup({ id: '20000', name: 'Bank', apiKey: KEY });
        await expect(store.createGroup({ id: '30000', name: 'Shop', apiKey: KEY })).rejects.toThrow(
          /already used by another group/,
        );
        await expect(store.updateGroup('10000', { apiKey: KEY })).rejects.toThrow(
          /already used by another group/,
        );
      });

      it('refuses to start with another secret key than the one the database was set up with', async () => {
        await store.createGroup({ id: '20000', name: 'Bank', apiKey: KEY });
        const other = subject.reopen(SecretBox.random());
        try {
          await expect(other.migrate()).rejects.toThrow(
            /not the secret key this database was set up with/,
          );
        } finally {
          await other.close();
        }
        // The right key still reads it.
        expect((await store.getGroup('20000'))?.apiKey).toBe(KEY);
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

      it('loses no patch when several are written at once', async () => {
        const patches: Partial<SiteSettings>[] = [
          { maskedSelectors: ['#a'] },
          { trustedDomains: ['shop.example.com'] },
          { randomKeyLength: 6 },
          { allowDuplicateKeys: true },
          { allowRemoteControl: false },
          { termsText: 'Terms' },
          { termsUrl: 'https://example.com/terms' },
          { sessionCodeExpiryMinutes: 5 },
        ];
        await Promise.all(patches.map((patch) => store.putSettings('10000', 'production', patch)));
        expect(await store.getSettings('10000', 'production')).toEqual(
          Object.assign({}, DEFAULT_SITE_SETTINGS, ...patches),
        );
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

      it('ends every web session of one agent', async () => {
        const ada = await store.createAgent(newAgent());
        const bob = await store.createAgent(newAgent({ username: 'bob', partnerUserId: 'crm-2' }));
        const session = (idHash: string, agentId: number) => ({
          idHash,
          agentId,
          csrfToken: 'c',
          expiresAt: Date.now() + 60_000,
          createdAt: Date.now(),
        });
        await store.createWebSession(session('a1', ada.id));
        await store.createWebSession(session('a2', ada.id));
        await store.createWebSession(session('b1', bob.id));
        expect(await store.deleteWebSessionsOfAgent(ada.id)).toBe(2);
        expect(await store.getWebSession('a1')).toBeUndefined();
        expect(await store.getWebSession('b1')).toBeDefined();
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
        expect((await store.listAudit({ event: 'agent.joined' })).map((e) => e.agentId)).toEqual([
          2, 1,
        ]);
      });

      it('pages newest first with a cursor, also through entries of the same millisecond', async () => {
        const at = 1_800_000_000_000;
        for (const n of [1, 2, 3]) {
          await store.appendAudit({
            at,
            groupId: '30000',
            event: 'agent.left',
            sessionId: null,
            sessionKey: null,
            agentId: n,
            detail: {},
          });
        }
        const first = await store.listAudit({ groupId: '30000', limit: 2 });
        expect(first.map((e) => e.agentId)).toEqual([3, 2]);
        const last = first[1]!;
        const second = await store.listAudit({
          groupId: '30000',
          limit: 2,
          before: { at: last.at, id: last.id! },
        });
        expect(second.map((e) => e.agentId)).toEqual([1]);
      });
    });
    describe('live sessions', () => {
      const live = (overrides: Partial<LiveSession> = {}): LiveSession => ({
        id: '10000.aaaa',
        nodeId: 'node-a',
        groupId: '10000',
        site: 'staging',
        key: '1234',
        randomKey: true,
        tokenHash: 'ab'.repeat(32),
        visitor: { name: 'Grace', email: 'grace@example.com' },
        startedAt: 1_700_000_000_000,
        state: { rc: { enabled: true, suspended: false }, userState: { cart: [1, 2] } },
        nextSeq: 42,
        everJoined: false,
        updatedAt: 1_700_000_000_500,
        ...overrides,
      });

      it('[RS1] keeps, replaces and forgets live sessions, oldest first', async () => {
        expect(await store.listLiveSessions()).toEqual([]);
        await store.putLiveSession(live({ id: '10000.late', startedAt: 1_700_000_000_900 }));
        await store.putLiveSession(live());
        expect(await store.listLiveSessions()).toEqual([
          live(),
          live({ id: '10000.late', startedAt: 1_700_000_000_900 }),
        ]);
        await store.putLiveSession(
          live({ nextSeq: 2_000_000_000_000, everJoined: true, state: { paused: { paused: true } } }),
        );
        const [first] = await store.listLiveSessions();
        expect(first).toEqual(
          live({ nextSeq: 2_000_000_000_000, everJoined: true, state: { paused: { paused: true } } }),
        );
        await store.deleteLiveSession('10000.aaaa');
        await store.deleteLiveSession('10000.unknown');
        expect((await store.listLiveSessions()).map((s) => s.id)).toEqual(['10000.late']);
      });

      it('[RS3] lists one server\'s sessions, touches them, and deletes only stale ones', async () => {
        await store.putLiveSession(live({ id: '10000.a1', updatedAt: 1_000 }));
        await store.putLiveSession(live({ id: '10000.a2', updatedAt: 5_000, startedAt: 1_700_000_000_001 }));
        await store.putLiveSession(live({ id: '10000.b1', nodeId: 'node-b', updatedAt: 1_000 }));
        expect((await store.listLiveSessions('node-a')).map((s) => s.id)).toEqual(['10000.a1', '10000.a2']);
        expect((await store.listLiveSessions('node-c')).map((s) => s.id)).toEqual([]);

        await store.touchLiveSessions('node-a', 2_000_000_000_000);
        expect((await store.listLiveSessions('node-a')).map((s) => s.updatedAt)).toEqual([
          2_000_000_000_000, 2_000_000_000_000,
        ]);
        const stale = await store.deleteStaleLiveSessions(2_000);
        expect(stale.map((s) => [s.id, s.nodeId])).toEqual([['10000.b1', 'node-b']]);
        expect((await store.listLiveSessions()).map((s) => s.id)).toEqual(['10000.a1', '10000.a2']);
        expect(await store.deleteStaleLiveSessions(2_000)).toEqual([]);
      });

      it('[RS1] ignores a live session of an unknown group', async () => {
        await store.putLiveSession(live({ id: '99999.x', groupId: '99999' }));
        expect(await store.listLiveSessions()).toEqual([]);
      });
    });
  });
}
