/**
 * The hand-off between the loader (on every page, tiny) and the visitor engine (loaded on
 * demand): what the loader leaves on `window.GLANCE.Cobrowse.Loader` for the engine to
 * pick up. Types only, plus the global names, so importing this costs the loader nothing.
 *
 * Sequence: the loader reads the tag's config and installs `GLANCE.Cobrowse.Visitor` as a
 * stub that records listeners and calls in a {@link StubState}. When the engine script
 * runs it reads `GLANCE.Cobrowse.Loader.config`, replaces the stub with the real API,
 * registers the recorded listeners, replays the recorded calls in order and sets
 * `stub.engine`, after which the stub (if a page kept a reference to it) forwards calls.
 */

/** The `site` of a group's settings set, as in Glance's `data-site`. */
export type SiteName = 'staging' | 'production';

/** A handler of a Visitor API event: one payload object. */
export type VisitorListener = (payload: unknown) => void;

/** What `startSession()` and `setStartParams()` accept as parameters (Glance start params). */
export interface StartParams {
  /** Session key; `"GLANCE_KEYTYPE_RANDOM"` asks for a server-generated numeric code. */
  sessionKey?: string;
  /** Must equal the tag's `data-groupid` when given. */
  groupid?: string | number;
  /** Visitor's name, at most 63 characters. */
  name?: string;
  /** Visitor's e-mail, at most 127 characters. */
  email?: string;
  /** Visitor's phone, at most 31 characters. */
  phone?: string;
}

/** The loader's configuration, read from the script tag and `window.GLANCE_COBROWSE`. */
export interface VisitorConfig {
  /** `data-groupid`: 4–6 digits. */
  groupId: string;
  /**
   * `data-additionalgroupids`: other groups a session of this page may run in
   * (`startSession({groupid})`); comma-separated in the tag, invalid ids left out.
   */
  additionalGroupIds: string[];
  /** `data-site`. */
  site: SiteName;
  /** Origin of the OpenCobrowse server (from the tag's `src` or `data-scriptserver`), e.g. `https://cb.example.com`. */
  server: string;
  /** `data-visitorid` / `GLANCE_COBROWSE.visitorid`: the default session key. */
  visitorId?: string;
  /** Visitor details (`data-name` etc. / `GLANCE_COBROWSE.name` etc.). */
  name?: string;
  email?: string;
  phone?: string;
  /** `data-cookiedomain`: domain of the session cookie. Default: the page's host. */
  cookieDomain?: string;
  /** `data-cookietype`: `ls` keeps session info in localStorage; anything else (default) in a session cookie. */
  cookieType?: string;
  /** `GLANCE_COBROWSE.disableLogging`: silence our console messages. */
  disableLogging: boolean;
  /**
   * `data-ui`: the site builds its own UI on the Visitor API, so the default visitor UI
   * (button, dialogs, prompts, border) is not shown. Any value but `default` turns it off.
   */
  customUi: boolean;
  /** Every `GLANCE_COBROWSE` property and `data-*` attribute (name without `data-`), the attributes winning. */
  settings: Record<string, unknown>;
}

/** Methods of the stub whose calls are queued and replayed by the engine. */
export type QueuedMethod = 'startSession' | 'stopSession' | 'setStartParams' | 'showButton' | 'toggleButton' | 'showTerms';

/** A call to the stub that the engine replays: method name and arguments. */
export type QueuedCall = [method: QueuedMethod, args: unknown[]];

/** The subset of the Visitor API the stub forwards to once the engine is in. */
export interface ForwardTarget {
  startSession(arg?: unknown): void;
  stopSession(): void;
  inSession(): boolean;
  getKey(): string | null;
  isRandomKey(): boolean;
  setStartParams(params?: unknown): void;
  getStartParams(): StartParams | undefined;
  addEventListener(name: string, listener: VisitorListener): void;
  removeEventListener(name: string, listener: VisitorListener): void;
  showButton(show?: unknown): void;
  toggleButton(): void;
  showTerms(params?: unknown): void;
  addSessionMessageListener(name: string, listener: MessageListener): void;
  /** Hands the session over to the other trusted domains' helper pages, then navigates (resolves to the engine's result). */
  crossDomain(params?: unknown): Promise<unknown>;
  isCrossDomainDone(): boolean;
}

/** A handler of session messages from agents: the message name and its payload. */
export type MessageListener = (name: string, message: unknown) => void;

/** What the stub recorded before the engine arrived. */
export interface StubState {
  /** Listeners added (and not removed) on the stub, in order. */
  listeners: Array<[name: string, listener: VisitorListener]>;
  /** Session message listeners added on the stub (`addSessionMessageListener`), in order. */
  messageListeners: Array<[name: string, listener: MessageListener]>;
  /** Calls to replay, in order. */
  calls: QueuedCall[];
  /** The last `setStartParams` value, for `getStartParams()` on the stub. */
  startParams: StartParams | undefined;
  /** Set by the engine once it has taken over; the stub then forwards every call to it. */
  engine: ForwardTarget | null;
}

/** `window.GLANCE.Cobrowse.Loader`: the loader's side of the hand-off. */
export interface LoaderHandoff {
  /** Shape version of this object; the engine refuses one it does not know. */
  readonly handoff: typeof HANDOFF_VERSION;
  /** The validated configuration, or null when the tag's config is invalid (see `configError`). */
  readonly config: VisitorConfig | null;
  /** Why the config is invalid, when it is. */
  readonly configError: string | null;
  readonly stub: StubState;
  /** Whether this page is inside a session according to first-party storage (engine loads at once). */
  readonly continuing: boolean;
  /**
   * Loads the engine (once; later calls join the pending load). `done(true)` when the
   * engine took over, `done(false)` when the script failed to load.
   */
  load(done?: (loaded: boolean) => void): void;
}

/** Current hand-off shape version. */
export const HANDOFF_VERSION = 1;

/** Where the engine script lives on the server. */
export const ENGINE_PATH = '/static/visitor.js';

/** The page's globals we read and write. */
export interface GlanceGlobals {
  GLANCE?: { Cobrowse?: { Visitor?: unknown; Loader?: unknown; [name: string]: unknown }; [name: string]: unknown };
  GLANCE_COBROWSE?: Record<string, unknown>;
}
