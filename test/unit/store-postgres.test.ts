/**
 * The store conformance suite on PostgreSQL. Each test gets a fresh schema of its own in
 * the `test` database (dropped afterwards), so parallel runs never meet.
 *
 * Where PostgreSQL is: `TEST_DATABASE_URL`, default postgres://postgres@127.0.0.1:5432/test.
 * When it cannot be reached the suite is skipped with the reason printed — unless `CI` is
 * set: there PostgreSQL is part of the test environment and the suite must run (and fail).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/server/store/postgres.js';
import { SecretBox } from '../../src/server/store/secret-box.js';
import { openStore } from '../../src/server/store/open-store.js';
import { describeStore } from './store-suite.js';

const DATABASE_URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const REQUIRED = ['1', 'true'].includes((process.env['CI'] ?? '').toLowerCase());

/** Why PostgreSQL cannot be used, or undefined when it can. */
async function unreachableReason(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return `${DATABASE_URL.replace(/:[^:@/]*@/, ':***@')}: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => {});
  }
}

const reason = await unreachableReason();
if (reason !== undefined && !REQUIRED) {
  process.stderr.write(`\n[store-postgres] PostgreSQL suite skipped: no PostgreSQL (${reason})\n`);
}
const describePostgres = reason !== undefined && !REQUIRED ? describe.skip : describe;

/** Runs `sql` on a short-lived connection to the test database. */
async function admin(sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A new empty schema, and how to drop it. */
async function freshSchema(): Promise<{ schema: string; drop: () => Promise<void> }> {
  const schema = `oc_test_${process.pid}_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE SCHEMA ${schema}`);
  return { schema, drop: async () => void (await admin(`DROP SCHEMA ${schema} CASCADE`)) };
}

describePostgres(`PostgreSQL (${reason ?? 'reachable'})`, () => {
  describeStore('PostgreSQL', async () => {
    const { schema, drop } = await freshSchema();
    const secrets = SecretBox.random();
    return {
      store: openPostgresStore(DATABASE_URL, { secrets, schema }),
      rawApiKey: async (groupId) => {
        const result = await admin(
          `SELECT api_key FROM ${schema}.groups WHERE id = '${groupId.replace(/'/g, "''")}'`,
        );
        return (result.rows[0] as { api_key: string | null } | undefined)?.api_key ?? null;
      },
      reopen: (other) => openPostgresStore(DATABASE_URL, { secrets: other, schema }),
      dispose: drop,
    };
  });

  describe('PostgreSQL specifics', () => {
    it('reads bigint timestamps as numbers and migrates once when two servers start together', async () => {
      const { schema, drop } = await freshSchema();
      const secrets = SecretBox.random();
      const a = openPostgresStore(DATABASE_URL, { secrets, schema });
      const b = openPostgresStore(DATABASE_URL, { secrets, schema });
      try {
        await Promise.all([a.migrate(), b.migrate()]);
        const group = await a.createGroup({ id: '10000', name: 'Demo', apiKey: null });
        expect(typeof group.createdAt).toBe('number');
        expect((await b.getGroup('10000'))?.createdAt).toBe(group.createdAt);
        const tables = await admin(
          `SELECT table_name FROM information_schema.tables WHERE table_schema = '${schema}' ORDER BY 1`,
        );
        expect(tables.rows.map((row: { table_name: string }) => row.table_name)).toEqual(
          expect.arrayContaining(['agents', 'audit_log', 'groups', 'meta', 'site_settings']),
        );
      } finally {
        await a.close();
        await b.close();
        await drop();
      }
    });

    it('migrates in its own schema while another schema of the database has Kysely migration tables', async () => {
      const first = await freshSchema();
      const second = await freshSchema();
      const secrets = SecretBox.random();
      const a = openPostgresStore(DATABASE_URL, { secrets, schema: first.schema });
      const b = openPostgresStore(DATABASE_URL, { secrets, schema: second.schema });
      try {
        await a.migrate();
        await b.migrate();
        await b.createGroup({ id: '10000', name: 'B', apiKey: null });
        const tables = await admin(
          `SELECT table_name FROM information_schema.tables WHERE table_schema = '${second.schema}' AND table_name LIKE 'kysely_%' ORDER BY 1`,
        );
        expect(tables.rows.map((row: { table_name: string }) => row.table_name)).toEqual([
          'kysely_migration',
          'kysely_migration_lock',
        ]);
        expect(await a.getGroup('10000')).toBeUndefined();
      } finally {
        await a.close();
        await b.close();
        await first.drop();
        await second.drop();
      }
    });

    it('openStore refuses a server whose secret key differs from the database’s, naming the fix', async () => {
      const { schema, drop } = await freshSchema();
      const url = `${DATABASE_URL}${DATABASE_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      const key = (byte: string) => byte.repeat(64);
      try {
        const first = await openStore({
          dataDir: '/nonexistent-unused',
          databaseUrl: url,
          secretKey: key('a'),
        });
        await first.close();
        await expect(
          openStore({ dataDir: '/nonexistent-unused', databaseUrl: url, secretKey: key('b') }),
        ).rejects.toThrow(
          /COBROWSE_SECRET_KEY is not the secret key this database was set up with/,
        );
      } finally {
        await drop();
      }
    });
  });
});

describe('unreachable PostgreSQL', () => {
  it('openStore says which database it could not reach, without the password', async () => {
    await expect(
      openStore({
        dataDir: '/nonexistent-unused',
        databaseUrl: 'postgres://someone:hunter2@127.0.0.1:1/nowhere',
        secretKey: 'c'.repeat(64),
      }),
    ).rejects.toThrow(
      /^cannot connect to PostgreSQL postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/nowhere/,
    );
  });
});
