/**
 * `GLANCE.Cobrowse.Visitor` (glance-reference §2.3): the session methods, session messages,
 * user state, pause, remote control, the event subscription and `readyState`. It replaces
 * the loader's stub and drains its queue (index.ts). Every method is guarded: a bug of ours
 * or a bad argument logs a console error and never throws into the page — except
 * `sendSessionMessage` without a session or with a message the server would refuse, which
 * throws as Glance's does, so the site's code learns the message did not go.
 */
import type { AgentInfo } from '../../shared/protocol/control.js';
import type { ForwardTarget, MessageListener, StartParams, VisitorConfig, VisitorListener } from '../loader/handoff.js';
import type { Layer } from '../ui/layer.js';
import type { Strings } from '../ui/i18n.js';
import { EventEmitter } from './events.js';
import type { Log } from './log.js';
import { isTopLevel, isVisible } from './page.js';
import { VisitorSession, type SessionHost } from './session.js';
import { readStartArgument } from './start-params.js';
import { readStoredSession, type StoredSession } from './session-store.js';
import { tabId } from './tab.js';
import { handOver, type HandOverResult } from '../xdom/hand-over.js';
import { helperPages } from '../xdom/protocol.js';

/** Glance's `readyState` values; 0 before any session. */
export const READYSTATE = Object.freeze({
  sessionstarting: 1,
  sessionstart: 2,
  sessioncontinue: 3,
  statereceived: 4,
  sessionend: 5,
});

export { RANDOM_KEY } from './start-params.js';

/** Limits the server enforces on session messages and user state ([AP1], [AP2]), characters. */
const MAX_NAME = 100;
const MAX_DATA = 32 * 1024;
const MAX_PAUSE_MESSAGE = 512;

/** Handler of `addSessionMessageListener`: the message name and its payload. */
export type SessionMessageListener = MessageListener;

/** The default UI's methods the Visitor API delegates to (`showButton`…). */
export interface UiControls {
  showButton(show: boolean): void;
  toggleButton(): void;
  showTerms(params?: StartParams): void;
}

/** The public object installed as `GLANCE.Cobrowse.Visitor`. */
export interface VisitorApi extends ForwardTarget {
  readonly loaded: true;
  readonly READYSTATE: typeof READYSTATE;
  /** 0 before any session, then the `READYSTATE` value of the last session event. */
  readonly readyState: number;
  getSessionState(name: string, subname?: string): unknown;
  setUserState(name: string, value: unknown): boolean;
  getUserState(name: string): unknown;
  addSessionMessageListener(name: string, listener: SessionMessageListener): void;
  addSessionMessageHandler(name: string, listener: SessionMessageListener): void;
  sendSessionMessage(name: string, message: unknown, to?: unknown): void;
  pauseSession(params: { pause?: boolean; message?: string }): void;
  isSessionPaused(): boolean;
  enableRC(enable: boolean): boolean;
  sessionGroupId(): string | null;
  isPageMasked(): boolean;
  crossDomain(params?: unknown): Promise<HandOverResult>;
  isCrossDomainDone(): boolean;
}

/** Options of the controller. */
export interface VisitorControllerOptions {
  config: VisitorConfig;
  win: Window;
  log: Log;
  layer: Layer;
  strings(): Strings;
  /** Test seams for every session's connection. */
  connection?: SessionHost['connection'];
}

/** JSON text length of a value, or -1 when it cannot be sent as JSON. */
function jsonLength(value: unknown): number {
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch {
    return -1;
  }
}

/** Holds the page's session and implements the API on top of it. */
export class VisitorController {
  readonly api: VisitorApi;
  private readonly events: EventEmitter;
  private readonly messageListeners = new Map<string, SessionMessageListener[]>();
  private session: VisitorSession | null = null;
  private readyState = 0;
  private startParams: StartParams | undefined;
  private ui: UiControls | null = null;
  private readonly host: SessionHost;
  /** The session this tab lost to another tab ([TB1]): taken back when the tab is focused again ([TB2]). */
  private blurredId: string | null = null;
  /** A session this page did not continue because it loaded hidden while another tab held it ([TB3]). */
  private pending: StoredSession | null = null;
  /** Whether a cross-domain hand-over of this page has completed ([XD1]). */
  private crossDomainDone = false;

  constructor(private readonly options: VisitorControllerOptions) {
    const { log } = options;
    this.events = new EventEmitter((message, error) => log.error(message, error));
    this.host = {
      config: options.config,
      win: options.win,
      log,
      layer: options.layer,
      strings: options.strings,
      connection: options.connection,
      tabId: isTopLevel(options.win) ? tabId(options.win) : '',
      emit: (name, payload) => {
        const state = READYSTATE[name as keyof typeof READYSTATE];
        if (state !== undefined) this.readyState = state;
        this.events.emit(name, payload);
      },
      message: (name, data, from) => this.onMessage(name, data, from),
      released: (session) => {
        if (this.session !== session) return;
        this.session = null;
        this.blurredId = session.superseded ? session.sessionId : null;
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
    const addMessageListener = guarded('addSessionMessageListener', (name: string, fn: SessionMessageListener) => this.addMessageListener(name, fn), undefined);
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
      sessionGroupId: guarded('sessionGroupId', () => this.session?.groupId ?? null, null),
      setStartParams: guarded('setStartParams', (params?: unknown) => this.setStartParams(params), undefined),
      getStartParams: guarded('getStartParams', () => this.startParams, undefined),
      addEventListener: guarded('addEventListener', (name: string, fn: VisitorListener) => this.events.on(name, fn), undefined),
      removeEventListener: guarded('removeEventListener', (name: string, fn: VisitorListener) => this.events.off(name, fn), undefined),
      getSessionState: guarded('getSessionState', (name: string, subname?: string) => this.session?.state.get(name, subname), undefined),
      setUserState: guarded('setUserState', (name: string, value: unknown) => this.setUserState(name, value), false),
      getUserState: guarded('getUserState', (name: string) => this.session?.state.getUserState(name), undefined),
      addSessionMessageListener: addMessageListener,
      addSessionMessageHandler: addMessageListener,
      // Not guarded: Glance throws when the message cannot go.
      sendSessionMessage: (name: string, message: unknown, to?: unknown) => this.sendMessage(name, message, to),
      pauseSession: guarded('pauseSession', (params: { pause?: boolean; message?: string }) => this.pause(params), undefined),
      isSessionPaused: guarded('isSessionPaused', () => this.session?.state.paused.paused ?? false, false),
      enableRC: guarded('enableRC', (enable: boolean) => this.enableRC(enable), false),
      isPageMasked: guarded('isPageMasked', () => this.session?.pageMasked ?? false, false),
      showButton: guarded('showButton', (show?: unknown) => this.withUi('showButton', (ui) => ui.showButton(show !== false)), undefined),
      toggleButton: guarded('toggleButton', () => this.withUi('toggleButton', (ui) => ui.toggleButton()), undefined),
      showTerms: guarded('showTerms', (params?: unknown) => this.withUi('showTerms', (ui) => ui.showTerms(params as StartParams | undefined)), undefined),
      crossDomain: (params?: unknown) => {
        try {
          return this.crossDomain(params);
        } catch (error) {
          log.error('crossDomain failed', error);
          return Promise.resolve({ done: false, results: [] });
        }
      },
      isCrossDomainDone: guarded('isCrossDomainDone', () => this.crossDomainDone, false),
    };
    if (isTopLevel(options.win)) this.watchTab();
  }

  /** Connects the default UI (absent with `data-ui`). */
  attachUi(ui: UiControls): void {
    this.ui = ui;
  }

  /**
   * Continues a stored session (a page load inside a session). A page that loads hidden
   * while another tab holds the session waits until it is shown or focused ([TB3]).
   */
  continueSession(stored: StoredSession): void {
    if (this.session) return;
    const { win } = this.options;
    if (stored.holder && stored.holder !== this.host.tabId && !isVisible(win)) {
      this.pending = stored;
      return;
    }
    this.session = new VisitorSession(this.host, null, stored);
    this.session.begin();
  }

  /**
   * Tabs ([TB1]–[TB4]): the tab the visitor shows or focuses takes the session back, and
   * links to trusted domains with a helper page hand the session over ([XD3]).
   */
  private watchTab(): void {
    const { win } = this.options;
    const reclaim = () => {
      try {
        this.reclaim();
      } catch (error) {
        this.options.log.warn('taking the session back failed', error);
      }
    };
    win.addEventListener('focus', reclaim);
    win.document.addEventListener('visibilitychange', reclaim);
    win.document.addEventListener('click', (event) => {
      try {
        this.onLinkClick(event);
      } catch (error) {
        this.options.log.warn('cross-domain link failed', error);
      }
    });
  }

  /**
   * The tab became visible or focused: if it lost the session to another tab (or waited
   * for one held elsewhere) and that session still runs, continue it here. Only on these
   * events, never on a timer, so two visible windows do not pass the session back and forth.
   */
  private reclaim(): void {
    if (this.session || !isVisible(this.options.win)) return;
    const wanted = this.pending?.sessionId ?? this.blurredId;
    if (!wanted) return;
    const { config } = this.options;
    const stored = readStoredSession(config, [config.groupId, ...config.additionalGroupIds], config.site);
    this.pending = null;
    this.blurredId = null;
    // Ended meanwhile (the storage is cleared when it ends), or another session: nothing to take back.
    if (!stored || stored.sessionId !== wanted) return;
    this.session = new VisitorSession(this.host, null, stored, { takeover: true });
    this.session.begin();
  }

  /** A click on a link to another trusted domain with a helper page: hand the session over first. */
  private onLinkClick(event: MouseEvent): void {
    const session = this.session;
    if (!session || session.phase !== 'active' || event.defaultPrevented || event.button !== 0) return;
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element | null)?.closest?.('a[href], area[href]') as HTMLAnchorElement | HTMLAreaElement | null;
    if (!anchor || anchor.hasAttribute('download')) return;
    const target = anchor.target.toLowerCase();
    if (target && target !== '_self' && target !== '_top' && target !== '_parent') return;
    const { win } = this.options;
    let url: URL;
    try {
      url = new URL(anchor.href, win.location.href);
    } catch {
      return;
    }
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin === win.location.origin) return;
    const helpers = helperPages(session.trustedDomains).filter((helper) => helper.hostname === url.hostname && helper.origin !== win.location.origin);
    if (helpers.length === 0) return;
    event.preventDefault();
    void this.crossDomain({ url: url.href }, helpers);
  }

  /**
   * `crossDomain({url?, target?})` ([XD1]): gives the session info to the helper page of
   * every other trusted domain (or `only` these), then goes to `url` (in `target`).
   * Resolves once the navigation has started. Without a session it only navigates.
   */
  private crossDomain(params: unknown, only?: URL[]): Promise<HandOverResult> {
    const { win, log } = this.options;
    const { url, target } = (params && typeof params === 'object' ? params : {}) as { url?: unknown; target?: unknown };
    let destination: URL | null = null;
    if (url !== undefined && url !== null && url !== '') {
      try {
        destination = new URL(String(url), win.location.href);
      } catch {
        destination = null;
      }
      if (!destination || (destination.protocol !== 'https:' && destination.protocol !== 'http:')) {
        log.error('crossDomain: url must be an http(s) address');
        return Promise.resolve({ done: false, results: [] });
      }
    }
    const info = this.session?.handOverInfo() ?? null;
    const helpers = info
      ? (only ?? helperPages(this.session!.trustedDomains).filter((helper) => helper.origin !== win.location.origin))
      : [];
    const run = info && helpers.length > 0 ? handOver({ win, session: info, helpers }) : Promise.resolve({ done: true, results: [] });
    return run.then((result) => {
      if (result.done && info) this.crossDomainDone = true;
      for (const failed of result.results.filter((r) => !r.ok)) log.warn(`crossDomain: the helper page ${failed.helper} did not take the session`);
      if (destination) {
        // After the hand-over the click's gesture may be spent: a blocked window.open navigates this page.
        const opened = typeof target === 'string' && target && target !== '_self' ? win.open(destination.href, target) : null;
        if (!opened) win.location.assign(destination.href);
      }
      return result;
    });
  }

  private withUi(method: string, fn: (ui: UiControls) => void): void {
    if (this.ui) fn(this.ui);
    else this.options.log.error(`${method}: the default visitor UI is off (data-ui is set): the site shows its own`);
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
    const result = readStartArgument(arg, this.startParams, config);
    if (!result.ok) {
      log.error(result.error);
      return;
    }
    for (const warning of result.warnings) log.warn(warning);
    this.session = new VisitorSession(this.host, result.request, null);
    this.session.begin();
  }

  /** The session, or a console error naming the method that needs one. */
  private needSession(method: string): VisitorSession | null {
    if (this.session?.inSession || this.session?.phase === 'starting') return this.session;
    this.options.log.error(`${method}: there is no session; call it after sessionstart`);
    return null;
  }

  private addMessageListener(name: string, listener: SessionMessageListener): void {
    if (typeof name !== 'string' || typeof listener !== 'function') {
      this.options.log.error('addSessionMessageListener takes a message name and a function(name, message)');
      return;
    }
    const list = this.messageListeners.get(name);
    if (!list) this.messageListeners.set(name, [listener]);
    else if (!list.includes(listener)) list.push(listener);
  }

  private onMessage(name: string, data: unknown, from: AgentInfo): void {
    for (const listener of (this.messageListeners.get(name) ?? []).slice()) {
      try {
        listener(name, data);
      } catch (error) {
        this.options.log.error(`a session message listener for "${name}" threw (message from ${from.username})`, error);
      }
    }
  }

  private sendMessage(name: string, message: unknown, to?: unknown): void {
    const session = this.session?.inSession || this.session?.phase === 'starting' ? this.session : null;
    if (!session) throw new Error('sendSessionMessage: there is no session');
    if (typeof name !== 'string' || name.length < 1 || name.length > MAX_NAME) {
      throw new Error(`sendSessionMessage: the message name must be 1 to ${MAX_NAME} characters`);
    }
    const length = jsonLength(message);
    if (length < 0 || length > MAX_DATA) throw new Error(`sendSessionMessage: the message must be JSON of at most ${MAX_DATA} characters`);
    // The third argument names one agent: a username, or an `agents` entry.
    const username = typeof to === 'string' ? to : to && typeof to === 'object' ? (to as { username?: unknown }).username : undefined;
    session.sendMessage(name, message ?? null, typeof username === 'string' && username ? username.slice(0, 100) : undefined);
  }

  private setUserState(name: string, value: unknown): boolean {
    const session = this.needSession('setUserState');
    if (!session) return false;
    const length = jsonLength(value);
    if (typeof name !== 'string' || name.length < 1 || name.length > MAX_NAME || length < 0 || length > MAX_DATA) {
      this.options.log.error(`setUserState takes a name of 1 to ${MAX_NAME} characters and a JSON value of at most ${MAX_DATA} characters`);
      return false;
    }
    session.setUserState(name, value ?? null);
    return true;
  }

  private pause(params: { pause?: boolean; message?: string } | undefined): void {
    const session = this.needSession('pauseSession');
    if (!session) return;
    const pause = params?.pause !== false;
    const message = typeof params?.message === 'string' ? params.message.slice(0, MAX_PAUSE_MESSAGE) : '';
    session.pause(pause, pause ? message : '');
  }

  private enableRC(enable: boolean): boolean {
    const session = this.needSession('enableRC');
    return session ? session.enableRC(enable !== false) : false;
  }
}
