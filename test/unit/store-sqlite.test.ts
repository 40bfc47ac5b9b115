import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/server/store/sqlite.js';
import { describeStore } from './store-suite.js';

describeStore('SQLite file', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'oc-store-'));
  return {
    store: openSqliteStore(path.join(dir, 'nested', 'opencobrowse.sqlite')),
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
      const { default: Database } = await import('better-sqlite3');
      const raw = new Database(file, { readonly: true });
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      raw.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
