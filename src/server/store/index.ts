/** The store: interface, defaults and the SQL implementations. */
export { AUDIT_EVENTS, DEFAULT_SITE_SETTINGS } from './store.js';
export type {
  Agent,
  AgentPrivileges,
  AgentRole,
  AuditEntry,
  AuditEvent,
  AuditQuery,
  Group,
  LiveSession,
  NewAgent,
  Site,
  SiteSettings,
  Store,
  WebSession,
} from './store.js';
export {
  SqlStore,
  StoreError,
  DEFAULT_AUDIT_LIMIT,
  MAX_AUDIT_LIMIT,
  SECRET_KEY_ID_META_KEY,
} from './sql-store.js';
export type { StoreErrorCode } from './sql-store.js';
export { openSqliteStore, SQLITE_FILE_NAME } from './sqlite.js';
export type { SqliteStoreOptions } from './sqlite.js';
export { openPostgresStore, isPostgresUrl, redactDatabaseUrl } from './postgres.js';
export type { PostgresStoreOptions } from './postgres.js';
export { openStore, describeStore } from './open-store.js';
export type { OpenStoreOptions, StoreLocation } from './open-store.js';
export {
  SecretBox,
  SecretBoxError,
  loadSecretKey,
  parseSecretKey,
  SECRET_KEY_FILE_NAME,
} from './secret-box.js';
export type { LoadedSecretKey } from './secret-box.js';
export type { SqlDialectName } from './migrations.js';
