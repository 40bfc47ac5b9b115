/**
 * Rows of the SQL store to values of the `Store` interface and back, and the driver
 * errors it recognises — the same for SQLite and PostgreSQL (`pg` reads int8 as a string
 * unless told otherwise, so numbers are read through `Number()`).
 */
import type { Selectable } from 'kysely';
import {
  DEFAULT_SITE_SETTINGS,
  type Agent,
  type AgentPrivileges,
  type AgentRole,
  type AuditEntry,
  type AuditEvent,
  type LiveSession,
  type NewAgent,
  type SiteSettings,
} from './store.js';
import type { AgentTable, AuditTable, LiveSessionTable } from './schema.js';

const ROLES: ReadonlySet<string> = new Set<AgentRole>(['admin', 'agent', 'viewer']);
/** Privileges of an agent whose stored privileges say nothing. */
export const NO_PRIVILEGES: AgentPrivileges = {
  view: false,
  remoteControl: false,
  navigate: false,
  screenShare: false,
};

/** Unique-constraint violations, as SQLite (better-sqlite3) and PostgreSQL (pg) report them. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === '23505'
  );
}

/** Foreign-key violations, as SQLite and PostgreSQL report them. */
export function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}

/** A JSON object from a text cell; `{}` for anything else. */
export function parseJsonObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    // A corrupt cell must not take the server down: treat it as empty (defaults apply).
    return {};
  }
}

/** Stored settings on top of the defaults, field by field, ignoring values of the wrong type. */
export function settingsFrom(stored: Record<string, unknown>): SiteSettings {
  const result = structuredClone(DEFAULT_SITE_SETTINGS) as SiteSettings;
  const target = result as unknown as Record<string, unknown>;
  for (const [name, fallback] of Object.entries(DEFAULT_SITE_SETTINGS)) {
    const value = stored[name];
    if (value === undefined) continue;
    const sameShape = Array.isArray(fallback)
      ? Array.isArray(value) && value.every((item) => typeof item === 'string')
      : typeof value === typeof fallback;
    if (sameShape) target[name] = structuredClone(value);
  }
  return result;
}

/** Stored privileges, every one false unless set to true. */
export function privilegesFrom(text: string): AgentPrivileges {
  const stored = parseJsonObject(text);
  const result = { ...NO_PRIVILEGES };
  for (const name of Object.keys(NO_PRIVILEGES) as (keyof AgentPrivileges)[]) {
    if (typeof stored[name] === 'boolean') result[name] = stored[name];
  }
  return result;
}

/** Whether a unique violation is about the API key (two groups may not share one). */
export function isApiKeyConflict(error: unknown): boolean {
  const { constraint, message } = (error ?? {}) as { constraint?: unknown; message?: unknown };
  return constraint === 'groups_api_key_hash' || /api_key_hash/.test(String(message ?? ''));
}

/** An agent from its row. */
export function toAgent(row: Selectable<AgentTable>): Agent {
  return {
    id: Number(row.id),
    groupId: row.group_id,
    username: row.username,
    displayName: row.display_name,
    email: row.email,
    title: row.title,
    partnerUserId: row.partner_user_id,
    passwordHash: row.password_hash,
    // An unknown role (a newer server wrote it?) gets the least privileged one.
    role: ROLES.has(row.role) ? (row.role as AgentRole) : 'viewer',
    privileges: privilegesFrom(row.privileges),
    disabled: Number(row.disabled) !== 0,
    createdAt: Number(row.created_at),
  };
}

/** An audit entry from its row. */
export function toAudit(row: Selectable<AuditTable>): AuditEntry {
  return {
    id: Number(row.id),
    at: Number(row.at),
    groupId: row.group_id,
    event: row.event as AuditEvent,
    sessionId: row.session_id,
    sessionKey: row.session_key,
    agentId: row.agent_id === null ? null : Number(row.agent_id),
    detail: parseJsonObject(row.detail),
  };
}

/** Columns of an agent patch; fields left out of the patch are left alone. */
export function agentColumns(
  patch: Partial<NewAgent>,
): Partial<Omit<AgentTable, 'id' | 'created_at'>> {
  const columns: Partial<Omit<AgentTable, 'id' | 'created_at'>> = {};
  if (patch.groupId !== undefined) columns.group_id = patch.groupId;
  if (patch.username !== undefined) columns.username = patch.username;
  if (patch.displayName !== undefined) columns.display_name = patch.displayName;
  if (patch.email !== undefined) columns.email = patch.email;
  if (patch.title !== undefined) columns.title = patch.title;
  if (patch.partnerUserId !== undefined) columns.partner_user_id = patch.partnerUserId;
  if (patch.passwordHash !== undefined) columns.password_hash = patch.passwordHash;
  if (patch.role !== undefined) columns.role = patch.role;
  if (patch.privileges !== undefined)
    columns.privileges = JSON.stringify({ ...NO_PRIVILEGES, ...patch.privileges });
  if (patch.disabled !== undefined) columns.disabled = patch.disabled ? 1 : 0;
  return columns;
}

/** A live session from its row. */
export function toLiveSession(row: Selectable<LiveSessionTable>): LiveSession {
  return {
    id: row.id,
    nodeId: row.node_id,
    groupId: row.group_id,
    site: row.site === 'production' ? 'production' : 'staging',
    key: row.key,
    randomKey: Number(row.random_key) !== 0,
    tokenHash: row.token_hash,
    visitor: parseJsonObject(row.visitor) as LiveSession['visitor'],
    startedAt: Number(row.started_at),
    state: parseJsonObject(row.state),
    nextSeq: Number(row.next_seq),
    everJoined: Number(row.ever_joined) !== 0,
    updatedAt: Number(row.updated_at),
  };
}
