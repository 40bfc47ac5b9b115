/**
 * The SQL implementation of `Store`, written once over `Kysely<Database>` for both
 * engines (DESIGN §3.8): only dialect-neutral queries here (`returning`, `on conflict`,
 * plain types). The engine-specific parts — opening the database, pragmas, pools — live
 * in `sqlite.ts` (and later `postgres.ts`).
 */
import { Migrator, type Kysely, type Selectable } from 'kysely';
import {
  DEFAULT_SITE_SETTINGS,
  type Agent,
  type AgentPrivileges,
  type AgentRole,
  type AuditEntry,
  type AuditEvent,
  type AuditQuery,
  type Group,
  type NewAgent,
  type Site,
  type SiteSettings,
  type Store,
  type WebSession,
} from './store.js';
import { createMigrationProvider, type SqlDialectName } from './migrations.js';
import type { AgentTable, AuditTable, Database, GroupTable } from './schema.js';

/** Rows `listAudit` returns when the query gives no `limit`. */
export const DEFAULT_AUDIT_LIMIT = 100;
/** Most rows `listAudit` returns, whatever the query asks. */
export const MAX_AUDIT_LIMIT = 1000;

/** Why a store operation was refused. */
export type StoreErrorCode = 'conflict' | 'not-found' | 'migration';

/** An error of the store layer with a machine-readable code and a message for people. */
export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

const ROLES: ReadonlySet<string> = new Set<AgentRole>(['admin', 'agent', 'viewer']);
const NO_PRIVILEGES: AgentPrivileges = {
  view: false,
  remoteControl: false,
  navigate: false,
  screenShare: false,
};

/** Unique-constraint violations, as SQLite (better-sqlite3) and PostgreSQL (pg) report them. */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === '23505'
  );
}

/** Foreign-key violations, as SQLite and PostgreSQL report them. */
function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}

function parseJsonObject(text: string): Record<string, unknown> {
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
function settingsFrom(stored: Record<string, unknown>): SiteSettings {
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

function privilegesFrom(text: string): AgentPrivileges {
  const stored = parseJsonObject(text);
  const result = { ...NO_PRIVILEGES };
  for (const name of Object.keys(NO_PRIVILEGES) as (keyof AgentPrivileges)[]) {
    if (typeof stored[name] === 'boolean') result[name] = stored[name];
  }
  return result;
}

function toGroup(row: Selectable<GroupTable>): Group {
  return { id: row.id, name: row.name, apiKey: row.api_key, createdAt: Number(row.created_at) };
}

function toAgent(row: Selectable<AgentTable>): Agent {
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

function toAudit(row: Selectable<AuditTable>): AuditEntry {
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
function agentColumns(patch: Partial<NewAgent>): Partial<Omit<AgentTable, 'id' | 'created_at'>> {
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

/** `Store` over any Kysely database with the schema of `schema.ts`. */
export class SqlStore implements Store {
  private closed = false;

  constructor(
    private readonly db: Kysely<Database>,
    readonly kind: SqlDialectName,
  ) {}

  async migrate(): Promise<void> {
    const migrator = new Migrator({ db: this.db, provider: createMigrationProvider(this.kind) });
    const { error, results } = await migrator.migrateToLatest();
    if (error) {
      const failed =
        results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
      const reason = error instanceof Error ? error.message : String(error);
      throw new StoreError('migration', `database migration ${failed} failed: ${reason}`, {
        cause: error,
      });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.destroy();
  }

  // --- meta -----------------------------------------------------------------------------

  async getMeta(key: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('meta')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst();
    return row?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.db
      .insertInto('meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }

  // --- groups and settings ----------------------------------------------------------------

  async getGroup(id: string): Promise<Group | undefined> {
    const row = await this.db
      .selectFrom('groups')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toGroup(row);
  }

  async listGroups(): Promise<Group[]> {
    const rows = await this.db.selectFrom('groups').selectAll().orderBy('id').execute();
    return rows.map(toGroup);
  }

  async createGroup(group: Omit<Group, 'createdAt'>): Promise<Group> {
    try {
      const row = await this.db
        .insertInto('groups')
        .values({ id: group.id, name: group.name, api_key: group.apiKey, created_at: Date.now() })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toGroup(row);
    } catch (error) {
      if (isUniqueViolation(error))
        throw new StoreError('conflict', `group ${group.id} already exists`, { cause: error });
      throw error;
    }
  }

  async updateGroup(
    id: string,
    patch: Partial<Pick<Group, 'name' | 'apiKey'>>,
  ): Promise<Group | undefined> {
    const columns: { name?: string; api_key?: string | null } = {};
    if (patch.name !== undefined) columns.name = patch.name;
    if (patch.apiKey !== undefined) columns.api_key = patch.apiKey;
    if (Object.keys(columns).length === 0) return this.getGroup(id);
    const row = await this.db
      .updateTable('groups')
      .set(columns)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row && toGroup(row);
  }

  async getSettings(groupId: string, site: Site): Promise<SiteSettings> {
    const row = await this.db
      .selectFrom('site_settings')
      .select('settings')
      .where('group_id', '=', groupId)
      .where('site', '=', site)
      .executeTakeFirst();
    return settingsFrom(row ? parseJsonObject(row.settings) : {});
  }

  async putSettings(
    groupId: string,
    site: Site,
    patch: Partial<SiteSettings>,
  ): Promise<SiteSettings> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('site_settings')
          .select('settings')
          .where('group_id', '=', groupId)
          .where('site', '=', site)
          .executeTakeFirst();
        const merged = settingsFrom({ ...(row ? parseJsonObject(row.settings) : {}), ...patch });
        const settings = JSON.stringify(merged);
        const updatedAt = Date.now();
        await trx
          .insertInto('site_settings')
          .values({ group_id: groupId, site, settings, updated_at: updatedAt })
          .onConflict((oc) =>
            oc.columns(['group_id', 'site']).doUpdateSet({ settings, updated_at: updatedAt }),
          )
          .execute();
        return merged;
      });
    } catch (error) {
      if (isForeignKeyViolation(error))
        throw new StoreError('not-found', `no group ${groupId}`, { cause: error });
      throw error;
    }
  }

  // --- agents -----------------------------------------------------------------------------

  async getAgent(id: number): Promise<Agent | undefined> {
    const row = await this.db
      .selectFrom('agents')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toAgent(row);
  }

  async findAgentByUsername(username: string): Promise<Agent | undefined> {
    const row = await this.db
      .selectFrom('agents')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirst();
    return row && toAgent(row);
  }

  async findAgentByPartnerUserId(
    groupId: string,
    partnerUserId: string,
  ): Promise<Agent | undefined> {
    if (partnerUserId === '') return undefined;
    const row = await this.db
      .selectFrom('agents')
      .selectAll()
      .where('group_id', '=', groupId)
      .where('partner_user_id', '=', partnerUserId)
      .executeTakeFirst();
    return row && toAgent(row);
  }

  async listAgents(groupId?: string): Promise<Agent[]> {
    let query = this.db.selectFrom('agents').selectAll();
    if (groupId !== undefined) query = query.where('group_id', '=', groupId);
    const rows = await query.orderBy('id').execute();
    return rows.map(toAgent);
  }

  async createAgent(agent: NewAgent): Promise<Agent> {
    const columns = agentColumns(agent);
    try {
      const row = await this.db
        .insertInto('agents')
        .values({
          group_id: agent.groupId,
          username: agent.username,
          display_name: agent.displayName,
          email: agent.email,
          title: agent.title,
          partner_user_id: agent.partnerUserId,
          password_hash: agent.passwordHash,
          role: agent.role,
          privileges: columns.privileges ?? JSON.stringify(NO_PRIVILEGES),
          disabled: agent.disabled ? 1 : 0,
          created_at: Date.now(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toAgent(row);
    } catch (error) {
      throw this.agentWriteError(error, agent);
    }
  }

  async updateAgent(id: number, patch: Partial<NewAgent>): Promise<Agent | undefined> {
    const columns = agentColumns(patch);
    if (Object.keys(columns).length === 0) return this.getAgent(id);
    try {
      const row = await this.db
        .updateTable('agents')
        .set(columns)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toAgent(row);
    } catch (error) {
      throw this.agentWriteError(error, patch);
    }
  }

  async deleteAgent(id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('agents').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  private agentWriteError(error: unknown, agent: Partial<NewAgent>): unknown {
    if (isUniqueViolation(error)) {
      const message = String((error as Error).message ?? '');
      const what = /partner_user_id/.test(message)
        ? `partner user id "${agent.partnerUserId ?? ''}" is already used in group ${agent.groupId ?? ''}`
        : `username "${agent.username ?? ''}" is taken`;
      return new StoreError('conflict', what, { cause: error });
    }
    if (isForeignKeyViolation(error))
      return new StoreError('not-found', `no group ${agent.groupId ?? ''}`, { cause: error });
    return error;
  }

  // --- web sessions -------------------------------------------------------------------------

  async createWebSession(session: WebSession): Promise<void> {
    await this.db
      .insertInto('web_sessions')
      .values({
        id_hash: session.idHash,
        agent_id: session.agentId,
        csrf_token: session.csrfToken,
        expires_at: session.expiresAt,
        created_at: session.createdAt,
      })
      .execute();
  }

  async getWebSession(idHash: string): Promise<WebSession | undefined> {
    const row = await this.db
      .selectFrom('web_sessions')
      .selectAll()
      .where('id_hash', '=', idHash)
      .executeTakeFirst();
    return (
      row && {
        idHash: row.id_hash,
        agentId: Number(row.agent_id),
        csrfToken: row.csrf_token,
        expiresAt: Number(row.expires_at),
        createdAt: Number(row.created_at),
      }
    );
  }

  async deleteWebSession(idHash: string): Promise<void> {
    await this.db.deleteFrom('web_sessions').where('id_hash', '=', idHash).execute();
  }

  async deleteExpiredWebSessions(now: number): Promise<number> {
    const result = await this.db
      .deleteFrom('web_sessions')
      .where('expires_at', '<=', now)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  // --- audit --------------------------------------------------------------------------------

  async appendAudit(entry: AuditEntry): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({
        at: entry.at,
        group_id: entry.groupId,
        event: entry.event,
        session_id: entry.sessionId,
        session_key: entry.sessionKey,
        agent_id: entry.agentId,
        detail: JSON.stringify(entry.detail),
      })
      .execute();
  }

  /** Matching entries, newest first; `from` and `to` are inclusive ms bounds. */
  async listAudit(query: AuditQuery): Promise<AuditEntry[]> {
    let select = this.db.selectFrom('audit_log').selectAll();
    if (query.groupId !== undefined) select = select.where('group_id', '=', query.groupId);
    if (query.agentId !== undefined) select = select.where('agent_id', '=', query.agentId);
    if (query.sessionKey !== undefined) select = select.where('session_key', '=', query.sessionKey);
    if (query.from !== undefined) select = select.where('at', '>=', query.from);
    if (query.to !== undefined) select = select.where('at', '<=', query.to);
    const asked =
      query.limit !== undefined && Number.isFinite(query.limit)
        ? Math.trunc(query.limit)
        : DEFAULT_AUDIT_LIMIT;
    const limit = Math.min(Math.max(asked, 1), MAX_AUDIT_LIMIT);
    const rows = await select.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toAudit);
  }
}
