/**
 * The SQL implementation of `Store`, written once over `Kysely<Database>` for both
 * engines (DESIGN §3.8): only dialect-neutral queries here (`returning`, `on conflict`,
 * plain types). The engine-specific parts — opening the database, pragmas, pools — live
 * in `sqlite.ts` and `postgres.ts`.
 *
 * Group API keys are sealed with the installation's `SecretBox` on the way in and opened
 * on the way out, so callers see them in clear and the database never holds them so.
 */
import { Migrator, sql, type Kysely, type Selectable } from 'kysely';
import type {
  Agent,
  AuditEntry,
  AuditQuery,
  Group,
  LiveSession,
  NewAgent,
  Site,
  SiteSettings,
  Store,
  WebSession,
} from './store.js';
import { createMigrationProvider, type SqlDialectName } from './migrations.js';
import type { Database, GroupTable } from './schema.js';
import type { SecretBox } from './secret-box.js';
import {
  NO_PRIVILEGES,
  agentColumns,
  isApiKeyConflict,
  isForeignKeyViolation,
  isUniqueViolation,
  parseJsonObject,
  settingsFrom,
  toAgent,
  toAudit,
  toLiveSession,
} from './sql-rows.js';

/** Rows `listAudit` returns when the query gives no `limit`. */
export const DEFAULT_AUDIT_LIMIT = 100;
/** Most rows `listAudit` returns, whatever the query asks. */
export const MAX_AUDIT_LIMIT = 1000;

/** Meta key of the fingerprint of the secret key that sealed this database's API keys. */
export const SECRET_KEY_ID_META_KEY = 'secret_key_id';

/** Why a store operation was refused. */
export type StoreErrorCode = 'conflict' | 'not-found' | 'migration' | 'secret' | 'unavailable';

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

/** `Store` over any Kysely database with the schema of `schema.ts`. */
export class SqlStore implements Store {
  private closed = false;

  /**
   * @param db the database, with the schema of `schema.ts` once migrated
   * @param kind which engine `db` talks to
   * @param secrets seals API keys at rest; must be the same for every server on the database
   * @param secretSource where the secret key came from, named in the error when it does not fit
   */
  constructor(
    private readonly db: Kysely<Database>,
    readonly kind: SqlDialectName,
    private readonly secrets: SecretBox,
    private readonly secretSource = 'the secret key',
  ) {}

  /**
   * Runs pending migrations, then checks that this server's secret key is the one the
   * database's API keys were sealed with (recording it on first use), and seals any API
   * key still stored in clear by an older version.
   */
  async migrate(): Promise<void> {
    const migrator = new Migrator({
      db: this.db,
      provider: createMigrationProvider(this.kind),
      // Kysely looks for its migration tables in every schema unless told which: another
      // schema of the database with its own (another app, a parallel test run) would make
      // it skip creating ours. On PostgreSQL they live in the schema our tables go to.
      ...(this.kind === 'postgres' ? { migrationTableSchema: await this.currentSchema() } : {}),
    });
    const { error, results } = await migrator.migrateToLatest();
    if (error) {
      const failed =
        results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
      const reason = error instanceof Error ? error.message : String(error);
      throw new StoreError('migration', `database migration ${failed} failed: ${reason}`, {
        cause: error,
      });
    }
    const keyId = await this.setMetaIfAbsent(SECRET_KEY_ID_META_KEY, this.secrets.keyId);
    if (keyId !== this.secrets.keyId) {
      throw new StoreError(
        'secret',
        `${this.secretSource} is not the secret key this database was set up with, so the groups' API keys cannot be read. ` +
          'Every server of one database needs the same key: copy secret.key from the data directory of the first server, or set the same COBROWSE_SECRET_KEY on all of them (docs/configuration.md).',
      );
    }
    await this.sealClearApiKeys();
  }

  /** PostgreSQL's schema for new tables (the first existing one on the search path). */
  private async currentSchema(): Promise<string> {
    const { rows } = await sql<{
      schema: string | null;
    }>`select current_schema() as schema`.execute(this.db);
    const schema = rows[0]?.schema;
    if (!schema)
      throw new StoreError(
        'migration',
        'the database has no schema to create tables in: check the search_path of DATABASE_URL',
      );
    return schema;
  }

  /** Seals API keys written in clear before migration 0002 (their hash is null). */
  private async sealClearApiKeys(): Promise<void> {
    const rows = await this.db
      .selectFrom('groups')
      .select(['id', 'api_key'])
      .where('api_key', 'is not', null)
      .where('api_key_hash', 'is', null)
      .execute();
    for (const row of rows) {
      if (row.api_key === null) continue;
      await this.db
        .updateTable('groups')
        .set(this.apiKeyColumns(row.id, row.api_key))
        .where('id', '=', row.id)
        .where('api_key_hash', 'is', null)
        .execute();
    }
  }

  private apiKeyColumns(
    groupId: string,
    apiKey: string | null,
  ): { api_key: string | null; api_key_hash: string | null } {
    if (apiKey === null) return { api_key: null, api_key_hash: null };
    return {
      api_key: this.secrets.seal(apiKey, `group:${groupId}`),
      api_key_hash: this.secrets.lookupHash(apiKey),
    };
  }

  private toGroup(row: Selectable<GroupTable>): Group {
    let apiKey: string | null = null;
    if (row.api_key !== null) {
      try {
        apiKey =
          row.api_key_hash === null
            ? row.api_key // not sealed yet: migrate() seals it
            : this.secrets.open(row.api_key, `group:${row.id}`);
      } catch (error) {
        throw new StoreError(
          'secret',
          `the API key of group ${row.id} cannot be decrypted with ${this.secretSource}`,
          { cause: error },
        );
      }
    }
    return { id: row.id, name: row.name, apiKey, createdAt: Number(row.created_at) };
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

  async setMetaIfAbsent(key: string, value: string): Promise<string> {
    // ON CONFLICT DO NOTHING is atomic on both engines: of two racing inserts one wins and
    // the other changes nothing, and both then read the winner's value.
    await this.db
      .insertInto('meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const stored = await this.getMeta(key);
    if (stored === undefined) throw new StoreError('not-found', `meta value ${key} vanished`);
    return stored;
  }

  // --- groups and settings ----------------------------------------------------------------

  async getGroup(id: string): Promise<Group | undefined> {
    const row = await this.db
      .selectFrom('groups')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && this.toGroup(row);
  }

  async findGroupByApiKey(apiKey: string): Promise<Group | undefined> {
    if (apiKey === '') return undefined;
    const row = await this.db
      .selectFrom('groups')
      .selectAll()
      .where('api_key_hash', '=', this.secrets.lookupHash(apiKey))
      .executeTakeFirst();
    return row && this.toGroup(row);
  }

  async listGroups(): Promise<Group[]> {
    const rows = await this.db.selectFrom('groups').selectAll().orderBy('id').execute();
    return rows.map((row) => this.toGroup(row));
  }

  async createGroup(group: Omit<Group, 'createdAt'>): Promise<Group> {
    try {
      const row = await this.db
        .insertInto('groups')
        .values({
          id: group.id,
          name: group.name,
          ...this.apiKeyColumns(group.id, group.apiKey),
          created_at: Date.now(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return this.toGroup(row);
    } catch (error) {
      throw this.groupWriteError(error, group.id);
    }
  }

  private groupWriteError(error: unknown, groupId: string): unknown {
    if (!isUniqueViolation(error)) return error;
    if (isApiKeyConflict(error))
      return new StoreError('conflict', 'this API key is already used by another group', {
        cause: error,
      });
    return new StoreError('conflict', `group ${groupId} already exists`, { cause: error });
  }

  async updateGroup(
    id: string,
    patch: Partial<Pick<Group, 'name' | 'apiKey'>>,
  ): Promise<Group | undefined> {
    const columns: { name?: string; api_key?: string | null; api_key_hash?: string | null } = {};
    if (patch.name !== undefined) columns.name = patch.name;
    if (patch.apiKey !== undefined) Object.assign(columns, this.apiKeyColumns(id, patch.apiKey));
    if (Object.keys(columns).length === 0) return this.getGroup(id);
    try {
      const row = await this.db
        .updateTable('groups')
        .set(columns)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && this.toGroup(row);
    } catch (error) {
      throw this.groupWriteError(error, id);
    }
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
        // Read-merge-write must not lose a concurrent patch: make sure the row exists, then
        // lock it (PostgreSQL: FOR UPDATE; SQLite: the insert already made this transaction
        // the writer, and SQLite has one writer at a time).
        await trx
          .insertInto('site_settings')
          .values({ group_id: groupId, site, settings: '{}', updated_at: Date.now() })
          .onConflict((oc) => oc.columns(['group_id', 'site']).doNothing())
          .execute();
        let select = trx
          .selectFrom('site_settings')
          .select('settings')
          .where('group_id', '=', groupId)
          .where('site', '=', site);
        if (this.kind === 'postgres') select = select.forUpdate();
        const row = await select.executeTakeFirst();
        const merged = settingsFrom({ ...(row ? parseJsonObject(row.settings) : {}), ...patch });
        await trx
          .updateTable('site_settings')
          .set({ settings: JSON.stringify(merged), updated_at: Date.now() })
          .where('group_id', '=', groupId)
          .where('site', '=', site)
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

  async deleteWebSessionsOfAgent(agentId: number): Promise<number> {
    const result = await this.db
      .deleteFrom('web_sessions')
      .where('agent_id', '=', agentId)
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
    if (query.event !== undefined) select = select.where('event', '=', query.event);
    if (query.from !== undefined) select = select.where('at', '>=', query.from);
    if (query.to !== undefined) select = select.where('at', '<=', query.to);
    const before = query.before;
    if (before !== undefined) {
      select = select.where((eb) =>
        eb.or([
          eb('at', '<', before.at),
          eb.and([eb('at', '=', before.at), eb('id', '<', before.id)]),
        ]),
      );
    }
    const asked =
      query.limit !== undefined && Number.isFinite(query.limit)
        ? Math.trunc(query.limit)
        : DEFAULT_AUDIT_LIMIT;
    const limit = Math.min(Math.max(asked, 1), MAX_AUDIT_LIMIT);
    const rows = await select.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toAudit);
  }

  // --- live sessions ------------------------------------------------------------------------

  async putLiveSession(session: LiveSession): Promise<void> {
    const columns = {
      node_id: session.nodeId,
      group_id: session.groupId,
      site: session.site,
      key: session.key,
      random_key: session.randomKey ? 1 : 0,
      token_hash: session.tokenHash,
      visitor: JSON.stringify(session.visitor),
      started_at: session.startedAt,
      state: JSON.stringify(session.state),
      next_seq: session.nextSeq,
      ever_joined: session.everJoined ? 1 : 0,
      updated_at: session.updatedAt,
    };
    try {
      await this.db
        .insertInto('live_sessions')
        .values({ id: session.id, ...columns })
        .onConflict((oc) => oc.column('id').doUpdateSet(columns))
        .execute();
    } catch (error) {
      // The group was deleted meanwhile: its sessions have nothing to come back to.
      if (isForeignKeyViolation(error)) return;
      throw error;
    }
  }

  async deleteLiveSession(id: string): Promise<void> {
    await this.db.deleteFrom('live_sessions').where('id', '=', id).execute();
  }

  async listLiveSessions(nodeId?: string): Promise<LiveSession[]> {
    let select = this.db.selectFrom('live_sessions').selectAll();
    if (nodeId !== undefined) select = select.where('node_id', '=', nodeId);
    const rows = await select.orderBy('started_at', 'asc').orderBy('id', 'asc').execute();
    return rows.map(toLiveSession);
  }

  async touchLiveSessions(nodeId: string, at: number): Promise<void> {
    await this.db
      .updateTable('live_sessions')
      .set({ updated_at: at })
      .where('node_id', '=', nodeId)
      .execute();
  }

  async deleteStaleLiveSessions(before: number): Promise<LiveSession[]> {
    const rows = await this.db
      .selectFrom('live_sessions')
      .selectAll()
      .where('updated_at', '<', before)
      .orderBy('started_at', 'asc')
      .execute();
    const deleted: LiveSession[] = [];
    for (const row of rows) {
      // Only if still stale: its server may have written it meanwhile.
      const result = await this.db
        .deleteFrom('live_sessions')
        .where('id', '=', row.id)
        .where('updated_at', '<', before)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) > 0) deleted.push(toLiveSession(row));
    }
    return deleted;
  }
}
