/**
 * The `Store` interface (DESIGN §3.8): accounts, groups, settings, web sessions, audit log.
 * Two implementations behind one SQL layer (Kysely): SQLite (embedded default) and
 * PostgreSQL. Code above this interface does not know which one runs.
 */

/** Which settings set a page uses (the script tag's `data-site`). */
export type Site = 'staging' | 'production';

/** A group's settings for one site. Every field has a default (`DEFAULT_SITE_SETTINGS`). */
export interface SiteSettings {
  /** CSS selectors masked in addition to `glance_masked` markup. */
  maskedSelectors: string[];
  /** Hosts (e.g. `shop.example.com`, `*.example.com`) the agent may navigate the visitor to and the session may follow. */
  trustedDomains: string[];
  /** Digits of a server-generated session code. */
  randomKeyLength: number;
  /** Whether two live sessions may share a key. */
  allowDuplicateKeys: boolean;
  /** Whether agents may request remote control. */
  allowRemoteControl: boolean;
  /** Text of the visitor's terms dialog; empty for the default text. */
  termsText: string;
  /** Link shown in the terms dialog; empty for none. */
  termsUrl: string;
  /** Minutes a random session code stays valid while no agent has joined. */
  sessionCodeExpiryMinutes: number;
}

/** What a site's settings are until an administrator changes them. */
export const DEFAULT_SITE_SETTINGS: Readonly<SiteSettings> = Object.freeze({
  maskedSelectors: [],
  trustedDomains: [],
  randomKeyLength: 4,
  allowDuplicateKeys: false,
  allowRemoteControl: true,
  termsText: '',
  termsUrl: '',
  sessionCodeExpiryMinutes: 30,
});

/** A group: one customer site or team, with its own agents, settings and API key. */
export interface Group {
  /** 4–6 digits. */
  id: string;
  name: string;
  /**
   * Secret that signs SSO login keys and authenticates REST calls for the group; null when
   * the group has none. Stored encrypted (`secret-box.ts`); the store hands it out in clear.
   */
  apiKey: string | null;
  createdAt: number;
}

/** `admin` manages the installation; `agent` joins sessions of their group; `viewer` only views. */
export type AgentRole = 'admin' | 'agent' | 'viewer';

/** What an agent may do in a session (narrowed by the role: `effectivePrivileges`). */
export interface AgentPrivileges {
  view: boolean;
  remoteControl: boolean;
  navigate: boolean;
  screenShare: boolean;
}

/** A person who joins sessions (and, as `admin`, administers). */
export interface Agent {
  id: number;
  groupId: string;
  username: string;
  displayName: string;
  email: string;
  title: string;
  /** The CRM's id for this agent (Glance `partneruserid`). */
  partnerUserId: string;
  /** scrypt hash; null for SSO-only agents. */
  passwordHash: string | null;
  role: AgentRole;
  privileges: AgentPrivileges;
  disabled: boolean;
  createdAt: number;
}

/** An agent before the store gives it an id and a creation time. */
export type NewAgent = Omit<Agent, 'id' | 'createdAt'>;

/** A signed-in browser session (the cookie holds the id; the store keeps its hash). */
export interface WebSession {
  idHash: string;
  agentId: number;
  csrfToken: string;
  expiresAt: number;
  createdAt: number;
}

/**
 * Every audit event (the `AuditEvent` type is made from this list: add new events here).
 * Sessions (`session.*`, `agent.joined/left`, `rc.*`, `navigate.*`) are written by the
 * relay; sign-ins by the HTTP layer; administration (`admin.*`) by the admin UI, the REST
 * API and the CLI, with who did it in `detail.by`.
 */
export const AUDIT_EVENTS = Object.freeze([
  'session.started',
  'session.ended',
  'agent.joined',
  'agent.left',
  'rc.requested',
  'rc.granted',
  'rc.declined',
  'rc.ended',
  'rc.refused',
  'rc.action',
  'navigate.sent',
  'navigate.refused',
  'agent.login',
  'agent.login_failed',
  'admin.group_created',
  'admin.group_updated',
  'admin.api_key_rotated',
  'admin.settings_changed',
  'admin.agent_created',
  'admin.agent_updated',
  'admin.agent_deleted',
] as const);

/** An audit event name. */
export type AuditEvent = (typeof AUDIT_EVENTS)[number];

/** One line of the audit log. */
export interface AuditEntry {
  id?: number;
  at: number;
  groupId: string;
  event: AuditEvent;
  sessionId: string | null;
  sessionKey: string | null;
  agentId: number | null;
  /** Free-form details (reason, url, …). */
  detail: Record<string, unknown>;
}

/** Which audit entries `listAudit` returns; every field narrows the result. */
export interface AuditQuery {
  groupId?: string;
  agentId?: number;
  sessionKey?: string;
  event?: AuditEvent;
  /** Earliest time, ms since the epoch, inclusive. */
  from?: number;
  /** Latest time, ms since the epoch, inclusive. */
  to?: number;
  /**
   * Only entries older than this one (newest-first paging: pass the last entry of the
   * previous page). Entries are ordered by time, then id.
   */
  before?: { at: number; id: number };
  /** Most entries returned. Default 100, at most 1000. */
  limit?: number;
}

/**
 * A live co-browsing session as the store keeps it, so a server restart ends no session
 * (SPEC.md [RS1]). Its identity and state only: never page frames. Written when the
 * session starts or changes, deleted when it ends.
 */
export interface LiveSession {
  /** The session id (`<group>.<uuid>`). */
  id: string;
  /**
   * The server that runs the session (its node id): a server restores only its own sessions,
   * so servers sharing one PostgreSQL database never take each other's.
   */
  nodeId: string;
  groupId: string;
  site: Site;
  key: string;
  /** Whether the key is a server-made code (it expires while no agent joined). */
  randomKey: boolean;
  /** SHA-256 (hex) of the visitor's resume token: the token itself is never stored. */
  tokenHash: string;
  /** What the visitor said about themself (`hello.visitor`). */
  visitor: { name?: string; email?: string; phone?: string };
  /** ms since the epoch. */
  startedAt: number;
  /** The session state of the protocol (remote control, pause, user state, page…), as JSON. */
  state: Record<string, unknown>;
  /** The sequence number the visitor's next frame was to carry when last written. */
  nextSeq: number;
  /** Whether an agent ever joined. */
  everJoined: boolean;
  /** ms since the epoch of the last write. */
  updatedAt: number;
}

/** Persistent state of a server (one per process; PostgreSQL shared by a cluster). */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Runs pending migrations. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  /**
   * Stores `value` under `key` unless the key has a value already, atomically (two cluster
   * nodes starting together on an empty database agree on one value). Returns the stored value.
   */
  setMetaIfAbsent(key: string, value: string): Promise<string>;

  getGroup(id: string): Promise<Group | undefined>;
  /** The group whose API key is `apiKey` (REST bearer authentication). */
  findGroupByApiKey(apiKey: string): Promise<Group | undefined>;
  listGroups(): Promise<Group[]>;
  createGroup(group: Omit<Group, 'createdAt'>): Promise<Group>;
  updateGroup(
    id: string,
    patch: Partial<Pick<Group, 'name' | 'apiKey'>>,
  ): Promise<Group | undefined>;

  /** The group's settings for a site, with defaults for anything never set. */
  getSettings(groupId: string, site: Site): Promise<SiteSettings>;
  /** Merges `patch` into the stored settings and returns the result. */
  putSettings(groupId: string, site: Site, patch: Partial<SiteSettings>): Promise<SiteSettings>;

  getAgent(id: number): Promise<Agent | undefined>;
  findAgentByUsername(username: string): Promise<Agent | undefined>;
  findAgentByPartnerUserId(groupId: string, partnerUserId: string): Promise<Agent | undefined>;
  listAgents(groupId?: string): Promise<Agent[]>;
  createAgent(agent: NewAgent): Promise<Agent>;
  updateAgent(id: number, patch: Partial<NewAgent>): Promise<Agent | undefined>;
  deleteAgent(id: number): Promise<boolean>;

  createWebSession(session: WebSession): Promise<void>;
  getWebSession(idHash: string): Promise<WebSession | undefined>;
  deleteWebSession(idHash: string): Promise<void>;
  deleteExpiredWebSessions(now: number): Promise<number>;
  /** Ends every web session of an agent (password changed, disabled); returns how many. */
  deleteWebSessionsOfAgent(agentId: number): Promise<number>;

  appendAudit(entry: AuditEntry): Promise<void>;
  listAudit(query: AuditQuery): Promise<AuditEntry[]>;

  /** Inserts or replaces a live session (by id). A session of an unknown group is ignored. */
  putLiveSession(session: LiveSession): Promise<void>;
  /** Forgets a live session (it ended); unknown ids are ignored. */
  deleteLiveSession(id: string): Promise<void>;
  /** The live sessions of one server (all when `nodeId` is undefined), oldest first. */
  listLiveSessions(nodeId?: string): Promise<LiveSession[]>;
  /** Marks every live session of a server as current (`updatedAt = at`): it still runs them. */
  touchLiveSessions(nodeId: string, at: number): Promise<void>;
  /**
   * Deletes the live sessions of any server not written since `before` (their server is
   * gone for good) and returns them.
   */
  deleteStaleLiveSessions(before: number): Promise<LiveSession[]>;
}
