/**
 * Opens the store a server or a CLI command is configured for: PostgreSQL when a
 * `DATABASE_URL` is given, else the SQLite file in the data directory; with the
 * installation's secret key; migrated and checked, ready to use.
 */
import path from 'node:path';
import { isPostgresUrl, openPostgresStore, redactDatabaseUrl } from './postgres.js';
import { loadSecretKey } from './secret-box.js';
import { SQLITE_FILE_NAME, openSqliteStore } from './sqlite.js';
import { StoreError, type SqlStore } from './sql-store.js';

/** Where the store is and how its secrets are sealed. */
export interface StoreLocation {
  /** Data directory: the SQLite file and the secret key file live here. */
  dataDir: string;
  /** `postgres://…` to use PostgreSQL instead of SQLite; undefined for SQLite. */
  databaseUrl: string | undefined;
  /** The secret key as text (`COBROWSE_SECRET_KEY`); undefined = the key file in `dataDir`. */
  secretKey: string | undefined;
}

/** Options of `openStore`. */
export interface OpenStoreOptions {
  /** Told about failures of idle PostgreSQL connections (they are replaced). */
  onIdleError?: (error: Error) => void;
}

/** A readable description of the store, without passwords (logs, banners). */
export function describeStore(location: StoreLocation): string {
  return location.databaseUrl !== undefined
    ? `PostgreSQL ${redactDatabaseUrl(location.databaseUrl)}`
    : `SQLite ${path.join(location.dataDir, SQLITE_FILE_NAME)}`;
}

/** Connection failures worth a plain message rather than a stack. */
function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (
    typeof code === 'string' &&
    [
      'ECONNREFUSED',
      'ENOTFOUND',
      'ETIMEDOUT',
      'EHOSTUNREACH',
      'ECONNRESET',
      '28P01',
      '28000',
      '3D000',
    ].includes(code)
  )
    return true;
  return /timeout exceeded when trying to connect|Connection terminated/i.test(
    String((error as { message?: unknown } | null)?.message ?? ''),
  );
}

/**
 * Opens, migrates and checks the configured store. Throws `StoreError` with a message for
 * people when the database cannot be reached, migrated or read with this secret key.
 */
export async function openStore(
  location: StoreLocation,
  options: OpenStoreOptions = {},
): Promise<SqlStore> {
  const secret = loadSecretKey(location.dataDir, location.secretKey);
  let store: SqlStore;
  if (location.databaseUrl !== undefined) {
    if (!isPostgresUrl(location.databaseUrl))
      throw new StoreError(
        'unavailable',
        `DATABASE_URL must start with postgres:// or postgresql://, got ${redactDatabaseUrl(location.databaseUrl)}`,
      );
    store = openPostgresStore(location.databaseUrl, {
      secrets: secret.box,
      secretSource: secret.source,
      ...(options.onIdleError ? { onIdleError: options.onIdleError } : {}),
    });
  } else {
    store = openSqliteStore(path.join(location.dataDir, SQLITE_FILE_NAME), {
      secrets: secret.box,
      secretSource: secret.source,
    });
  }
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => {});
    // The migrator wraps what went wrong; a database that cannot be reached is said plainly.
    const cause = error instanceof StoreError && error.code === 'migration' ? error.cause : error;
    if (isConnectionError(cause)) {
      throw new StoreError(
        'unavailable',
        `cannot connect to ${describeStore(location)}: ${(cause as Error).message}`,
        { cause },
      );
    }
    throw error;
  }
  return store;
}
