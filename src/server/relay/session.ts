/**
 * A co-browsing session: its participants, its catch-up log and the routing of page
 * frames from the visitor to the agents ([FR5], [FR6], [JN3]–[JN6], [LG1]–[LG3], [SS6]–[SS8]).
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { FrameKind, type FrameHeader } from '../../shared/protocol/frame.js';
import type {
  AgentInfo,
  AgentsState,
  BrowserInfo,
  EndReason,
  ServerToAgent,
  ServerToVisitor,
  SessionState,
  VisitorSettings,
} from '../../shared/protocol/control.js';
import { CloseCode } from '../../shared/protocol/close-codes.js';
import type { LiveSession, Site, SiteSettings } from '../store/store.js';
import { CatchUpLog } from './catch-up-log.js';
import type { AgentIdentity, SessionInfo } from './types.js';

/** The visitor's side of a session, as the session sees it. */
export interface VisitorPeer {
  sendControl(message: ServerToVisitor): void;
  close(code: number): void;
}

/** An agent's side of a session, as the session sees it. */
export interface AgentPeer {
  readonly identity: AgentIdentity;
  /** True until the agent has received a keyframe: deltas would be meaningless to it. */
  needsKeyframe: boolean;
  sendControl(message: ServerToAgent): void;
  /** Sends a page frame, or closes a socket that cannot keep up ([JN6]). */
  sendFrame(frame: Uint8Array): void;
  close(code: number): void;
}

/** What a session asks of its relay. */
export interface SessionHost {
  /** The session wants an ack sent to its visitor soon ([CM2]). */
  scheduleAck(session: Session): void;
  /** The session ended: forget it and record why. */
  sessionEnded(session: Session, reason: EndReason): void;
  /** The session's agent list changed (audit, logs). */
  agentsChanged(session: Session): void;
  /** Something a restart must keep changed (state, sequence, agents ever joined) ([RS1]). */
  sessionChanged(session: Session): void;
}

/** What a session restored after a server restart brings back ([RS3]). */
export interface RestoredSession {
  id: string;
  tokenHash: string;
  startedAt: number;
  state: SessionState;
  nextSeq: number;
  everJoined: boolean;
}

/** SHA-256 (hex) of a resume token: what the store keeps instead of the token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Fields a session starts with. */
export interface SessionInit {
  groupId: string;
  site: Site;
  key: string;
  randomKey: boolean;
  settings: SiteSettings;
  visitor: { name?: string; email?: string; phone?: string };
  page: { url: string; title: string; visible?: boolean | undefined };
  browser: BrowserInfo;
  logBudgetBytes: number;
  visitorGraceMs: number;
  /** Set when the session comes back from the store after a server restart. */
  restored?: RestoredSession;
}

export class Session {
  readonly id: string;
  /**
   * Secret that lets the visitor continue after a reconnect or page load ([SS5]). Empty for
   * a restored session until its visitor proves it knows it (only the hash is stored).
   */
  token: string;
  /** SHA-256 of `token`: what resumes are checked against and what the store keeps. */
  readonly tokenHash: string;
  readonly groupId: string;
  readonly site: Site;
  readonly key: string;
  readonly randomKey: boolean;
  readonly startedAt: number;
  readonly settings: SiteSettings;
  readonly visitorInfo: { name?: string; email?: string; phone?: string };
  /** Remote control, pause, user state, visibility…: restored on every (re)connect. */
  readonly state: SessionState;

  visitor: VisitorPeer | null = null;
  readonly agents = new Set<AgentPeer>();
  readonly log: CatchUpLog;
  /** The sequence number the next keyframe or delta must carry ([FR5]). */
  expectedSeq = 1;
  /** An agent asked for control and the visitor has not answered yet ([RC3]). */
  rcRequested = false;
  /** Whether any agent ever joined (random codes expire while unused). */
  everJoined = false;
  ended = false;
  /**
   * True for a session restored from the store whose visitor has not come back yet: the
   * server lost its log and does not know which frames the visitor sent last ([RS4]).
   */
  restored = false;
  /** The server shut down with the session live: it is kept in the store, not ended ([RS2]). */
  halted = false;

  private gap = false;
  private keyframeRequested = false;
  private graceTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly visitorGraceMs: number;

  constructor(
    init: SessionInit,
    private readonly host: SessionHost,
  ) {
    const restored = init.restored;
    this.id = restored?.id ?? `${init.groupId}.${randomUUID()}`;
    this.token = restored ? '' : randomBytes(24).toString('base64url');
    this.tokenHash = restored?.tokenHash ?? hashToken(this.token);
    this.startedAt = restored?.startedAt ?? Date.now();
    this.groupId = init.groupId;
    this.site = init.site;
    this.key = init.key;
    this.randomKey = init.randomKey;
    this.settings = init.settings;
    this.visitorInfo = init.visitor;
    this.state = {
      rc: { enabled: false, suspended: false },
      paused: { paused: false, message: '' },
      userState: {},
      visible: init.page.visible ?? true,
      screenshare: null,
      accessibility: false,
      page: { url: init.page.url, title: init.page.title, browser: init.browser },
    };
    if (restored) {
      this.state = { ...this.state, ...restored.state };
      this.expectedSeq = Math.max(1, restored.nextSeq);
      this.everJoined = restored.everJoined;
      this.restored = true;
    }
    this.log = new CatchUpLog(init.logBudgetBytes);
    this.visitorGraceMs = init.visitorGraceMs;
  }

  /** Whether `token` is this session's resume token (constant time). Learns it when restored. */
  checkToken(token: string): boolean {
    const given = Buffer.from(hashToken(token), 'hex');
    const expected = Buffer.from(this.tokenHash, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    this.token = token;
    return true;
  }

  /** The `agents` payload (Glance `agents` event). */
  agentsState(): AgentsState {
    const agentlist = [...this.agents].map(({ identity }) => agentInfo(identity));
    return { count: agentlist.length, agentlist };
  }

  /** What the visitor's engine needs of the group's settings. */
  visitorSettings(): VisitorSettings {
    const { maskedSelectors, trustedDomains, allowRemoteControl, termsText, termsUrl } = this.settings;
    return { maskedSelectors, trustedDomains, allowRemoteControl, termsText, termsUrl };
  }

  /** The visitor's page changed (a new page of the session was loaded). */
  pageLoaded(page: { url: string; title: string; visible?: boolean | undefined }, browser: BrowserInfo): void {
    this.state.page = { url: page.url, title: page.title, browser };
    if (page.visible !== undefined) this.state.visible = page.visible;
    this.broadcastToAgents({ type: 'page', ...this.state.page });
    this.host.sessionChanged(this);
  }

  /** A summary for listings. */
  info(): SessionInfo {
    return {
      sessionId: this.id,
      groupId: this.groupId,
      site: this.site,
      key: this.key,
      randomKey: this.randomKey,
      startedAt: this.startedAt,
      visitorConnected: this.visitor !== null,
      agentCount: this.agents.size,
      visitor: this.visitorInfo,
      pageUrl: this.state.page.url,
      pageTitle: this.state.page.title,
    };
  }

  /** What the store keeps of the session so a restart ends it not ([RS1]). */
  toLiveSession(nodeId: string): LiveSession {
    return {
      id: this.id,
      nodeId,
      groupId: this.groupId,
      site: this.site,
      key: this.key,
      randomKey: this.randomKey,
      tokenHash: this.tokenHash,
      visitor: this.visitorInfo,
      startedAt: this.startedAt,
      state: { ...this.state },
      nextSeq: this.expectedSeq,
      everJoined: this.everJoined,
      updatedAt: Date.now(),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Visitor

  /** Attaches the visitor's connection (new session, reconnect or page load). */
  attachVisitor(peer: VisitorPeer): void {
    if (this.graceTimer) {
      clearTimeout(this.graceTimer);
      this.graceTimer = null;
    }
    const previous = this.visitor;
    this.visitor = peer;
    if (previous) previous.close(CloseCode.Superseded);
    else if (this.agents.size > 0) this.broadcastToAgents({ type: 'visitor', connected: true });
  }

  /** The visitor's connection closed without `stop` ([SS7]). */
  detachVisitor(peer: VisitorPeer): void {
    if (this.visitor !== peer || this.ended || this.halted) return;
    this.visitor = null;
    this.broadcastToAgents({ type: 'visitor', connected: false });
    this.awaitVisitor();
  }

  /**
   * Waits `visitorGraceMs` for the visitor, then ends with `timeout` ([SS7]); a restored
   * session starts so ([RS3]).
   */
  awaitVisitor(): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = setTimeout(() => this.end('timeout'), this.visitorGraceMs);
    this.graceTimer.unref();
  }

  /**
   * The server is shutting down: stop every timer and forget the sockets without telling
   * anyone or ending anything; the store keeps the session for the next start ([RS2]).
   */
  halt(): void {
    this.halted = true;
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
    this.visitor = null;
    this.agents.clear();
  }

  /**
   * Routes one page frame from the visitor ([FR5], [FR6], [LG1]–[LG3]). The bytes are
   * forwarded and logged unchanged.
   */
  acceptFrame(frame: Uint8Array, header: FrameHeader): void {
    if (header.kind === FrameKind.Volatile) {
      for (const agent of this.agents) agent.sendFrame(frame);
      return;
    }
    if (header.seq < this.expectedSeq) {
      this.host.scheduleAck(this); // a resend after reconnect: already have it
      return;
    }
    if (header.kind === FrameKind.Keyframe) {
      this.expectedSeq = header.seq + 1;
      this.gap = false;
      this.keyframeRequested = false;
      this.log.setKeyframe(frame, header.seq);
      this.host.sessionChanged(this); // the next epoch's number survives a restart
      for (const agent of this.agents) {
        agent.needsKeyframe = false;
        agent.sendFrame(frame);
      }
      this.host.scheduleAck(this);
      return;
    }
    // A delta.
    if (header.seq > this.expectedSeq || this.gap) {
      // Frames went missing: nothing after the gap makes sense until a keyframe.
      this.gap = true;
      this.requestKeyframe();
      return;
    }
    this.expectedSeq++;
    if (this.log.append(frame) !== 'logged') this.requestKeyframe();
    for (const agent of this.agents) if (!agent.needsKeyframe) agent.sendFrame(frame);
    this.host.scheduleAck(this);
  }

  /** Asks the visitor for a fresh keyframe, once until it arrives. */
  requestKeyframe(): void {
    if (this.keyframeRequested || !this.visitor) return;
    this.keyframeRequested = true;
    this.visitor.sendControl({ type: 'need-keyframe' });
  }

  /** The visitor reconnected: it will resend or re-key as told; forget pending requests. */
  resetKeyframeRequest(): void {
    this.keyframeRequested = false;
  }

  // -------------------------------------------------------------------------------------------
  // Agents

  /** Joins an agent and sends it the catch-up frames ([JN3], [JN4]). */
  join(agent: AgentPeer, afterSeq: number | undefined): void {
    this.agents.add(agent);
    if (!this.everJoined) {
      this.everJoined = true;
      this.host.sessionChanged(this);
    }
    agent.sendControl({
      type: 'joined',
      sessionId: this.id,
      key: this.key,
      groupId: this.groupId,
      startedAt: this.startedAt,
      visitor: this.visitorInfo,
      agents: this.agentsState(),
      state: this.state,
    });
    if (!this.visitor) agent.sendControl({ type: 'visitor', connected: false });
    const frames = this.log.framesFor(afterSeq);
    if (frames) {
      agent.needsKeyframe = false;
      for (const frame of frames) agent.sendFrame(frame);
    } else {
      agent.needsKeyframe = true;
      // No keyframe yet is normal at the very start; a broken log needs a new one.
      if (this.expectedSeq > 1) this.requestKeyframe();
    }
    this.agentsChanged();
  }

  /** An agent left or its socket closed. */
  leave(agent: AgentPeer): void {
    if (!this.agents.delete(agent)) return;
    this.agentsChanged();
  }

  private agentsChanged(): void {
    const state = this.agentsState();
    this.visitor?.sendControl({ type: 'agents', ...state });
    this.broadcastToAgents({ type: 'agents', ...state });
    this.host.agentsChanged(this);
  }

  broadcastToAgents(message: ServerToAgent): void {
    for (const agent of this.agents) agent.sendControl(message);
  }

  /** Sends to the visitor, if connected. */
  toVisitor(message: ServerToVisitor): void {
    this.visitor?.sendControl(message);
  }

  // -------------------------------------------------------------------------------------------
  // End

  /** Ends the session for everyone ([SS6]–[SS8]). Idempotent. */
  end(reason: EndReason): void {
    if (this.ended || this.halted) return;
    this.ended = true;
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
    for (const agent of this.agents) {
      agent.sendControl({ type: 'ended', reason });
      agent.close(CloseCode.Normal);
    }
    this.agents.clear();
    const visitor = this.visitor;
    this.visitor = null;
    if (visitor) {
      visitor.sendControl({ type: 'ended', reason });
      visitor.close(CloseCode.Normal);
    }
    this.log.clear();
    this.host.sessionEnded(this, reason);
  }
}

/** How an agent appears to the visitor and other agents. */
export function agentInfo(identity: AgentIdentity): AgentInfo {
  return {
    username: identity.username,
    name: identity.name,
    title: identity.title,
    partnerid: identity.groupId,
    partneruserid: identity.partnerUserId,
  };
}
