/**
 * Table types of the SQL store, as Kysely sees them. One schema for SQLite and
 * PostgreSQL: timestamps are integer milliseconds (`bigint`), booleans are 0/1 integers
 * and JSON is text, so the same queries run on both engines without per-dialect casts.
 */
import type { Generated } from 'kysely';

/** Small key/value facts about the installation (secrets, bootstrap markers). */
export interface MetaTable {
  key: string;
  value: string;
}

/** Groups (`Group`). */
export interface GroupTable {
  id: string;
  name: string;
  /** The API key sealed with the installation's secret key (`SecretBox.seal`), or null. */
  api_key: string | null;
  /** `SecretBox.lookupHash` of the API key (bearer lookup); null when none or not yet sealed. */
  api_key_hash: string | null;
  /** ms since the epoch. PostgreSQL's `pg` returns int8 as a string: read through `Number()`. */
  created_at: number | string;
}

/** One row per (group, site) that was ever changed; missing fields fall back to defaults. */
export interface SiteSettingsTable {
  group_id: string;
  site: string;
  /** JSON object: a partial `SiteSettings`. */
  settings: string;
  updated_at: number | string;
}

/** Agents (`Agent`); usernames unique, partner user ids unique per group. */
export interface AgentTable {
  id: Generated<number>;
  group_id: string;
  username: string;
  display_name: string;
  email: string;
  title: string;
  partner_user_id: string;
  password_hash: string | null;
  role: string;
  /** JSON object: `AgentPrivileges`. */
  privileges: string;
  /** 0 or 1. */
  disabled: number;
  created_at: number | string;
}

/** Signed-in browser sessions, by the hash of their cookie. */
export interface WebSessionTable {
  id_hash: string;
  agent_id: number;
  csrf_token: string;
  expires_at: number | string;
  created_at: number | string;
}

/** The audit log; no foreign keys, so it outlives what it names. */
export interface AuditTable {
  id: Generated<number>;
  at: number | string;
  group_id: string;
  event: string;
  session_id: string | null;
  session_key: string | null;
  agent_id: number | null;
  /** JSON object. */
  detail: string;
}

/** Live co-browsing sessions (`LiveSession`), kept so a server restart ends none. */
export interface LiveSessionTable {
  id: string;
  node_id: string;
  group_id: string;
  site: string;
  key: string;
  /** 0 or 1. */
  random_key: number;
  token_hash: string;
  /** JSON object. */
  visitor: string;
  started_at: number | string;
  /** JSON object: the protocol's `SessionState`. */
  state: string;
  next_seq: number | string;
  /** 0 or 1. */
  ever_joined: number;
  updated_at: number | string;
}

/** The whole database, for `Kysely<Database>`. */
export interface Database {
  meta: MetaTable;
  groups: GroupTable;
  site_settings: SiteSettingsTable;
  agents: AgentTable;
  web_sessions: WebSessionTable;
  audit_log: AuditTable;
  live_sessions: LiveSessionTable;
}
