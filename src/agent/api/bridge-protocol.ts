/**
 * The postMessage bridge between a CRM page (`GLANCE.Cobrowse.Agent`, agent-api.js) and the
 * viewer in its `<iframe>` (viewer.js): the message types of both directions, the checks
 * each side runs on what it receives, and the names of the Agent API's events.
 *
 * The handshake, whichever side loads first:
 *
 *   viewer boots           → `ready` to the parent, once per allowed CRM origin (postMessage
 *                            drops it unless the parent really has that origin)
 *   CRM `init()` / `ready` → `connect` to the viewer (targetOrigin: the server's origin)
 *   viewer gets `connect`  → `connected` with a snapshot of the session state; from then on
 *                            the viewer pushes `event`s and session `message`s to that origin
 *   CRM `call`             → viewer sends it to the server once joined → `result`
 *   viewer unloads         → `bye` (the CRM queues calls again until the next `connected`)
 *
 * Both sides accept a message only from the expected window (`event.source`) and origin,
 * and only with this channel name and version; anything else is ignored. The viewer also
 * re-validates every call against the server's schema before it sends it, so a CRM page
 * can never get the agent's socket closed for a malformed message ([CM1]).
 *
 * Dependency-free on purpose: agent-api.js loads on every CRM page and stays small.
 */

/** Marks our messages among everything else a page may postMessage. */
export const BRIDGE_CHANNEL = 'opencobrowse.agent';
/** Version of the bridge messages; both bundles come from the same server. */
export const BRIDGE_VERSION = 1;

/** Largest session message name, characters (the server's schema). */
export const MAX_MESSAGE_NAME_CHARS = 100;

/** Screen-share actions of the Agent API. */
export type ScreenshareAction = 'add' | 'pause' | 'resume' | 'close';

/** `navigate(params)` of the Agent API, as the bridge carries it. */
export interface NavigateParams {
  url: string;
  confirm?: unknown;
  open?: { target?: string; features?: string };
  link?: { target?: string };
}

/** One Agent API call for the viewer to carry out. */
export type BridgeCall =
  | { method: 'sendSessionMessage'; name: string; data: unknown }
  | { method: 'enableAccessibility'; enabled: boolean }
  | { method: 'navigate'; params: NavigateParams }
  | { method: 'requestRC'; enable: boolean }
  | { method: 'screenshare'; action: ScreenshareAction; params: Record<string, unknown> }
  /** `url` is absolute http(s) (the CRM resolved it) or null to stay on the viewer. */
  | { method: 'leaveSession'; url: string | null };

/** Why a call failed. */
export type BridgeErrorCode =
  /** The session is over (ended, left, or the viewer could not connect). */
  | 'no-session'
  /** The arguments do not make a valid message (too large, wrong shape). */
  | 'invalid'
  /** Too many calls are waiting for the session. */
  | 'busy';

/** A failed call, as the CRM reports it. */
export interface BridgeError {
  code: BridgeErrorCode;
  message: string;
}

/** The session state the CRM keeps for `getSessionState` and `getUserState`. */
export interface StateSnapshot {
  /** The latest payload of each stateful event, by event name. */
  events: Record<string, unknown>;
  /** Values set with the visitor's `setUserState`. */
  userState: Record<string, unknown>;
}

interface Envelope {
  channel: typeof BRIDGE_CHANNEL;
  v: number;
}

/** CRM page → viewer. */
export type CrmToViewer = Envelope & ({ kind: 'connect' } | { kind: 'call'; id: number; call: BridgeCall });

/** Viewer → CRM page. */
export type ViewerToCrm = Envelope &
  (
    | { kind: 'ready' }
    | { kind: 'connected'; snapshot: StateSnapshot }
    /** An Agent API event (`addEventListener`). */
    | { kind: 'event'; name: string; data: unknown }
    /** A session message from the visitor (`addSessionMessageListener`). */
    | { kind: 'message'; name: string; data: unknown }
    | { kind: 'result'; id: number; error: BridgeError | null }
    | { kind: 'bye' }
  );

/** The body of a message, without the envelope. */
export type Body<M> = M extends Envelope ? Omit<M, 'channel' | 'v'> : never;

/** Wraps a body in the envelope. */
export function envelope<M extends CrmToViewer | ViewerToCrm>(body: Body<M>): M {
  return { channel: BRIDGE_CHANNEL, v: BRIDGE_VERSION, ...body } as M;
}

// ---------------------------------------------------------------------------------------------
// Agent API events

/**
 * Events whose latest payload `getSessionState(name)` returns. `navigate` is the visitor's
 * page, `pagevisibility` `'visible'` or `'hidden'`.
 */
export const STATEFUL_EVENTS: readonly string[] = ['agents', 'rc', 'navigate', 'pagevisibility', 'sessionpaused', 'screenshare', 'accessibility'];

// ---------------------------------------------------------------------------------------------
// Checks on what arrives

/** What a receiver needs to know about a `message` event. */
export interface MessageEventLike {
  data: unknown;
  origin: string;
  source: unknown;
}

/**
 * Whether `event` comes from `expected` (a window) and one of `origins`, and carries our
 * channel. The version is checked apart, so a mismatch can be reported.
 */
export function fromExpected(event: MessageEventLike, expected: unknown, origins: readonly string[]): boolean {
  if (expected === null || expected === undefined || event.source !== expected) return false;
  if (!origins.includes(event.origin)) return false;
  const data = event.data as { channel?: unknown } | null;
  return typeof data === 'object' && data !== null && data.channel === BRIDGE_CHANNEL;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown, max: number): value is string => typeof value === 'string' && value.length <= max;
const optionalString = (value: unknown, max: number) => value === undefined || isString(value, max);

/** Reads a message for the viewer, or null when it is not a well-formed one of ours. */
export function readCrmMessage(data: unknown): CrmToViewer | null {
  if (!isObject(data) || data['channel'] !== BRIDGE_CHANNEL || data['v'] !== BRIDGE_VERSION) return null;
  if (data['kind'] === 'connect') return envelope<CrmToViewer>({ kind: 'connect' });
  if (data['kind'] !== 'call') return null;
  const id = data['id'];
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return null;
  const call = readCall(data['call']);
  return call ? envelope<CrmToViewer>({ kind: 'call', id, call }) : null;
}

function readCall(raw: unknown): BridgeCall | null {
  if (!isObject(raw)) return null;
  switch (raw['method']) {
    case 'sendSessionMessage':
      return isString(raw['name'], MAX_MESSAGE_NAME_CHARS) ? { method: 'sendSessionMessage', name: raw['name'], data: raw['data'] } : null;
    case 'enableAccessibility':
      return typeof raw['enabled'] === 'boolean' ? { method: 'enableAccessibility', enabled: raw['enabled'] } : null;
    case 'requestRC':
      return typeof raw['enable'] === 'boolean' ? { method: 'requestRC', enable: raw['enable'] } : null;
    case 'navigate': {
      const params = raw['params'];
      if (!isObject(params) || !isString(params['url'], 4096)) return null;
      const result: NavigateParams = { url: params['url'] };
      if (params['confirm'] !== undefined) result.confirm = params['confirm'];
      const open = params['open'];
      if (open !== undefined) {
        if (!isObject(open) || !optionalString(open['target'], 64) || !optionalString(open['features'], 512)) return null;
        result.open = pick(open, ['target', 'features']);
      }
      const link = params['link'];
      if (link !== undefined) {
        if (!isObject(link) || !optionalString(link['target'], 64)) return null;
        result.link = pick(link, ['target']);
      }
      return { method: 'navigate', params: result };
    }
    case 'screenshare': {
      const action = raw['action'];
      if (action !== 'add' && action !== 'pause' && action !== 'resume' && action !== 'close') return null;
      return isObject(raw['params']) ? { method: 'screenshare', action, params: raw['params'] } : null;
    }
    case 'leaveSession': {
      const url = raw['url'];
      if (url === null) return { method: 'leaveSession', url: null };
      return isString(url, 4096) && isWebUrl(url) ? { method: 'leaveSession', url } : null;
    }
    default:
      return null;
  }
}

function pick<K extends string>(source: Record<string, unknown>, keys: readonly K[]): { [P in K]?: string } {
  const out: { [P in K]?: string } = {};
  for (const key of keys) if (typeof source[key] === 'string') out[key] = source[key] as string;
  return out;
}

/** Reads a message for the CRM page, or null when it is not a well-formed one of ours. */
export function readViewerMessage(data: unknown): ViewerToCrm | null {
  if (!isObject(data) || data['channel'] !== BRIDGE_CHANNEL || data['v'] !== BRIDGE_VERSION) return null;
  switch (data['kind']) {
    case 'ready':
    case 'bye':
      return envelope<ViewerToCrm>({ kind: data['kind'] });
    case 'connected': {
      const snapshot = data['snapshot'];
      if (!isObject(snapshot) || !isObject(snapshot['events']) || !isObject(snapshot['userState'])) return null;
      return envelope<ViewerToCrm>({ kind: 'connected', snapshot: { events: snapshot['events'], userState: snapshot['userState'] } });
    }
    case 'event':
    case 'message':
      return typeof data['name'] === 'string' ? envelope<ViewerToCrm>({ kind: data['kind'], name: data['name'], data: data['data'] }) : null;
    case 'result': {
      const id = data['id'];
      const error = data['error'];
      if (typeof id !== 'number') return null;
      if (error === null) return envelope<ViewerToCrm>({ kind: 'result', id, error: null });
      if (!isObject(error) || typeof error['code'] !== 'string' || typeof error['message'] !== 'string') return null;
      return envelope<ViewerToCrm>({ kind: 'result', id, error: { code: error['code'] as BridgeErrorCode, message: error['message'] } });
    }
    default:
      return null;
  }
}

/** Whether `url` is an absolute http(s) URL (where a viewer frame may be sent). */
export function isWebUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The origin of an absolute http(s) URL, or null. */
export function webOrigin(url: string, base?: string): string | null {
  try {
    const parsed = new URL(url, base);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : null;
  } catch {
    return null;
  }
}
