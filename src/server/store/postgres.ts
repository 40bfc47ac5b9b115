/**
 * The cluster store: PostgreSQL through `pg` (DESIGN §3.8). Everything but opening the
 * pool is `SqlStore`, shared with SQLite; the migrations are the same.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import type { SecretBox } from './secret-box.js';
import { SqlStore } from './sql-store.js';

/** OID of PostgreSQL's int8 (`bigint`). */
const INT8_OID = 20;
/** How long opening a connection may take before the query fails, ms. */
const CONNECT_TIMEOUT_MS = 10_000;

/** Options of `openPostgresStore`. */
export interface PostgresStoreOptions {
  /** Seals API keys at rest; every server of one database needs the same one. */
  secrets: SecretBox;
  /** Where `secrets` came from, for error messages. */
  secretSource?: string;
  /**
   * Schema to work in (it must exist): the connections' `search_path` is set to it alone at
   * connection start-up. Default none: the connection's own search path (usually `public`).
   * Tests use a fresh one each, so parallel runs never meet.
   */
  schema?: string;
  /** Most connections in the pool. Default 10. */
  maxConnections?: number;
  /** Called when an idle pooled connection fails (the pool replaces it). Default: ignored. */
  onIdleError?: (error: Error) => void;
}

/** Whether `url` names a PostgreSQL database (`postgres://` or `postgresql://`). */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** `url` without its password, for logs and messages. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable database URL)';
  }
}

/** A schema name we are willing to interpolate into SQL. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Opens a pool on the PostgreSQL database at `url` (a `postgres://` connection string, as
 * `pg` understands it). Nothing connects until the first query; call `migrate()` first.
 */
export function openPostgresStore(url: string, options: PostgresStoreOptions): SqlStore {
  const schema = options.schema;
  if (schema !== undefined && !SCHEMA_NAME.test(schema))
    throw new Error(`invalid PostgreSQL schema name "${schema}"`);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // Set by the server at connection start-up, before any query can run elsewhere.
    ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
    // Timestamps are int8 milliseconds: read them as numbers (they fit in 2^53), for this
    // pool only, without changing pg's global parsers for anyone else in the process.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary'
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // Without a listener an idle connection's error (server restart) would crash the process.
  pool.on('error', (error) => options.onIdleError?.(error));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return new SqlStore(db, 'postgres', options.secrets, options.secretSource);
}
