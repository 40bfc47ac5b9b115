/**
 * Administration of groups, API keys, settings and agents: the one place the admin UI,
 * the REST API and the CLI go through, so each rule holds whichever door is used.
 *
 * - An actor is an administrator (web session), a group's API key, or the CLI (whoever
 *   can run it already holds the database). A group key acts only on its own group —
 *   anything else is "not found", as if it did not exist — and can never make an admin.
 * - The last enabled administrator cannot be disabled, demoted or deleted, and nobody
 *   deletes their own account, so an installation never locks itself out.
 * - Passwords are hashed here; API keys are generated here and returned once.
 * - Every change is written to the audit log (`admin.*`, with `detail.by`).
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { StoreError } from '../store/sql-store.js';
import type {
  Agent,
  AgentPrivileges,
  AuditEntry,
  AuditEvent,
  AuditQuery,
  Group,
  NewAgent,
  Site,
  SiteSettings,
  Store,
} from '../store/store.js';
import {
  defaultPrivileges,
  type AgentPatchInput,
  type GroupPatchInput,
  type NewAgentInput,
  type NewGroupInput,
  type SiteSettingsPatchInput,
} from './account-schemas.js';
import { createLoginKey } from './login-key.js';
import { hashPassword } from './password.js';

/** Who asks for an administrative action. */
export type Actor =
  | { kind: 'admin'; agentId: number; username: string }
  | { kind: 'api-key'; groupId: string }
  | { kind: 'cli' };

/** Why an action was refused; the message is for people and names the field when there is one. */
export type AccountErrorCode = 'invalid' | 'not-found' | 'conflict' | 'forbidden';

/** A refused administrative action. */
export class AccountError extends Error {
  constructor(
    readonly code: AccountErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'AccountError';
  }
}

/** A new API key: 32 random bytes, base64url (43 characters). */
export function generateApiKey(): string {
  return randomBytes(32).toString('base64url');
}

/** How an actor is named in the audit log (`detail.by`). */
export function actorLabel(actor: Actor): string {
  switch (actor.kind) {
    case 'admin':
      return `admin ${actor.username}`;
    case 'api-key':
      return `API key of group ${actor.groupId}`;
    case 'cli':
      return 'command line';
    default: {
      const never: never = actor;
      return String(never);
    }
  }
}

/** A group and its API key, shown this once. */
export interface GroupWithKey {
  group: Group;
  apiKey: string;
}

/** A login key made for testing or for a CRM that does not sign its own. */
export interface IssuedLoginKey {
  loginKey: string;
  /** Unix seconds. */
  expires: number;
  agent: Agent;
}

/** The administrative operations over a store. */
export class Accounts {
  constructor(
    private readonly store: Store,
    private readonly options: { logger?: Logger; now?: () => number } = {},
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  // --- scope --------------------------------------------------------------------------------

  /** Whether `actor` may act on group `groupId`. */
  canManageGroup(actor: Actor, groupId: string): boolean {
    return actor.kind !== 'api-key' || actor.groupId === groupId;
  }

  /** The group, if it exists and `actor` may see it; else "not found". */
  async group(actor: Actor, groupId: string): Promise<Group> {
    const group = this.canManageGroup(actor, groupId)
      ? await this.store.getGroup(groupId)
      : undefined;
    if (!group) throw new AccountError('not-found', `no group ${groupId}`);
    return group;
  }

  /** The agent, if it exists and `actor` may see it; else "not found". */
  async agent(actor: Actor, agentId: number): Promise<Agent> {
    const agent = await this.store.getAgent(agentId);
    if (!agent || !this.canManageGroup(actor, agent.groupId))
      throw new AccountError('not-found', `no agent ${agentId}`);
    return agent;
  }

  // --- groups -------------------------------------------------------------------------------

  /** The groups `actor` may see, by id. */
  async listGroups(actor: Actor): Promise<Group[]> {
    const groups = await this.store.listGroups();
    return groups.filter((group) => this.canManageGroup(actor, group.id));
  }

  /** Creates a group with a generated API key (or the given one). Administrators only. */
  async createGroup(actor: Actor, input: NewGroupInput): Promise<GroupWithKey> {
    if (actor.kind === 'api-key')
      throw new AccountError('forbidden', 'only an administrator can create groups');
    const apiKey = input.apiKey ?? generateApiKey();
    const group = await this.storeCall(() =>
      this.store.createGroup({ id: input.id, name: input.name, apiKey }),
    );
    await this.audit(actor, 'admin.group_created', group.id, { name: group.name });
    return { group, apiKey };
  }

  /** Renames a group. */
  async updateGroup(actor: Actor, groupId: string, patch: GroupPatchInput): Promise<Group> {
    const before = await this.group(actor, groupId);
    if (patch.name === undefined || patch.name === before.name) return before;
    const group = await this.storeCall(() => this.store.updateGroup(groupId, { name: patch.name }));
    if (!group) throw new AccountError('not-found', `no group ${groupId}`);
    await this.audit(actor, 'admin.group_updated', groupId, { name: group.name });
    return group;
  }

  /** Replaces a group's API key with a new one: the old one stops working at once. */
  async rotateApiKey(actor: Actor, groupId: string): Promise<GroupWithKey> {
    await this.group(actor, groupId);
    const apiKey = generateApiKey();
    const group = await this.storeCall(() => this.store.updateGroup(groupId, { apiKey }));
    if (!group) throw new AccountError('not-found', `no group ${groupId}`);
    await this.audit(actor, 'admin.api_key_rotated', groupId, {});
    return { group, apiKey };
  }

  // --- settings -----------------------------------------------------------------------------

  /** A group's settings for one site (defaults filled in). */
  async settings(actor: Actor, groupId: string, site: Site): Promise<SiteSettings> {
    await this.group(actor, groupId);
    return this.store.getSettings(groupId, site);
  }

  /** Merges a validated patch into a site's settings; they apply from the next session. */
  async putSettings(
    actor: Actor,
    groupId: string,
    site: Site,
    patch: SiteSettingsPatchInput,
  ): Promise<SiteSettings> {
    await this.group(actor, groupId);
    const settings = await this.storeCall(() => this.store.putSettings(groupId, site, patch));
    await this.audit(actor, 'admin.settings_changed', groupId, {
      site,
      fields: Object.keys(patch).sort(),
    });
    return settings;
  }

  // --- agents -------------------------------------------------------------------------------

  /** Agents `actor` may see, of one group or all. */
  async listAgents(actor: Actor, groupId?: string): Promise<Agent[]> {
    if (groupId !== undefined) await this.group(actor, groupId);
    const scope = groupId ?? (actor.kind === 'api-key' ? actor.groupId : undefined);
    return this.store.listAgents(scope);
  }

  /** Adds an agent to a group. */
  async createAgent(actor: Actor, groupId: string, input: NewAgentInput): Promise<Agent> {
    await this.group(actor, groupId);
    if (actor.kind === 'api-key' && input.role === 'admin')
      throw new AccountError('forbidden', 'a group API key cannot create administrators', 'role');
    const privileges: AgentPrivileges = {
      ...defaultPrivileges(input.role),
      ...definedOnly(input.privileges ?? {}),
    };
    const agent: NewAgent = {
      groupId,
      username: input.username,
      displayName: input.displayName,
      email: input.email,
      title: input.title,
      partnerUserId: input.partnerUserId,
      passwordHash: input.password ? await hashPassword(input.password) : null,
      role: input.role,
      privileges,
      disabled: input.disabled,
    };
    const created = await this.storeCall(() => this.store.createAgent(agent));
    await this.audit(actor, 'admin.agent_created', groupId, {
      agent: created.username,
      agentId: created.id,
      role: created.role,
    });
    return created;
  }

  /** Changes an agent. A new password or disabling ends the agent's web sessions. */
  async updateAgent(actor: Actor, agentId: number, patch: AgentPatchInput): Promise<Agent> {
    const before = await this.agent(actor, agentId);
    if (actor.kind === 'api-key' && (before.role === 'admin' || patch.role === 'admin'))
      throw new AccountError('forbidden', 'a group API key cannot change administrators', 'role');
    const losesAdmin =
      before.role === 'admin' &&
      !before.disabled &&
      ((patch.role !== undefined && patch.role !== 'admin') || patch.disabled === true);
    if (losesAdmin) await this.ensureAnotherAdmin(before, 'disable or demote');

    const changes: Partial<NewAgent> = definedOnly({
      username: patch.username,
      displayName: patch.displayName,
      email: patch.email,
      title: patch.title,
      partnerUserId: patch.partnerUserId,
      role: patch.role,
      disabled: patch.disabled,
    });
    if (patch.privileges)
      changes.privileges = { ...before.privileges, ...definedOnly(patch.privileges) };
    if (patch.password !== undefined)
      changes.passwordHash = patch.password === null ? null : await hashPassword(patch.password);

    const agent = await this.storeCall(() =>
      this.store.updateAgent(agentId, { ...changes, groupId: before.groupId }),
    );
    if (!agent) throw new AccountError('not-found', `no agent ${agentId}`);
    if (patch.password !== undefined || (patch.disabled === true && !before.disabled))
      await this.store.deleteWebSessionsOfAgent(agentId);
    const fields = Object.keys(changes).map((name) =>
      name === 'passwordHash' ? 'password' : name,
    );
    await this.audit(actor, 'admin.agent_updated', agent.groupId, {
      agent: agent.username,
      agentId,
      fields: fields.sort(),
    });
    return agent;
  }

  /** Deletes an agent (the audit log keeps their entries). */
  async deleteAgent(actor: Actor, agentId: number): Promise<void> {
    const agent = await this.agent(actor, agentId);
    if (actor.kind === 'admin' && actor.agentId === agentId)
      throw new AccountError('forbidden', 'you cannot delete your own account');
    if (actor.kind === 'api-key' && agent.role === 'admin')
      throw new AccountError('forbidden', 'a group API key cannot delete administrators');
    if (agent.role === 'admin' && !agent.disabled) await this.ensureAnotherAdmin(agent, 'delete');
    await this.store.deleteAgent(agentId);
    await this.audit(actor, 'admin.agent_deleted', agent.groupId, {
      agent: agent.username,
      agentId,
    });
  }

  private async ensureAnotherAdmin(agent: Agent, action: string): Promise<void> {
    const admins = (await this.store.listAgents()).filter(
      (other) => other.role === 'admin' && !other.disabled && other.id !== agent.id,
    );
    if (admins.length === 0)
      throw new AccountError(
        'forbidden',
        `cannot ${action} ${agent.username}: it is the last enabled administrator`,
      );
  }

  // --- login keys and audit -----------------------------------------------------------------

  /** A login key for the agent with `partnerUserId` in the group, valid `expiresIn` s. */
  async issueLoginKey(
    actor: Actor,
    groupId: string,
    partnerUserId: string,
    expiresIn: number,
  ): Promise<IssuedLoginKey> {
    const group = await this.group(actor, groupId);
    if (!group.apiKey)
      throw new AccountError('conflict', `group ${groupId} has no API key: rotate one first`);
    const agent = await this.store.findAgentByPartnerUserId(groupId, partnerUserId);
    if (!agent)
      throw new AccountError(
        'not-found',
        `no agent with partner user id "${partnerUserId}" in group ${groupId}`,
        'partnerUserId',
      );
    const expires = Math.floor(this.now() / 1000) + expiresIn;
    const loginKey = createLoginKey(
      { partnerId: groupId, partnerUserId, apiKey: group.apiKey },
      expires,
    );
    return { loginKey, expires, agent };
  }

  /** Audit entries `actor` may read (a group key: its own group's only). */
  async listAudit(actor: Actor, query: AuditQuery): Promise<AuditEntry[]> {
    if (actor.kind === 'api-key') {
      if (query.groupId !== undefined && query.groupId !== actor.groupId)
        throw new AccountError('not-found', `no group ${query.groupId}`, 'groupId');
      return this.store.listAudit({ ...query, groupId: actor.groupId });
    }
    return this.store.listAudit(query);
  }

  // --- helpers ------------------------------------------------------------------------------

  /** Runs a store call, turning its refusals into `AccountError`s. */
  private async storeCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof StoreError && (error.code === 'conflict' || error.code === 'not-found'))
        throw new AccountError(error.code, error.message, conflictField(error.message));
      throw error;
    }
  }

  private async audit(
    actor: Actor,
    event: AuditEvent,
    groupId: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    try {
      await this.store.appendAudit({
        at: this.now(),
        groupId,
        event,
        sessionId: null,
        sessionKey: null,
        agentId: actor.kind === 'admin' ? actor.agentId : null,
        detail: { by: actorLabel(actor), ...detail },
      });
    } catch (error) {
      // The change is made; a lost audit line must not make it look failed.
      this.options.logger?.error({ err: error, event }, 'audit write failed');
    }
  }
}

/** The field a store conflict is about, from its message. */
function conflictField(message: string): string | undefined {
  if (/^username/.test(message)) return 'username';
  if (/^partner user id/.test(message)) return 'partnerUserId';
  if (/API key/.test(message)) return 'apiKey';
  if (/^group .* already exists/.test(message)) return 'id';
  return undefined;
}

/** `value` without its undefined fields (so a patch never writes "undefined"). */
function definedOnly<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
