/**
 * One cobrowse session as the visitor's page lives it: a small state machine that wires
 * the capture, the frame writer, the connection and the agents' actions, and turns what
 * happens into Visitor API events (glance-reference §2.4).
 *
 *   starting ──welcome──► active ──ended / stop / final close / conndrop──► ended
 *   continuing ──welcome──┘   (a page load inside a stored session; silent if the session is gone)
 *
 * Events: `sessionstarting` (start), `sessionstart` + `sessioncontinue` (first welcome),
 * `sessioncontinue` (welcome after a page load), `statereceived` (after every welcome, the
 * state restored), `connection` {status}, `agents`, `rc`, `rcrequested`, `confirm`,
 * `sessionpaused`, `screenshare`, `accessibility`, `error` {code, msg, params?},
 * `leavesession` (the visitor stopped), `sessionend` {reason}, `blur` (another page took over),
 * `focus` (this page took the session back from another tab, [TB2]).
 */
import { CloseCode } from '../../shared/protocol/close-codes.js';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.js';
import type { AgentInfo, AgentsState, EndReason, VisitorSettings } from '../../shared/protocol/control.js';
import type { VisitorConfig } from '../loader/handoff.js';
import { AgentActions, type RemoteHost } from '../remote/index.js';
import type { Strings } from '../ui/i18n.js';
import type { Layer } from '../ui/layer.js';
import { VisitorConnection, type ConnectionOptions, type HelloBody, type SessionControl, type VisitorCommand, type Welcome } from './connection.js';
import { FrameWriter } from './frame-writer.js';
import type { Log } from './log.js';
import { isVisible, pageInfo, visitorSocketUrl } from './page.js';
import { SessionCapture } from './session-capture.js';
import { SessionStateStore } from './session-state.js';
import { STORED_SESSION_REFRESH_MS, clearStoredSession, writeStoredSession, type StoredSession } from './session-store.js';

/** Where a session is in its life. */
export type SessionPhase = 'starting' | 'continuing' | 'active' | 'ended';

/** Details of the visitor, as the server stores them on the session. */
export interface VisitorDetails {
  name?: string;
  email?: string;
  phone?: string;
}

/** A new session: its group, the key to ask for (none = a random numeric code) and the visitor's details. */
export interface SessionRequest {
  groupId: string;
  key?: string;
  visitor: VisitorDetails;
}

/** Server error codes that concern one request, not the session: reported, the session goes on. */
const RECOVERABLE_ERRORS = new Set(['rc', 'userstate']);

/** What a session needs from the engine around it. */
export interface SessionHost {
  config: VisitorConfig;
  win: Window;
  log: Log;
  /** The engine's layer (agent pointer, highlights; never captured). */
  layer: Layer;
  /** The visitor UI's texts (announcements of gestures). */
  strings(): Strings;
  /** Fires a Visitor API event. */
  emit(name: string, payload: object): void;
  /** A session message from an agent ([AP1]). */
  message(name: string, data: unknown, from: AgentInfo): void;
  /** The session is over for this page; `started` says whether it ever became active. */
  released(session: VisitorSession, started: boolean): void;
  /** This tab's id (tab.ts), written into the stored session as its holder ([TB3]). */
  tabId?: string;
  /** Test seams for the connection (reconnect schedule, limits). */
  connection?: Partial<Pick<ConnectionOptions, 'reconnect' | 'handshakeTimeoutMs' | 'maxUnackedBytes'>>;
}

/** One session of this page. */
export class VisitorSession {
  phase: SessionPhase;
  /** The session key: requested, stored, or given by the server's welcome. */
  key: string | null;
  randomKey: boolean;
  readonly groupId: string;
  /** The page's copy of the session's state (`getSessionState`, `getUserState`). */
  readonly state = new SessionStateStore();
  private readonly writer: FrameWriter;
  private readonly connection: VisitorConnection;
  private readonly capture: SessionCapture;
  private actions: AgentActions | null = null;
  private settings: VisitorSettings = { maskedSelectors: [], trustedDomains: [], allowRemoteControl: false, termsText: '', termsUrl: '' };
  private errorReported = false;
  private stored: StoredSession | null = null;
  /** Another page or tab continued the session and the server closed ours ([TB1]). */
  superseded = false;
  private refreshTimer: ReturnType<typeof setInterval> | null = null;
  private readonly resumeId: string | null;
  private readonly onVisibility = () => this.connection.send({ type: 'visibility', visible: isVisible(this.host.win) });
  /** What the visitor set before the first welcome: it wins over the state the welcome carries. */
  private readonly early: { paused?: { paused: boolean; message: string }; userState: Map<string, unknown> } = { userState: new Map() };

  /**
   * @param request a new session, or null to continue `stored`
   * @param stored the stored session to continue (a page load inside a session)
   */
  constructor(
    private readonly host: SessionHost,
    private readonly request: SessionRequest | null,
    stored: StoredSession | null,
    private readonly options: { takeover?: boolean } = {},
  ) {
    this.phase = request ? 'starting' : 'continuing';
    this.key = request ? (request.key ?? null) : (stored?.key ?? null);
    this.randomKey = stored?.randomKey ?? false;
    this.groupId = request?.groupId ?? stored?.groupId ?? host.config.groupId;
    this.resumeId = stored?.sessionId ?? null;
    const report = (error: unknown) => host.log.warn('capture error', error);
    this.writer = new FrameWriter({ send: (frame, kind, seq) => this.connection.sendFrame(frame, kind, seq), report });
    this.capture = new SessionCapture({
      win: host.win,
      log: host.log,
      pageSettings: host.config.settings,
      sink: this.writer,
      ignored: [host.layer.host],
      agents: () => this.state.agents,
      emit: (name, payload) => this.emit(name, payload),
    });
    this.connection = new VisitorConnection({
      ...host.connection,
      url: visitorSocketUrl(host.config.server),
      hello: () => this.hello(),
      resume: stored ? { sessionId: stored.sessionId, token: stored.token } : undefined,
      log: host.log,
      win: host.win,
      events: {
        welcome: (message) => this.guard(() => this.onWelcome(message)),
        needKeyframe: () => this.guard(() => this.capture.takeKeyframe()),
        agents: (state) => this.guard(() => this.setAgents(state)),
        ended: (reason) => this.guard(() => this.terminate(reason)),
        serverError: (code, message) => this.guard(() => this.onServerError(code, message)),
        command: (message) => this.guard(() => this.onCommand(message)),
        reconnecting: () => this.guard(() => this.emit('connection', { status: 'reconnecting' })),
        closed: (code) => this.guard(() => this.onFinalClose(code)),
        gaveUp: () =>
          this.guard(() => {
            const server = host.config.server;
            this.reportError('conndrop', `lost the connection to ${server}`, { server });
            this.terminate('error');
          }),
      },
    });
  }

  /** Whether the page is in a session (continuing counts: the stored session says so). */
  get inSession(): boolean {
    return this.phase === 'active' || this.phase === 'continuing';
  }

  /** The session's id, once known (stored, or from the welcome). */
  get sessionId(): string | null {
    return this.stored?.sessionId ?? this.resumeId;
  }

  /** What a page of another domain needs to continue the session ([XD1]); null until the session runs. */
  handOverInfo(): StoredSession | null {
    if (this.phase !== 'active' || !this.stored) return null;
    const { holder: _holder, ...info } = this.stored;
    return info;
  }

  /** The group's trusted domains (and cross-domain helper pages) as the server gave them. */
  get trustedDomains(): readonly string[] {
    return this.settings.trustedDomains;
  }

  /** Whether the whole page is masked (`isPageMasked`). */
  get pageMasked(): boolean {
    return this.capture.pageMasked;
  }

  /** Connects; a new session fires `sessionstarting` first. */
  begin(): void {
    if (this.phase === 'starting') this.emit('sessionstarting', {});
    this.host.win.document.addEventListener('visibilitychange', this.onVisibility);
    this.connection.open();
  }

  /** The visitor ends the session: the server is told (now or on reconnect), the page at once. */
  stop(): void {
    if (this.phase === 'ended') return;
    this.connection.stop();
    // Glance's `leavesession`: the visitor left (as opposed to the session ending on them).
    if (this.phase === 'active' || this.phase === 'continuing') this.emit('leavesession', {});
    this.terminate('visitor', { keepConnection: true, always: true });
  }

  /** Sends a session message to every agent, or to one ([AP1]). */
  sendMessage(name: string, data: unknown, to?: string): void {
    this.connection.send(to ? { type: 'message', name, data, to } : { type: 'message', name, data });
  }

  /** Keeps a user-state value and shares it with agents ([AP2]). */
  setUserState(name: string, value: unknown): void {
    this.state.setUserState(name, value);
    if (this.phase !== 'active') this.early.userState.set(name, value);
    this.connection.send({ type: 'userstate', name, value });
  }

  /** Pauses or resumes sharing ([AP3]): no frames while paused, a fresh keyframe after. */
  pause(paused: boolean, message: string): void {
    if (this.state.paused.paused === paused && (!paused || this.state.paused.message === message)) return;
    this.state.setPaused({ paused, message });
    if (this.phase !== 'active') this.early.paused = { paused, message };
    this.connection.send({ type: 'pause', paused, message });
    this.emit('sessionpaused', this.state.paused);
    if (this.phase !== 'active') return; // capture starts (or not) with the welcome
    if (paused) this.capture.stop();
    else this.capture.start(this.settings.maskedSelectors);
  }

  /** The visitor grants or revokes remote control; false when it cannot be granted now. */
  enableRC(on: boolean): boolean {
    if (!this.actions) {
      this.host.log.error('enableRC: the session has not started yet');
      return false;
    }
    return this.actions.rc.enable(on);
  }

  // -------------------------------------------------------------------------------------------

  private hello(): HelloBody {
    const { config, win } = this.host;
    const visitor = this.request?.visitor;
    return {
      type: 'hello',
      v: PROTOCOL_VERSION,
      role: 'visitor',
      groupId: this.groupId,
      site: config.site,
      key: this.request?.key,
      visitor: visitor && (visitor.name || visitor.email || visitor.phone) ? visitor : undefined,
      page: pageInfo(win),
    };
  }

  private onWelcome(message: Welcome): void {
    const { config } = this.host;
    this.key = message.key;
    this.randomKey = message.randomKey;
    this.settings = message.settings;
    this.stored = {
      sessionId: message.sessionId,
      key: message.key,
      token: message.token,
      randomKey: message.randomKey,
      groupId: this.groupId,
      site: config.site,
    };
    if (this.host.tabId) this.stored.holder = this.host.tabId;
    if (!writeStoredSession(config, this.stored)) {
      this.host.log.warn('cannot store the session info: the session will not continue on the next page');
    }

    if (this.phase === 'starting' || this.phase === 'continuing') {
      const continued = this.phase === 'continuing';
      this.phase = 'active';
      this.writer.start(message.nextSeq);
      this.state.restore(message.state, message.agents);
      // Sent after the hello (queued), so not in this welcome's state yet.
      if (this.early.paused) this.state.setPaused(this.early.paused);
      for (const [name, value] of this.early.userState) this.state.setUserState(name, value);
      this.actions = new AgentActions(this.remoteHost(), this.host.strings);
      if (!this.state.paused.paused) this.capture.start(message.settings.maskedSelectors);
      if (config.cookieType === 'ls') {
        this.refreshTimer = setInterval(() => {
          if (this.stored) writeStoredSession(config, this.stored);
        }, STORED_SESSION_REFRESH_MS);
      }
      // Glance fires sessioncontinue after sessionstart too, and on every page load in session.
      if (!continued) this.emit('sessionstart', {});
      if ((this.phase as SessionPhase) !== 'active') return; // a handler stopped the session
      this.emit('sessioncontinue', {});
      this.emit('statereceived', {});
      // What the state implies is fired again on every page, so a UI built on events shows it.
      if (message.agents.count > 0) this.emit('agents', this.state.agents);
      if (this.state.rc.enabled) this.actions.rc.restore(message.state.rc, true);
      if (this.state.paused.paused) this.emit('sessionpaused', this.state.paused);
      if (this.state.accessibility) this.emit('accessibility', { enabled: true });
      if (message.state.screenshare) this.emit('screenshare', message.state.screenshare);
      // This tab took the session back from another one, which gets `blur` ([TB2]).
      if (this.options.takeover) this.emit('focus', {});
      return;
    }

    // A reconnect within this page: repair the stream ([SS5]).
    if (message.needKeyframe || !this.connection.resendFrom(message.nextSeq, this.writer.nextSeq)) {
      this.connection.dropUnacked();
      this.writer.restart(message.nextSeq);
      this.capture.takeKeyframe();
    }
    this.capture.update(message.settings.maskedSelectors);
    this.emit('connection', { status: 'ok' });
    // The agents' side of the state may have changed meanwhile; the visitor's side is ours.
    if (message.state.accessibility !== this.state.accessibility) this.setAccessibility(message.state.accessibility);
    if (!message.state.rc.enabled) this.actions?.rc.restore(message.state.rc, false);
    if (message.agents.count !== this.state.agents.count) this.setAgents(message.agents);
    this.emit('statereceived', {});
  }

  private onCommand(message: VisitorCommand): void {
    if (this.phase !== 'active') return;
    switch (message.type) {
      case 'message':
        this.host.message(message.name, message.data, message.from);
        return;
      case 'screenshare': {
        const { type: _type, ...state } = message;
        this.state.setScreenshare(state);
        this.emit('screenshare', state);
        return;
      }
      case 'accessibility':
        this.setAccessibility(message.enabled);
        return;
      default:
        this.actions?.command(message);
    }
  }

  private remoteHost(): RemoteHost {
    const { win, log, layer } = this.host;
    return {
      win,
      log,
      layer,
      state: this.state,
      send: (message: SessionControl) => this.connection.send(message),
      emit: (name, payload) => this.emit(name, payload),
      recorder: () => this.capture.recorder,
      epoch: () => this.writer.keyframeSeq,
      settings: () => this.settings,
    };
  }

  private setAgents(agents: AgentsState): void {
    this.state.setAgents(agents);
    this.actions?.agentsChanged(agents);
    // The site's masking may depend on who is watching.
    this.capture.update();
    this.emit('agents', agents);
  }

  private setAccessibility(enabled: boolean): void {
    this.state.setAccessibility(enabled);
    this.emit('accessibility', { enabled });
  }

  private onServerError(code: string, message: string): void {
    if (!RECOVERABLE_ERRORS.has(code)) {
      this.reportError(code, message);
      return;
    }
    // The server refused one request; our copy of the state follows its word.
    if (code === 'rc') this.actions?.rc.restore({ enabled: false, suspended: false }, false);
    this.emit('error', { code, msg: message });
  }

  private onFinalClose(code: number): void {
    switch (code) {
      case CloseCode.DuplicateKey:
        this.reportError('dupkey', `the session key ${this.key ?? ''} is already in use`);
        break;
      case CloseCode.SessionEnded:
        if (this.phase === 'continuing') {
          // The session ended while the visitor was between pages: nothing to continue.
          this.terminate(null);
          return;
        }
        this.reportError('conndrop', 'the session ended while the connection was down', { server: this.host.config.server });
        break;
      case CloseCode.Superseded:
        // Another page or tab of this site continued the session: it keeps the stored info.
        this.superseded = true;
        this.terminate(null, { keepStorage: true });
        this.emit('blur', {});
        return;
      case CloseCode.Normal:
        this.terminate('server');
        return;
      case CloseCode.VersionMismatch:
        this.reportError('service', 'the cobrowse server runs another version: reload the page');
        break;
      default:
        this.reportError('service', `the cobrowse server refused the session (close code ${code})`);
    }
    this.terminate('error');
  }

  /** Fires `error` once per failure: the server's own message wins over our reading of its close code. */
  private reportError(code: string, msg: string, params?: object): void {
    if (this.errorReported) return;
    this.errorReported = true;
    this.emit('error', params ? { code, msg, params } : { code, msg });
  }

  /** Fires an event, keeping the payload of stateful ones for `getSessionState`. */
  private emit(name: string, payload: object): void {
    this.state.record(name, payload);
    this.host.emit(name, payload);
  }

  /**
   * Ends the session for this page. `sessionend` is fired with `reason` when the session
   * was running (or `always`); a null reason ends silently.
   */
  private terminate(reason: EndReason | null, options: { keepConnection?: boolean; keepStorage?: boolean; always?: boolean } = {}): void {
    if (this.phase === 'ended') return;
    const started = this.phase === 'active' || this.phase === 'continuing';
    this.phase = 'ended';
    this.capture.stop();
    this.actions?.dispose();
    this.writer.close();
    if (!options.keepConnection) this.connection.close();
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.host.win.document.removeEventListener('visibilitychange', this.onVisibility);
    if (!options.keepStorage) clearStoredSession(this.host.config);
    this.host.released(this, started);
    if (reason && (started || options.always)) this.emit('sessionend', { reason });
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.host.log.warn('session error', error);
    }
  }
}
