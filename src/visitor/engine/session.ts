/**
 * One cobrowse session as the visitor's page lives it: a small state machine that wires
 * the recorder, the frame writer and the connection, and turns what happens into Visitor
 * API events (glance-reference §2.4).
 *
 *   starting ──welcome──► active ──ended / stop / final close / conndrop──► ended
 *   continuing ──welcome──┘   (a page load inside a stored session; silent if the session is gone)
 *
 * Events: `sessionstarting` (start), `sessionstart` + `sessioncontinue` (first welcome),
 * `sessioncontinue` (welcome after a page load), `connection` {status}, `agents`,
 * `error` {code, msg, params?}, `sessionend` {reason}, `blur` (another page took over).
 */
import { CloseCode } from '../../shared/protocol/close-codes.js';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.js';
import type { AgentsState, EndReason } from '../../shared/protocol/control.js';
import { Recorder } from '../capture/recorder.js';
import type { VisitorConfig } from '../loader/handoff.js';
import { VisitorConnection, type ConnectionOptions, type HelloBody, type Welcome } from './connection.js';
import { FrameWriter } from './frame-writer.js';
import type { Log } from './log.js';
import { pageInfo, visitorSocketUrl } from './page.js';
import {
  STORED_SESSION_REFRESH_MS,
  clearStoredSession,
  writeStoredSession,
  type StoredSession,
} from './session-store.js';

/** Where a session is in its life. */
export type SessionPhase = 'starting' | 'continuing' | 'active' | 'ended';

/** Details of the visitor, as the server stores them on the session. */
export interface VisitorDetails {
  name?: string;
  email?: string;
  phone?: string;
}

/** A new session: the key to ask for (none = a random numeric code) and the visitor's details. */
export interface SessionRequest {
  key?: string;
  visitor: VisitorDetails;
}

/** What a session needs from the engine around it. */
export interface SessionHost {
  config: VisitorConfig;
  win: Window;
  log: Log;
  /** Fires a Visitor API event. */
  emit(name: string, payload: object): void;
  /** The session is over for this page; `started` says whether it ever became active. */
  released(session: VisitorSession, started: boolean): void;
  /** Test seams for the connection (reconnect schedule, limits). */
  connection?: Partial<Pick<ConnectionOptions, 'reconnect' | 'handshakeTimeoutMs' | 'maxUnackedBytes'>>;
}

/** One session of this page. */
export class VisitorSession {
  phase: SessionPhase;
  /** The session key: requested, stored, or given by the server's welcome. */
  key: string | null;
  randomKey: boolean;
  agents: AgentsState = { count: 0, agentlist: [] };
  private recorder: Recorder | null = null;
  private readonly writer: FrameWriter;
  private readonly connection: VisitorConnection;
  private maskedSelectors = '';
  private errorReported = false;
  private stored: StoredSession | null = null;
  private refreshTimer: ReturnType<typeof setInterval> | null = null;

  /**
   * @param request a new session, or null to continue `stored`
   * @param stored the stored session to continue (a page load inside a session)
   */
  constructor(
    private readonly host: SessionHost,
    private readonly request: SessionRequest | null,
    stored: StoredSession | null,
  ) {
    this.phase = request ? 'starting' : 'continuing';
    this.key = request ? (request.key ?? null) : (stored?.key ?? null);
    this.randomKey = stored?.randomKey ?? false;
    const report = (error: unknown) => host.log.warn('capture error', error);
    this.writer = new FrameWriter({
      send: (frame, kind, seq) => this.connection.sendFrame(frame, kind, seq),
      report,
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
        needKeyframe: () => this.guard(() => void this.recorder?.takeKeyframe()),
        agents: (state) => this.guard(() => this.setAgents(state)),
        ended: (reason) => this.guard(() => this.terminate(reason)),
        serverError: (code, message) => this.guard(() => this.reportError(code, message)),
        reconnecting: () => this.guard(() => host.emit('connection', { status: 'reconnecting' })),
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

  /** Connects; a new session fires `sessionstarting` first. */
  begin(): void {
    if (this.phase === 'starting') this.host.emit('sessionstarting', {});
    this.connection.open();
  }

  /** The visitor ends the session: the server is told (now or on reconnect), the page at once. */
  stop(): void {
    if (this.phase === 'ended') return;
    this.connection.stop();
    this.terminate('visitor', { keepConnection: true, always: true });
  }

  // -------------------------------------------------------------------------------------------

  private hello(): HelloBody {
    const { config, win } = this.host;
    const visitor = this.request?.visitor;
    return {
      type: 'hello',
      v: PROTOCOL_VERSION,
      role: 'visitor',
      groupId: config.groupId,
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
    this.stored = {
      sessionId: message.sessionId,
      key: message.key,
      token: message.token,
      randomKey: message.randomKey,
      groupId: config.groupId,
      site: config.site,
    };
    if (!writeStoredSession(config, this.stored)) {
      this.host.log.warn('cannot store the session info: the session will not continue on the next page');
    }
    const selectors = message.settings.maskedSelectors;

    if (this.phase === 'starting' || this.phase === 'continuing') {
      const continued = this.phase === 'continuing';
      this.phase = 'active';
      this.writer.start(message.nextSeq);
      this.maskedSelectors = selectors.join('\n');
      const recorder = (this.recorder = new Recorder({
        document: this.host.win.document,
        masking: { selectors },
        sink: this.writer,
        report: (error) => this.host.log.warn('capture error', error),
      }));
      recorder.start().catch((error: unknown) => this.host.log.warn('capture error', error));
      if (config.cookieType === 'ls') {
        this.refreshTimer = setInterval(() => {
          if (this.stored) writeStoredSession(config, this.stored);
        }, STORED_SESSION_REFRESH_MS);
      }
      // Glance fires sessioncontinue after sessionstart too, and on every page load in session.
      if (!continued) this.host.emit('sessionstart', {});
      if ((this.phase as SessionPhase) !== 'active') return; // a handler stopped the session
      this.host.emit('sessioncontinue', {});
      if (recorder.maskingFailed) {
        // [MK6] not fatal (the page is masked whole), so not counted as the session's failure.
        const msg = 'a masking selector of the group settings is invalid: the whole page is masked';
        this.host.emit('error', { code: 'maskingerror', msg });
      }
      if (message.agents.count > 0) this.setAgents(message.agents);
      return;
    }

    // A reconnect within this page: repair the stream ([SS5]).
    if (message.needKeyframe || !this.connection.resendFrom(message.nextSeq, this.writer.nextSeq)) {
      this.connection.dropUnacked();
      this.writer.restart(message.nextSeq);
      void this.recorder?.takeKeyframe();
    }
    if (selectors.join('\n') !== this.maskedSelectors) {
      this.maskedSelectors = selectors.join('\n');
      void this.recorder?.setMasking({ selectors });
    }
    this.host.emit('connection', { status: 'ok' });
    if (message.agents.count !== this.agents.count) this.setAgents(message.agents);
  }

  private setAgents(state: AgentsState): void {
    this.agents = state;
    this.host.emit('agents', state);
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
        this.terminate(null, { keepStorage: true });
        this.host.emit('blur', {});
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
    this.host.emit('error', params ? { code, msg, params } : { code, msg });
  }

  /**
   * Ends the session for this page. `sessionend` is fired with `reason` when the session
   * was running (or `always`); a null reason ends silently.
   */
  private terminate(
    reason: EndReason | null,
    options: { keepConnection?: boolean; keepStorage?: boolean; always?: boolean } = {},
  ): void {
    if (this.phase === 'ended') return;
    const started = this.phase === 'active' || this.phase === 'continuing';
    this.phase = 'ended';
    this.recorder?.stop();
    this.writer.close();
    if (!options.keepConnection) this.connection.close();
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    if (!options.keepStorage) clearStoredSession(this.host.config);
    this.host.released(this, started);
    if (reason && (started || options.always)) this.host.emit('sessionend', { reason });
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.host.log.warn('session error', error);
    }
  }
}
