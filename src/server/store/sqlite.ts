/**
 * The embedded store: one SQLite file through better-sqlite3, needing nothing installed
 * (DESIGN §3.8). Everything but opening the file is `SqlStore`, shared with PostgreSQL.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';
import { SecretBox, loadSecretKey } from './secret-box.js';
import { SqlStore } from './sql-store.js';

/** File name of the store inside the data directory. */
export const SQLITE_FILE_NAME = 'opencobrowse.sqlite';

/** How long a write waits for another process holding the database lock, ms. */
const BUSY_TIMEOUT_MS = 5_000;

/** Options of `openSqliteStore`. */
export interface SqliteStoreOptions {
  /**
   * Seals API keys at rest. Default: the key in `secret.key` beside the database file
   * (created when missing), or a random one for `':memory:'`.
   */
  secrets?: SecretBox;
  /** Where `secrets` came from, for error messages. */
  secretSource?: string;
}

/**
 * Opens (creating if needed, with its directory) the SQLite store at `file`; `':memory:'`
 * gives a private in-memory database. Call `migrate()` before use.
 */
export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): SqlStore {
  let { secrets, secretSource } = options;
  if (!secrets) {
    if (file === ':memory:') secrets = SecretBox.random();
    else
      ({ box: secrets, source: secretSource } = loadSecretKey(
        path.dirname(path.resolve(file)),
        undefined,
      ));
  }
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const database = new BetterSqlite3(file);
  try {
    // WAL: readers never block the writer, and a crash never corrupts the file.
    database.pragma('journal_mode = WAL');
    // NORMAL is durable across application crashes in WAL mode and much faster than FULL.
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
    database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  } catch (error) {
    database.close();
    throw error;
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return new SqlStore(db, 'sqlite', secrets, secretSource);
}
