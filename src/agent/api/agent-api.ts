/**
 * `GLANCE.Cobrowse.Agent` (glance-reference §3.3, /work/shared/spec/agent-api.txt): the API
 * a CRM page uses to drive the viewer it embeds in an `<iframe>`.
 *
 * Every method works before `init` and before the viewer has joined the session: calls wait
 * in order and go out once the viewer is connected (this file's link queue) and joined (the
 * viewer's queue). Arguments are checked here, so a mistake throws at the call site with a
 * clear message (`TypeError` / `RangeError`); what fails later — the session is over, the
 * server refused — fires the `error` event and is logged to the console. Refusals by the
 * server's permissions arrive as `accessdenied`.
 */
import {
  MAX_MESSAGE_NAME_CHARS,
  isWebUrl,
  type BridgeCall,
  type BridgeError,
  type NavigateParams,
  type ScreenshareAction,
  type StateSnapshot,
} from './bridge-protocol.js';
import { AgentState } from './agent-state.js';
import { ListenerMap, type AgentListener } from './listeners.js';
import { ViewerLink } from './viewer-link.js';

/** Largest session message payload, characters of JSON (the server's limit). */
export const MAX_MESSAGE_DATA_CHARS = 32 * 1024;
/** Largest screen-share `params`, characters of JSON (the server's limit). */
export const MAX_SCREENSHARE_PARAMS_CHARS = 8192;
/** The view the visitor's default UI shows an agent's screen in. */
export const DEFAULT_SCREENSHARE_VIEW = 'glance_screenshare';

/** The object installed as `GLANCE.Cobrowse.Agent`. */
export interface GlanceAgentApi {
  readonly loaded: true;
  /** Binds the API to the iframe showing the viewer (the element or its id). */
  init(viewerFrame: HTMLIFrameElement | string): void;
  /** Announces the elements the agent gestures on to the visitor's screen reader (default true). */
  enableAccessibility(enable?: boolean): void;
  accessibilityEnabled(): boolean;
  /** `listener(eventName, data)`. */
  addEventListener(eventName: string, listener: AgentListener): void;
  removeEventListener(eventName: string, listener: AgentListener): void;
  /** `listener(msgName, msg)` for messages the visitor sends with `sendSessionMessage`. */
  addSessionMessageListener(msgName: string, listener: AgentListener): void;
  removeSessionMessageListener(msgName: string, listener: AgentListener): void;
  sendSessionMessage(msgName: string, msg: unknown): void;
  /** `{url, confirm?, open?: {target, features}, link?: {target}}`; url may be `forward`, `back`, `refresh`. */
  navigate(params: NavigateParams | string): void;
  /** Leaves the session and sends the viewer frame to `url` (http or https). */
  leaveSession(url?: string): void;
  addScreenshare(params?: Record<string, unknown>): void;
  pauseScreenshare(params?: Record<string, unknown>): void;
  /** The Agent API document's spelling of `pauseScreenshare`. */
  pauseScreeenshare(params?: Record<string, unknown>): void;
  resumeScreenshare(params?: Record<string, unknown>): void;
  closeScreenshare(params?: Record<string, unknown>): void;
  /** Asks the visitor for remote control (`true`, default) or gives it back (`false`). */
  requestRC(enable?: boolean): void;
  /** The latest payload of a stateful event (`agents`, `rc`, `navigate`, `pagevisibility`, `sessionpaused`, `screenshare`, `accessibility`). */
  getSessionState(eventName: string): unknown;
  /** A value the visitor stored with `setUserState`. */
  getUserState(name: string): unknown;
}

/** Where the API runs. */
export interface AgentApiOptions {
  win: Window;
  /** The origin agent-api.js was served from (the viewer's, unless the frame says otherwise). */
  scriptOrigin: string | null;
}

/** What `init` accepts: the iframe or its id. */
function resolveFrame(doc: Document, viewerFrame: unknown): HTMLIFrameElement {
  const element = typeof viewerFrame === 'string' ? doc.getElementById(viewerFrame) : viewerFrame;
  // Checked by tag, not instanceof: the frame may come from another realm of the page.
  if (typeof element !== 'object' || element === null || (element as Element).localName !== 'iframe') {
    throw new TypeError('GLANCE.Cobrowse.Agent.init: pass the <iframe> element that shows the viewer (or its id)');
  }
  return element as HTMLIFrameElement;
}

/** A JSON copy of `value` (postMessage cannot carry functions; the server wants JSON), or throws. */
function jsonCopy(method: string, what: string, value: unknown, maxChars: number): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new TypeError(`GLANCE.Cobrowse.Agent.${method}: ${what} must be JSON data (${(error as Error).message})`);
  }
  if (text === undefined) return null;
  if (text.length > maxChars) {
    throw new RangeError(`GLANCE.Cobrowse.Agent.${method}: ${what} is ${text.length} characters of JSON; the limit is ${maxChars}`);
  }
  return JSON.parse(text) as unknown;
}

function checkName(method: string, what: string, name: unknown): string {
  if (typeof name !== 'string' || name === '') throw new TypeError(`GLANCE.Cobrowse.Agent.${method}: ${what} must be a non-empty string`);
  return name;
}

function checkListener(method: string, listener: unknown): AgentListener {
  if (typeof listener !== 'function') throw new TypeError(`GLANCE.Cobrowse.Agent.${method}: the listener must be a function`);
  return listener as AgentListener;
}

const METHOD_OF_CALL: Record<BridgeCall['method'], string> = {
  sendSessionMessage: 'sendSessionMessage',
  enableAccessibility: 'enableAccessibility',
  navigate: 'navigate',
  requestRC: 'requestRC',
  screenshare: 'screenshare',
  leaveSession: 'leaveSession',
};

/** Builds the API object. */
export function createAgentApi(options: AgentApiOptions): GlanceAgentApi {
  const { win, scriptOrigin } = options;
  const state = new AgentState();
  const report = (what: string, error: unknown) => console.error(`GLANCE.Cobrowse.Agent: ${what} listener failed`, error);
  const eventListeners = new ListenerMap(report);
  const messageListeners = new ListenerMap(report);
  let link: ViewerLink | null = null;
  /** Calls made before init. */
  const early: BridgeCall[] = [];

  const failed = (call: BridgeCall, error: BridgeError) => {
    if (call.method === 'enableAccessibility') state.dropExpectation();
    const method = call.method === 'screenshare' ? `${call.action}Screenshare` : METHOD_OF_CALL[call.method];
    console.error(`GLANCE.Cobrowse.Agent.${method}: ${error.message} (${error.code})`);
    eventListeners.emit('error', { method, code: error.code, message: error.message });
  };

  const call = (bridgeCall: BridgeCall) => {
    if (link) link.call(bridgeCall);
    else early.push(bridgeCall);
  };

  const screenshare = (method: string, action: ScreenshareAction) => (params?: Record<string, unknown>) => {
    if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
      throw new TypeError(`GLANCE.Cobrowse.Agent.${method}: params must be an object like {screenshareView: "${DEFAULT_SCREENSHARE_VIEW}"}`);
    }
    const copy = jsonCopy(method, 'params', params ?? {}, MAX_SCREENSHARE_PARAMS_CHARS) as Record<string, unknown>;
    if (typeof copy['screenshareView'] !== 'string') copy['screenshareView'] = DEFAULT_SCREENSHARE_VIEW;
    call({ method: 'screenshare', action, params: copy });
  };

  return {
    loaded: true,

    init(viewerFrame) {
      const frame = resolveFrame(win.document, viewerFrame);
      if (link?.frame === frame) return;
      link?.destroy();
      link = new ViewerLink(win, frame, scriptOrigin, {
        connected: (snapshot: StateSnapshot) => state.reset(snapshot),
        event: (name, data) => {
          state.record(name, data);
          eventListeners.emit(name, data);
        },
        message: (name, data) => messageListeners.emit(name, data),
        failed,
        versionMismatch: (version) =>
          console.error(`GLANCE.Cobrowse.Agent: the viewer speaks bridge version ${String(version)}; load agent-api.js from the viewer's server`),
      });
      if (!link.viewerOrigin) {
        console.error('GLANCE.Cobrowse.Agent.init: the viewer frame has no http(s) src yet; set it to the viewer URL');
      }
      for (const waiting of early.splice(0)) link.call(waiting);
    },

    enableAccessibility(enable = true) {
      const enabled = Boolean(enable);
      state.expectAccessibility(enabled);
      call({ method: 'enableAccessibility', enabled });
    },

    accessibilityEnabled: () => state.accessibilityEnabled,

    addEventListener(eventName, listener) {
      eventListeners.add(checkName('addEventListener', 'the event name', eventName), checkListener('addEventListener', listener));
    },

    removeEventListener(eventName, listener) {
      if (typeof eventName === 'string' && typeof listener === 'function') eventListeners.remove(eventName, listener);
    },

    addSessionMessageListener(msgName, listener) {
      messageListeners.add(
        checkName('addSessionMessageListener', 'the message name', msgName),
        checkListener('addSessionMessageListener', listener),
      );
    },

    removeSessionMessageListener(msgName, listener) {
      if (typeof msgName === 'string' && typeof listener === 'function') messageListeners.remove(msgName, listener);
    },

    sendSessionMessage(msgName, msg) {
      const name = checkName('sendSessionMessage', 'the message name', msgName);
      if (name.length > MAX_MESSAGE_NAME_CHARS) {
        throw new RangeError(`GLANCE.Cobrowse.Agent.sendSessionMessage: the message name is longer than ${MAX_MESSAGE_NAME_CHARS} characters`);
      }
      call({ method: 'sendSessionMessage', name, data: jsonCopy('sendSessionMessage', 'the message', msg, MAX_MESSAGE_DATA_CHARS) });
    },

    navigate(params) {
      const given: unknown = typeof params === 'string' ? { url: params } : params;
      if (typeof given !== 'object' || given === null || typeof (given as NavigateParams).url !== 'string' || (given as NavigateParams).url === '') {
        throw new TypeError('GLANCE.Cobrowse.Agent.navigate: pass {url, confirm?, open?, link?}; url is a URL or forward, back, refresh');
      }
      const copy = jsonCopy('navigate', 'params', given, MAX_MESSAGE_DATA_CHARS) as NavigateParams;
      // A confirm given as `true` or `{}` alike asks the visitor first; keep what was given.
      const request: NavigateParams = { url: copy.url };
      if (copy.confirm !== undefined && copy.confirm !== null && copy.confirm !== false) request.confirm = copy.confirm;
      if (copy.open) request.open = copy.open;
      if (copy.link) request.link = copy.link;
      call({ method: 'navigate', params: request });
    },

    leaveSession(url) {
      let target: string | null = null;
      if (url !== undefined && url !== null && url !== '') {
        const absolute = typeof url === 'string' ? safeUrl(url, win.document.baseURI) : null;
        if (!absolute || !isWebUrl(absolute)) {
          throw new TypeError('GLANCE.Cobrowse.Agent.leaveSession: url must be an http or https address');
        }
        target = absolute;
      }
      call({ method: 'leaveSession', url: target });
    },

    addScreenshare: screenshare('addScreenshare', 'add'),
    pauseScreenshare: screenshare('pauseScreenshare', 'pause'),
    pauseScreeenshare: screenshare('pauseScreeenshare', 'pause'),
    resumeScreenshare: screenshare('resumeScreenshare', 'resume'),
    closeScreenshare: screenshare('closeScreenshare', 'close'),

    requestRC(enable = true) {
      call({ method: 'requestRC', enable: Boolean(enable) });
    },

    getSessionState: (eventName) => state.sessionState(String(eventName)),
    getUserState: (name) => state.userValue(String(name)),
  };
}

function safeUrl(url: string, base: string): string | null {
  try {
    return new URL(url, base).href;
  } catch {
    return null;
  }
}
