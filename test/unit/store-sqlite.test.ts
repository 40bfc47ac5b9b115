import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/server/store/sqlite.js';
import { SECRET_KEY_FILE_NAME } from '../../src/server/store/secret-box.js';
import { describeStore } from './store-suite.js';

describeStore('SQLite file', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'oc-store-'));
  const file = path.join(dir, 'nested', 'opencobrowse.sqlite');
  return {
    store: openSqliteStore(file),
    rawApiKey: async (groupId) => {
      const raw = new BetterSqlite3(file, { readonly: true });
      try {
        const row = raw.prepare('SELECT api_key FROM groups WHERE id = ?').get(groupId) as
          { api_key: string | null } | undefined;
        return row?.api_key ?? null;
      } finally {
        raw.close();
      }
    },
    reopen: (secrets) => openSqliteStore(file, { secrets }),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('SQLite specifics', () => {
  it('keeps data across reopening the file, in WAL mode', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'oc-store-'));
    const file = path.join(dir, 'opencobrowse.sqlite');
    try {
      const first = openSqliteStore(file);
      await first.migrate();
      await first.createGroup({ id: '10000', name: 'Demo', apiKey: 'k' });
      await first.putSettings('10000', 'staging', { maskedSelectors: ['#a'] });
      await first.close();
      await first.close(); // idempotent

      const second = openSqliteStore(file);
      await second.migrate();
      expect(await second.getGroup('10000')).toMatchObject({ name: 'Demo', apiKey: 'k' });
      expect((await second.getSettings('10000', 'staging')).maskedSelectors).toEqual(['#a']);
      await second.close();
      const raw = new BetterSqlite3(file, { readonly: true });
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      raw.close();
      // The secret key sits beside the database, readable by its owner only.
      const key = await readFile(path.join(dir, SECRET_KEY_FILE_NAME), 'utf8');
      expect(key.trim()).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('seals API keys that an older version stored in clear', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'oc-store-'));
    const file = path.join(dir, 'opencobrowse.sqlite');
    try {
      const first = openSqliteStore(file);
      await first.migrate();
      await first.close();
      // A row as the first release wrote it, before migration 0002: the key in clear, no hash.
      const raw = new BetterSqlite3(file);
      raw.exec(`INSERT INTO groups (id, name, api_key, api_key_hash, created_at)
                VALUES ('20000', 'Old', 'legacy-clear-api-key-0123', NULL, 1)`);
      raw.close();

      const upgraded = openSqliteStore(file);
      await upgraded.migrate();
      expect((await upgraded.getGroup('20000'))?.apiKey).toBe('legacy-clear-api-key-0123');
      expect((await upgraded.findGroupByApiKey('legacy-clear-api-key-0123'))?.id).toBe('20000');
      await upgraded.close();
      const check = new BetterSqlite3(file, { readonly: true });
      const row = check.prepare("SELECT api_key FROM groups WHERE id = '20000'").get() as {
        api_key: string;
      };
      check.close();
      expect(row.api_key).not.toContain('legacy-clear-api-key');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
