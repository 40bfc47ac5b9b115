/** The store: interface, defaults and the SQL implementations. */
export { DEFAULT_SITE_SETTINGS } from './store.js';
export type {
  Agent,
  AgentPrivileges,
  AgentRole,
  AuditEntry,
  AuditEvent,
  AuditQuery,
  Group,
  NewAgent,
  Site,
  SiteSettings,
  Store,
  WebSession,
} from './store.js';
export { SqlStore, StoreError, DEFAULT_AUDIT_LIMIT, MAX_AUDIT_LIMIT } from './sql-store.js';
export type { StoreErrorCode } from './sql-store.js';
export { openSqliteStore, SQLITE_FILE_NAME } from './sqlite.js';
export type { SqlDialectName } from './migrations.js';
