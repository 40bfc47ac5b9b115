/**
 * `GLANCE.Cobrowse.Visitor` (glance-reference §2.3): the session methods, the event
 * subscription and `readyState`. It replaces the loader's stub and drains its queue
 * (index.ts). Every method is guarded: a bug of ours or a bad argument logs a console
 * error and never throws into the page.
 */
import type { ForwardTarget, StartParams, VisitorConfig, VisitorListener } from '../loader/handoff.js';
import { EventEmitter } from './events.js';
import type { Log } from './log.js';
import { isTopLevel } from './page.js';
import { VisitorSession, type SessionHost, type VisitorDetails } from './session.js';
import type { StoredSession } from './session-store.js';

/** Glance's `readyState` values; 0 before any session. */
export const READYSTATE = Object.freeze({
  sessionstarting: 1,
  sessionstart: 2,
  sessioncontinue: 3,
  statereceived: 4,
  sessionend: 5,
});

/** The key argument that asks for a server-generated numeric code. */
export const RANDOM_KEY = 'GLANCE_KEYTYPE_RANDOM';

/** Session keys ([SS1]); the same rule as `SESSION_KEY_PATTERN` in protocol/control.ts (not imported: it pulls in valibot). */
const SESSION_KEY = /^[A-Za-z0-9_-]{1,50}$/;

/** Glance's limits of the visitor details, characters (glance-reference §2.2, the server's schema). */
const DETAIL_LIMITS = { name: 63, email: 127, phone: 31 } as const;

/** The public object installed as `GLANCE.Cobrowse.Visitor`. */
export interface VisitorApi extends ForwardTarget {
  readonly loaded: true;
  readonly READYSTATE: typeof READYSTATE;
  /** 0 before any session, then the `READYSTATE` value of the last session event. */
  readonly readyState: number;
}

/** Options of the controller. */
export interface VisitorControllerOptions {
  config: VisitorConfig;
  win: Window;
  log: Log;
  /** Test seams for every session's connection. */
  connection?: SessionHost['connection'];
}

/** Holds the page's session and implements the API on top of it. */
export class VisitorController {
  readonly api: VisitorApi;
  private readonly events: EventEmitter;
  private session: VisitorSession | null = null;
  private readyState = 0;
  private startParams: StartParams | undefined;
  private readonly host: SessionHost;

  constructor(private readonly options: VisitorControllerOptions) {
    const { log } = options;
    this.events = new EventEmitter((message, error) => log.error(message, error));
    this.host = {
      config: options.config,
      win: options.win,
      log,
      connection: options.connection,
      emit: (name, payload) => {
        const state = READYSTATE[name as keyof typeof READYSTATE];
        if (state !== undefined) this.readyState = state;
        this.events.emit(name, payload);
      },
      released: (session) => {
        if (this.session !== session) return;
        this.session = null;
        this.readyState = 0; // `sessionend`, when it follows, sets 5
      },
    };
    const guarded = <A extends unknown[], R>(name: string, fn: (...args: A) => R, fallback: R) =>
      (...args: A): R => {
        try {
          return fn(...args);
        } catch (error) {
          log.error(`${name} failed`, error);
          return fallback;
        }
      };
    const readyState = () => this.readyState;
    this.api = {
      loaded: true,
      READYSTATE,
      get readyState() {
        return readyState();
      },
      startSession: guarded('startSession', (arg?: unknown) => this.start(arg), undefined),
      stopSession: guarded('stopSession', () => this.session?.stop(), undefined),
      inSession: guarded('inSession', () => this.session?.inSession ?? false, false),
      getKey: guarded('getKey', () => this.session?.key ?? null, null),
      isRandomKey: guarded('isRandomKey', () => this.session?.randomKey ?? false, false),
      setStartParams: guarded('setStartParams', (params?: unknown) => this.setStartParams(params), undefined),
      getStartParams: guarded('getStartParams', () => this.startParams, undefined),
      addEventListener: guarded('addEventListener', (name: string, fn: VisitorListener) => this.events.on(name, fn), undefined),
      removeEventListener: guarded('removeEventListener', (name: string, fn: VisitorListener) => this.events.off(name, fn), undefined),
    };
  }

  /** Continues a stored session (a page load inside a session). */
  continueSession(stored: StoredSession): void {
    if (this.session) return;
    this.session = new VisitorSession(this.host, null, stored);
    this.session.begin();
  }

  private setStartParams(params?: unknown): void {
    if (params !== undefined && params !== null && typeof params !== 'object') {
      this.options.log.error('setStartParams takes an object like {sessionKey, name, email, phone}, or nothing to clear');
      return;
    }
    this.startParams = (params ?? undefined) as StartParams | undefined;
  }

  /** `startSession(key?)`, `startSession("GLANCE_KEYTYPE_RANDOM")` or `startSession(startParams)`. */
  private start(arg?: unknown): void {
    const { config, win, log } = this.options;
    if (this.session) {
      log.error('startSession: a session is already running; call stopSession() first');
      return;
    }
    if (!isTopLevel(win)) {
      log.error('startSession is not allowed inside an iframe: start the session from the top page');
      return;
    }
    let params: StartParams;
    let key: unknown;
    if (arg === undefined || arg === null || arg === '') {
      params = this.startParams ?? {};
      key = params.sessionKey ?? config.visitorId;
    } else if (typeof arg === 'string' || typeof arg === 'number') {
      params = {};
      key = String(arg);
    } else if (typeof arg === 'object') {
      params = arg as StartParams;
      key = params.sessionKey ?? config.visitorId;
    } else {
      log.error('startSession takes a session key, "GLANCE_KEYTYPE_RANDOM" or an object like {sessionKey, name, email, phone}');
      return;
    }
    if (params.groupid !== undefined && String(params.groupid) !== config.groupId) {
      log.error(`startSession: group ${String(params.groupid)} is not this page's group (data-groupid ${config.groupId})`);
      return;
    }
    if (typeof key === 'number') key = String(key);
    if (key === RANDOM_KEY || key === '' || key === undefined) key = undefined;
    else if (typeof key !== 'string' || !SESSION_KEY.test(key)) {
      log.error(`startSession: invalid session key ${JSON.stringify(key)}: use 1 to 50 letters, digits, "_" or "-"`);
      return;
    }
    const visitor: VisitorDetails = {};
    for (const field of ['name', 'email', 'phone'] as const) {
      const value = params[field] ?? config[field];
      if (value === undefined || value === null || value === '') continue;
      const text = String(value);
      if (text.length > DETAIL_LIMITS[field]) log.warn(`visitor ${field} cut to ${DETAIL_LIMITS[field]} characters`);
      visitor[field] = text.slice(0, DETAIL_LIMITS[field]);
    }
    this.session = new VisitorSession(this.host, { key: key as string | undefined, visitor }, null);
    this.session.begin();
  }
}
