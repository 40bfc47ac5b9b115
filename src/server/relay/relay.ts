/**
 * The relay core: sessions keyed by (group, key), visitor and agent connections, the
 * waiting room, acknowledgements and the session lifecycle (SPEC.md [HS*]–[LG*]).
 *
 * It knows no transport: the WebSocket adapter, tests and benchmarks hand it
 * `PeerSocket`s. It parses every control message once at the boundary; page frames are
 * routed by their 6-byte header only.
 */
import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import { CloseCode } from '../../shared/protocol/close-codes.js';
import type { AgentHello, EndReason, SessionState, VisitorHello } from '../../shared/protocol/control.js';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.js';
import type { Bus } from '../bus/bus.js';
import type { AuditEntry, LiveSession, Store } from '../store/store.js';
import { AgentConnection, type AgentHost, type AgentSessionMessage } from './agent-connection.js';
import { applyPolicy, DEFAULT_POLICY, PolicyRefusal, type AgentAction, type PolicyCheck } from './policy.js';
import { FailureCounter } from './rate-limiter.js';
import { agentInfo, Session, type SessionHost } from './session.js';
import { SessionPersistence } from './session-persistence.js';
import { describeBrowser } from './user-agent.js';
import {
  DEFAULT_RELAY_CONFIG,
  type Connection,
  type ConnectionInfo,
  type PeerSocket,
  type RelayConfig,
  type RelayDeps,
  type SessionInfo,
} from './types.js';
import { VisitorConnection, type VisitorHost, type VisitorSessionMessage } from './visitor-connection.js';

/** Failed key lookups an agent, or an address, may make per minute before being refused (code guessing). */
const MAX_JOIN_FAILURES_PER_MINUTE = 30;
/** Names of user state a session keeps at most ([AP2]). */
const MAX_USER_STATE_ENTRIES = 100;

/** How often a server marks its live sessions in the store as still running, ms. */
export const LIVE_SESSION_TOUCH_MS = 10 * 60_000;
/**
 * Live sessions in the store not written for this long belong to a server that is gone
 * (it would have touched them): any starting server ends them ([RS3]), ms.
 */
export const LIVE_SESSION_STALE_MS = 60 * 60_000;

/** Bus channel on which nodes announce sessions that start (waiting agents elsewhere). */
export const SESSION_STARTED_CHANNEL = 'session-started';

function keyOf(groupId: string, key: string): string {
  return `${groupId}\u0000${key}`;
}


export class Relay implements SessionHost, VisitorHost, AgentHost {
  readonly config: RelayConfig;
  private readonly store: Store;
  private readonly bus: Bus;
  private readonly logger: Logger;
  private readonly authenticateAgent: RelayDeps['authenticateAgent'];

  private readonly sessionsByKey = new Map<string, Session>();
  private readonly sessionsById = new Map<string, Session>();
  private readonly waiting = new Map<string, Set<AgentConnection>>();
  private readonly connections = new Set<VisitorConnection | AgentConnection>();
  private readonly ackQueue = new Set<Session>();
  private ackTimer: ReturnType<typeof setInterval> | null = null;
  private readonly pingTimer: ReturnType<typeof setInterval>;
  private readonly joinFailures = new FailureCounter(MAX_JOIN_FAILURES_PER_MINUTE);
  private readonly policy: readonly PolicyCheck[] = DEFAULT_POLICY;
  private readonly persistence: SessionPersistence;
  private readonly nodeId: string;
  private readonly touchTimer: ReturnType<typeof setInterval>;
  /** Expiry timers of random codes no agent used yet ([SS2]). */
  private readonly codeTimers = new Map<Session, ReturnType<typeof setTimeout>>();
  private closing = false;

  constructor(deps: RelayDeps) {
    this.config = { ...DEFAULT_RELAY_CONFIG, ...deps.config };
    this.store = deps.store;
    this.bus = deps.bus;
    this.logger = deps.logger;
    this.authenticateAgent = deps.authenticateAgent;
    this.nodeId = deps.nodeId ?? 'local';
    this.persistence = new SessionPersistence(this.store, this.nodeId, this.logger);
    this.touchTimer = setInterval(() => this.touchLiveSessions(), LIVE_SESSION_TOUCH_MS);
    this.touchTimer.unref();
    this.pingTimer = setInterval(() => this.ping(), this.config.pingIntervalMs);
    this.pingTimer.unref();
  }

  /** [CM4] one timer pings every open socket. */
  private ping(): void {
    const message = { type: 'ping' as const, t: Date.now() };
    for (const connection of this.connections) {
      if (connection.state === 'open') connection.sendControl(message);
    }
  }

  /** Takes a new visitor socket. */
  acceptVisitor(socket: PeerSocket, info: ConnectionInfo): Connection {
    const connection = new VisitorConnection(socket, info, this.config, this.logger, this);
    if (this.closing) {
      connection.closeWith(CloseCode.ServiceRestart);
      return connection;
    }
    this.connections.add(connection);
    return this.tracked(connection);
  }

  /** Takes a new agent socket. */
  acceptAgent(socket: PeerSocket, info: ConnectionInfo): Connection {
    const connection = new AgentConnection(socket, info, this.config, this.logger, this);
    if (this.closing) {
      connection.closeWith(CloseCode.ServiceRestart);
      return connection;
    }
    this.connections.add(connection);
    return this.tracked(connection);
  }

  /** The live session with this key in this group, if any. */
  findSession(groupId: string, key: string): SessionInfo | undefined {
    return this.sessionsByKey.get(keyOf(groupId, key))?.info();
  }

  /** The live sessions of a group, newest first. */
  listSessions(groupId: string): SessionInfo[] {
    const list: SessionInfo[] = [];
    for (const session of this.sessionsById.values()) if (session.groupId === groupId) list.push(session.info());
    return list.sort((a, b) => b.startedAt - a.startedAt);
  }

  /** Number of live sessions (all groups). */
  get sessionCount(): number {
    return this.sessionsById.size;
  }

  /**
   * Shuts down without ending any session ([RS2]): sessions are halted (no timers, no
   * messages, no audit), every socket is closed with 1012 so clients reconnect, and the
   * store gets the sessions' last state for the next start.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.pingTimer);
    clearInterval(this.touchTimer);
    if (this.ackTimer) clearInterval(this.ackTimer);
    this.ackTimer = null;
    this.ackQueue.clear();
    for (const session of this.sessionsById.values()) {
      session.halt();
      this.clearCodeTimer(session);
    }
    for (const connection of [...this.connections]) connection.closeWith(CloseCode.ServiceRestart);
    this.connections.clear();
    this.waiting.clear();
    await this.persistence.flush();
    this.sessionsById.clear();
    this.sessionsByKey.clear();
  }

  /**
   * Brings back the sessions the store kept (a restart, clean or not: [RS3]). Each waits
   * `visitorGraceMs` from now for its visitor, as if the visitor had just disconnected; a
   * session of a group that no longer exists is forgotten. Call before accepting sockets.
   */
  async restore(): Promise<number> {
    try {
      return await this.restoreStored();
    } catch (error) {
      // The server still starts: only the sessions of before the restart are lost.
      this.logger.error({ err: error }, 'could not restore the live sessions');
      return 0;
    }
  }

  private async restoreStored(): Promise<number> {
    // Sessions of servers gone for good (their visitors are long gone too) end here.
    const stale = await this.store.deleteStaleLiveSessions(Date.now() - LIVE_SESSION_STALE_MS);
    for (const row of stale) {
      this.logger.info({ session: row.id, node: row.nodeId }, 'session of a server that is gone ended');
      this.auditEntry({
        event: 'session.ended',
        groupId: row.groupId,
        sessionId: row.id,
        sessionKey: row.key,
        agentId: null,
        detail: { reason: 'timeout' },
      });
    }
    const rows = await this.store.listLiveSessions(this.nodeId);
    let restored = 0;
    for (const row of rows) {
      if (this.closing) break;
      try {
        if (this.sessionsById.has(row.id)) continue;
        if (!(await this.store.getGroup(row.groupId))) {
          await this.store.deleteLiveSession(row.id);
          continue;
        }
        const settings = await this.store.getSettings(row.groupId, row.site);
        this.restoreSession(row, settings);
        restored++;
      } catch (error) {
        this.logger.error({ err: error, session: row.id }, 'could not restore a live session');
      }
    }
    if (rows.length > 0) {
      this.logger.info({ restored, stored: rows.length }, 'restored live sessions');
      // Restored rows are as old as the server's downtime: mark them current again.
      await this.store.touchLiveSessions(this.nodeId, Date.now());
    }
    return restored;
  }

  private restoreSession(row: LiveSession, settings: Awaited<ReturnType<Store['getSettings']>>): void {
    const state = row.state as Partial<SessionState>;
    const page = state.page ?? { url: '', title: '', browser: { name: '', version: '', platform: '' } };
    const session = new Session(
      {
        groupId: row.groupId,
        site: row.site,
        key: row.key,
        randomKey: row.randomKey,
        settings,
        visitor: row.visitor,
        page: { url: page.url, title: page.title },
        browser: page.browser,
        logBudgetBytes: this.config.maxLogBytes,
        visitorGraceMs: this.config.visitorGraceMs,
        restored: {
          id: row.id,
          tokenHash: row.tokenHash,
          startedAt: row.startedAt,
          state: state as SessionState,
          nextSeq: row.nextSeq,
          everJoined: row.everJoined,
        },
      },
      this,
    );
    const holder = this.sessionsByKey.get(keyOf(session.groupId, session.key));
    if (!holder || holder.startedAt <= session.startedAt) {
      this.sessionsByKey.set(keyOf(session.groupId, session.key), session);
    }
    this.sessionsById.set(session.id, session);
    session.awaitVisitor();
    if (session.randomKey && !session.everJoined) {
      const expiresAt = session.startedAt + settings.sessionCodeExpiryMinutes * 60_000;
      this.expireUnusedCode(session, Math.max(0, expiresAt - Date.now()));
    }
    this.logger.info({ session: session.id, key: session.key, group: session.groupId }, 'session restored');
  }

  // -------------------------------------------------------------------------------------------
  // Visitor handshake

  async helloVisitor(connection: VisitorConnection, hello: VisitorHello): Promise<void> {
    if (hello.v !== PROTOCOL_VERSION) {
      connection.closeWith(CloseCode.VersionMismatch);
      return;
    }
    const group = await this.store.getGroup(hello.groupId);
    if (connection.isClosed) return;
    if (!group) {
      connection.sendControl({ type: 'error', code: 'service', message: `unknown group ${hello.groupId}` });
      connection.closeWith(CloseCode.Forbidden);
      return;
    }

    if (hello.resume) {
      const session = this.sessionsById.get(hello.resume.sessionId);
      if (!session || session.ended) {
        connection.closeWith(CloseCode.SessionEnded);
        return;
      }
      if (session.groupId !== hello.groupId || !session.checkToken(hello.resume.token)) {
        connection.closeWith(CloseCode.Forbidden);
        return;
      }
      if (session.restored) {
        // [RS4] the log is gone: number on from what the visitor saw acknowledged (never
        // below what the store knew, so a keyframe epoch is not reused) and ask for a keyframe.
        session.restored = false;
        session.expectedSeq = Math.max(session.expectedSeq, hello.resume.ackedSeq + 1);
      }
      session.pageLoaded(hello.page, describeBrowser(connection.info.userAgent));
      this.startVisitor(connection, session, true);
      return;
    }

    const settings = await this.store.getSettings(hello.groupId, hello.site);
    if (connection.isClosed) return;
    let key = hello.key;
    if (key !== undefined) {
      const holder = this.sessionsByKey.get(keyOf(hello.groupId, key));
      if (holder) {
        if (holder.visitor && !settings.allowDuplicateKeys) {
          connection.sendControl({ type: 'error', code: 'dupkey', message: `session key ${key} is in use` });
          connection.closeWith(CloseCode.DuplicateKey);
          return;
        }
        // [SS3] the holder's visitor is gone (or duplicates are allowed): the new session takes the key.
        if (!holder.visitor) holder.end('visitor');
      }
    } else {
      key = this.randomKey(hello.groupId, settings.randomKeyLength);
    }

    const session = new Session(
      {
        groupId: hello.groupId,
        site: hello.site,
        key,
        randomKey: hello.key === undefined,
        settings,
        visitor: hello.visitor ?? {},
        page: hello.page,
        browser: describeBrowser(connection.info.userAgent),
        logBudgetBytes: this.config.maxLogBytes,
        visitorGraceMs: this.config.visitorGraceMs,
      },
      this,
    );
    this.sessionsByKey.set(keyOf(session.groupId, session.key), session);
    this.sessionsById.set(session.id, session);
    if (session.randomKey) this.expireUnusedCode(session, settings.sessionCodeExpiryMinutes * 60_000);
    this.logger.info({ session: session.id, key: session.key, group: session.groupId }, 'session started');
    this.audit({ event: 'session.started', session, detail: { site: session.site, url: session.state.page.url } });
    this.persistence.changed(session);
    this.startVisitor(connection, session, false);

    // [JN2] agents waiting for this key join now; other nodes hear of it on the bus.
    const waiters = this.waiting.get(keyOf(session.groupId, session.key));
    if (waiters) {
      this.waiting.delete(keyOf(session.groupId, session.key));
      for (const agent of waiters) {
        agent.waitingFor = null;
        if (!agent.isClosed) this.joinSession(agent, session, undefined);
      }
    }
    this.bus
      .publish(SESSION_STARTED_CHANNEL, { type: 'session-started', groupId: session.groupId, key: session.key })
      .catch((error: unknown) => this.logger.warn({ err: error }, 'bus publish failed'));
  }

  private startVisitor(connection: VisitorConnection, session: Session, resumed: boolean): void {
    connection.session = session;
    connection.state = 'open';
    session.attachVisitor(connection);
    session.resetKeyframeRequest();
    connection.sendControl({
      type: 'welcome',
      v: PROTOCOL_VERSION,
      sessionId: session.id,
      key: session.key,
      randomKey: session.randomKey,
      token: session.token,
      resumed,
      nextSeq: session.expectedSeq,
      needKeyframe: resumed && !session.log.servable,
      settings: session.visitorSettings(),
      agents: session.agentsState(),
      state: session.state,
    });
  }

  /** A random numeric code no live session of the group uses ([SS2]). */
  private randomKey(groupId: string, length: number): string {
    for (let digits = Math.max(3, Math.min(length, 9)); ; digits++) {
      for (let attempt = 0; attempt < 20; attempt++) {
        const code = String(randomInt(0, 10 ** digits)).padStart(digits, '0');
        if (!this.sessionsByKey.has(keyOf(groupId, code))) return code;
      }
    }
  }

  private expireUnusedCode(session: Session, afterMs: number): void {
    const timer = setTimeout(() => {
      this.codeTimers.delete(session);
      if (!session.everJoined && !session.ended) session.end('timeout');
    }, afterMs);
    timer.unref();
    // Cleared when the session ends, so an ended session is not held until the code expires.
    this.codeTimers.set(session, timer);
  }

  private clearCodeTimer(session: Session): void {
    const timer = this.codeTimers.get(session);
    if (timer) clearTimeout(timer);
    this.codeTimers.delete(session);
  }

  // -------------------------------------------------------------------------------------------
  // Agent handshake

  async helloAgent(connection: AgentConnection, hello: AgentHello): Promise<void> {
    if (hello.v !== PROTOCOL_VERSION) {
      connection.closeWith(CloseCode.VersionMismatch);
      return;
    }
    const identity = await this.authenticateAgent(hello.ticket);
    if (connection.isClosed) return;
    if (!identity) {
      connection.closeWith(CloseCode.Unauthorized);
      return;
    }
    connection.identity = identity;
    if (!identity.privileges.view) {
      connection.closeWith(CloseCode.Forbidden);
      return;
    }
    const failureKeys = [`agent:${identity.agentId}`, `ip:${connection.info.ip}`];
    if (failureKeys.some((key) => this.joinFailures.blocked(key))) {
      connection.closeWith(CloseCode.RateLimited);
      return;
    }
    connection.state = 'open';
    // [JN1] only the agent's own group is searched: another group's key looks unknown.
    const session = this.sessionsByKey.get(keyOf(identity.groupId, hello.key));
    if (session) {
      this.joinSession(connection, session, hello.afterSeq);
      return;
    }
    // Waiting for an unknown key counts as a failed lookup too: "waiting" versus "joined"
    // would otherwise let anyone test codes one by one.
    for (const key of failureKeys) this.joinFailures.fail(key);
    if (!hello.wait) {
      connection.closeWith(CloseCode.NoSession);
      return;
    }
    const waitKey = keyOf(identity.groupId, hello.key);
    let set = this.waiting.get(waitKey);
    if (!set) this.waiting.set(waitKey, (set = new Set()));
    set.add(connection);
    connection.waitingFor = waitKey;
    connection.sendControl({ type: 'waiting', key: hello.key });
  }

  private joinSession(connection: AgentConnection, session: Session, afterSeq: number | undefined): void {
    connection.session = session;
    session.join(connection, afterSeq);
    this.logger.info({ session: session.id, agent: connection.identity.username }, 'agent joined');
    this.audit({ event: 'agent.joined', session, agentId: connection.identity.agentId });
  }

  agentLeft(connection: AgentConnection, reason: 'left' | 'disconnected'): void {
    this.connections.delete(connection);
    if (connection.waitingFor) {
      const set = this.waiting.get(connection.waitingFor);
      set?.delete(connection);
      if (set?.size === 0) this.waiting.delete(connection.waitingFor);
      connection.waitingFor = null;
    }
    const session = connection.session;
    if (!session) return;
    connection.session = null;
    if (session.ended || !session.agents.has(connection)) return;
    session.leave(connection);
    this.audit({ event: 'agent.left', session, agentId: connection.identity.agentId, detail: { reason } });
  }

  // -------------------------------------------------------------------------------------------
  // Session messages

  visitorMessage(_connection: VisitorConnection, session: Session, message: VisitorSessionMessage): void {
    const state = session.state;
    if (message.type !== 'message') this.persistence.changed(session);
    switch (message.type) {
      case 'message': {
        // [AP1] to every agent, or privately to one.
        for (const agent of session.agents) {
          if (!message.to || agent.identity.username === message.to) {
            agent.sendControl({ type: 'message', name: message.name, data: message.data });
          }
        }
        return;
      }
      case 'userstate': {
        if (!(message.name in state.userState) && Object.keys(state.userState).length >= MAX_USER_STATE_ENTRIES) {
          session.toVisitor({ type: 'error', code: 'userstate', message: `at most ${MAX_USER_STATE_ENTRIES} user state names` });
          return;
        }
        state.userState[message.name] = message.value;
        session.broadcastToAgents({ type: 'userstate', name: message.name, value: message.value });
        return;
      }
      case 'pause':
        state.paused = { paused: message.paused, message: message.paused ? (message.message ?? '') : '' };
        session.broadcastToAgents({ type: 'paused', ...state.paused });
        return;
      case 'rc': {
        if (message.enabled && !session.settings.allowRemoteControl) {
          session.toVisitor({ type: 'error', code: 'rc', message: 'remote control is off for this group' });
          return;
        }
        const was = state.rc.enabled;
        session.rcRequested = false;
        state.rc = { enabled: message.enabled, suspended: message.enabled && message.suspended === true };
        session.broadcastToAgents({ type: 'rc', ...state.rc });
        if (!was && message.enabled) this.audit({ event: 'rc.granted', session });
        if (was && !message.enabled) this.audit({ event: 'rc.ended', session, detail: { by: 'visitor' } });
        return;
      }
      case 'rc-declined':
        session.rcRequested = false;
        session.broadcastToAgents({ type: 'rc-declined' });
        this.audit({ event: 'rc.declined', session });
        return;
      case 'visibility':
        state.visible = message.visible;
        session.broadcastToAgents({ type: 'visibility', visible: message.visible });
        return;
      default:
        message satisfies never;
    }
  }

  agentMessage(connection: AgentConnection, session: Session, message: AgentSessionMessage): void {
    const agent = connection.identity;
    const from = agentInfo(agent);
    const state = session.state;
    if (message.type === 'accessibility' || message.type === 'rc-request' || message.type === 'screenshare') {
      this.persistence.changed(session);
    }
    switch (message.type) {
      case 'message':
        session.toVisitor({ type: 'message', name: message.name, data: message.data, from });
        return;
      case 'pointer':
        session.toVisitor({ type: 'agent-pointer', x: message.x, y: message.y, agent: from });
        return;
      case 'gesture':
        session.toVisitor({ type: 'gesture', epoch: message.epoch, x: message.x, y: message.y, agent: from, ...(message.target ? { target: message.target } : {}) });
        return;
      case 'accessibility':
        state.accessibility = message.enabled;
        session.toVisitor({ type: 'accessibility', enabled: message.enabled });
        session.broadcastToAgents({ type: 'accessibility', enabled: message.enabled });
        return;
      case 'rc-request': {
        const action = this.permitted(connection, session, { kind: 'rc-request', enable: message.enable });
        if (!action) return;
        if (message.enable) {
          session.rcRequested = true;
          session.toVisitor({ type: 'rc-request', agent: from });
          this.audit({ event: 'rc.requested', session, agentId: agent.agentId });
        } else if (session.rcRequested && !state.rc.enabled) {
          // [RC3] withdrawn before the visitor answered: the visitor's prompt closes.
          session.rcRequested = false;
          session.toVisitor({ type: 'rc', enabled: false, suspended: false });
          session.broadcastToAgents({ type: 'rc', ...state.rc });
        } else if (state.rc.enabled) {
          state.rc = { enabled: false, suspended: false };
          session.toVisitor({ type: 'rc', ...state.rc });
          session.broadcastToAgents({ type: 'rc', ...state.rc });
          this.audit({ event: 'rc.ended', session, agentId: agent.agentId, detail: { by: 'agent' } });
        }
        return;
      }
      case 'rc-event': {
        const action = this.permitted(connection, session, { kind: 'rc-event', event: message.event });
        if (!action) return;
        session.toVisitor({ type: 'rc-event', epoch: message.epoch, event: message.event, agent: from });
        // What was done, never what was typed.
        const event = message.event;
        this.audit({
          event: 'rc.action',
          session,
          agentId: agent.agentId,
          detail: { kind: event.kind, ...('target' in event && event.target ? { target: event.target } : {}), ...(event.kind === 'text' ? { length: event.text.length } : {}) },
        });
        return;
      }
      case 'navigate': {
        const { type: _type, ...request } = message;
        const action = this.permitted(connection, session, { kind: 'navigate', request });
        if (!action || action.kind !== 'navigate') return;
        session.toVisitor({ type: 'navigate', ...action.request, agent: from });
        this.audit({ event: 'navigate.sent', session, agentId: agent.agentId, detail: { url: action.request.url } });
        return;
      }
      case 'screenshare': {
        if (!this.permitted(connection, session, { kind: 'screenshare' })) return;
        const params = message.params ?? {};
        const view = typeof params['screenshareView'] === 'string' ? params['screenshareView'] : 'glance_screenshare';
        const current = state.screenshare;
        switch (message.action) {
          case 'add':
            state.screenshare = { screenshareView: view, state: 'new', paused: false, params };
            break;
          case 'pause':
          case 'resume':
            if (!current) return;
            state.screenshare = { ...current, state: 'continued', paused: message.action === 'pause' };
            break;
          case 'close':
            if (!current) return;
            state.screenshare = null;
            break;
        }
        const payload = state.screenshare ?? { ...current!, state: 'ended' as const, paused: false };
        session.toVisitor({ type: 'screenshare', ...payload });
        session.broadcastToAgents({ type: 'screenshare', ...payload });
        return;
      }
      default:
        message satisfies never;
    }
  }

  /** Runs the policy; on refusal tells the agent, audits, and returns null ([RC1], [NV2]). */
  private permitted(connection: AgentConnection, session: Session, action: AgentAction): AgentAction | null {
    try {
      return applyPolicy(this.policy, action, {
        agent: connection.identity,
        settings: session.settings,
        controlGranted: session.state.rc.enabled,
        pageUrl: session.state.page.url,
      });
    } catch (error) {
      if (!(error instanceof PolicyRefusal)) throw error;
      connection.sendControl({ type: 'denied', action: error.action, reason: error.reason });
      const event = error.action === 'navigate' ? 'navigate.refused' : 'rc.refused';
      if (error.action !== 'screenshare') {
        this.audit({ event, session, agentId: connection.identity.agentId, detail: { action: error.action, reason: error.reason } });
      }
      return null;
    }
  }

  // -------------------------------------------------------------------------------------------
  // SessionHost

  scheduleAck(session: Session): void {
    this.ackQueue.add(session);
    if (this.ackTimer) return;
    // One timer for every session: acks for thousands of sessions cost one wake-up per tick.
    this.ackTimer = setInterval(() => this.flushAcks(), this.config.ackIntervalMs);
    this.ackTimer.unref();
  }

  private flushAcks(): void {
    if (this.ackQueue.size === 0) {
      if (this.ackTimer) clearInterval(this.ackTimer);
      this.ackTimer = null;
      return;
    }
    for (const session of this.ackQueue) session.visitor?.sendControl({ type: 'ack', seq: session.expectedSeq - 1 });
    this.ackQueue.clear();
  }

  sessionEnded(session: Session, reason: EndReason): void {
    const key = keyOf(session.groupId, session.key);
    if (this.sessionsByKey.get(key) === session) this.sessionsByKey.delete(key);
    this.sessionsById.delete(session.id);
    this.ackQueue.delete(session);
    this.clearCodeTimer(session);
    this.persistence.ended(session);
    this.logger.info({ session: session.id, reason }, 'session ended');
    this.audit({ event: 'session.ended', session, detail: { reason } });
  }

  sessionChanged(session: Session): void {
    this.persistence.changed(session);
  }

  agentsChanged(session: Session): void {
    this.logger.debug({ session: session.id, agents: session.agents.size }, 'agents changed');
  }

  // -------------------------------------------------------------------------------------------

  private tracked<C extends VisitorConnection | AgentConnection>(connection: C): Connection {
    return {
      receive: (data, isBinary) => connection.receive(data, isBinary),
      closed: (code) => {
        connection.closed(code);
        this.connections.delete(connection);
      },
    };
  }

  /** Marks this server's live sessions in the store as still running. */
  private touchLiveSessions(): void {
    if (this.sessionsById.size === 0) return;
    this.store
      .touchLiveSessions(this.nodeId, Date.now())
      .catch((error: unknown) => this.logger.warn({ err: error }, 'could not touch the live sessions'));
  }

  private audit(input: {
    event: AuditEntry['event'];
    session: Session;
    agentId?: number;
    detail?: Record<string, unknown>;
  }): void {
    this.auditEntry({
      groupId: input.session.groupId,
      event: input.event,
      sessionId: input.session.id,
      sessionKey: input.session.key,
      agentId: input.agentId ?? null,
      detail: input.detail ?? {},
    });
  }

  private auditEntry(fields: Omit<AuditEntry, 'at' | 'id'>): void {
    const entry: AuditEntry = { at: Date.now(), ...fields };
    this.store.appendAudit(entry).catch((error: unknown) => this.logger.error({ err: error }, 'audit write failed'));
  }
}
