/**
 * JSON control messages, one discriminated union per direction ([CM1]–[CM3], [AP1]–[AP9],
 * [RC1]–[RC7] in SPEC.md).
 *
 * Messages arriving at the server are untrusted: they are parsed once at the socket
 * boundary with the valibot schemas below and inner code only sees typed values. The
 * visitor's schema has no agent commands and the agent's none of the visitor's, so a
 * socket can only ever say what its role may say. Messages the server sends are typed
 * here too; clients switch on `type` with a `never` check but do not re-validate them.
 */
import * as v from 'valibot';

/** Session keys: a visitor id, an explicit key or a random numeric code (DESIGN §4). */
export const SESSION_KEY_PATTERN = /^[A-Za-z0-9_-]{1,50}$/;
/** Group ids are 4–6 digits, as in Glance. */
export const GROUP_ID_PATTERN = /^[0-9]{4,6}$/;
/** Largest control message accepted, in bytes of UTF-8 JSON. */
export const MAX_CONTROL_MESSAGE_BYTES = 64 * 1024;
/** Largest session message or user-state value, in characters of JSON. */
export const MAX_MESSAGE_DATA_CHARS = 32 * 1024;

/** Why a session ended, as reported to visitor and agents (`sessionend.reason`). */
export type EndReason = 'visitor' | 'agent' | 'timeout' | 'error' | 'server';

/** One agent as the visitor and other agents see it (the Glance `agents` event entry). */
export interface AgentInfo {
  username: string;
  name: string;
  title: string;
  partnerid: string;
  partneruserid: string;
}

/** The Glance `agents` event payload. */
export interface AgentsState {
  count: number;
  agentlist: AgentInfo[];
}

/** Settings a visitor receives at session start; masking is applied before capture. */
export interface VisitorSettings {
  /** CSS selectors whose elements are masked in addition to `glance_masked` markup. */
  maskedSelectors: string[];
  /** Hosts the session may follow the visitor to, and the agent may navigate to. */
  trustedDomains: string[];
  /** Whether agents may ask for remote control at all. */
  allowRemoteControl: boolean;
  /** Terms dialog text and link (empty for the defaults). */
  termsText: string;
  termsUrl: string;
}

/** Remote-control state (the Glance `rc` event payload). */
export interface RemoteControlState {
  enabled: boolean;
  /** The visitor is using their own mouse or keyboard: agent input waits. */
  suspended: boolean;
}

/** Pause state (the Glance `sessionpaused` payload). */
export interface PauseState {
  paused: boolean;
  message: string;
}

/** Agent screen share as the visitor sees it (the Glance `screenshare` event payload). */
export interface ScreenshareState {
  screenshareView: string;
  state: 'new' | 'continued' | 'ended';
  paused: boolean;
  params: Record<string, unknown>;
}

/** The visitor's browser, as agents see it in the `navigate` event. */
export interface BrowserInfo {
  name: string;
  version: string;
  platform: string;
}

/** Where the visitor is. */
export interface PageInfo {
  url: string;
  title: string;
  browser: BrowserInfo;
}

/** Everything stateful about a session, sent on (re)connect so both sides can restore it. */
export interface SessionState {
  rc: RemoteControlState;
  paused: PauseState;
  /** Values set with `setUserState`. */
  userState: Record<string, unknown>;
  /** Whether the visitor's page is visible (the `pagevisibility` event). */
  visible: boolean;
  screenshare: ScreenshareState | null;
  /** Whether gestures are announced to the visitor's screen reader. */
  accessibility: boolean;
  page: PageInfo;
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

const sessionKey = v.pipe(v.string(), v.regex(SESSION_KEY_PATTERN, 'invalid session key'));
const groupId = v.pipe(v.string(), v.regex(GROUP_ID_PATTERN, 'invalid group id'));
const shortText = (max: number) => v.pipe(v.string(), v.maxLength(max));
const seq = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0xffffffff));
const nodeId = v.pipe(v.number(), v.integer(), v.minValue(1));
const coordinate = v.pipe(v.number(), v.finite(), v.minValue(-1), v.maxValue(1_000_000));
const messageName = v.pipe(v.string(), v.minLength(1), v.maxLength(100));
/** Any JSON value, at most `MAX_MESSAGE_DATA_CHARS` once serialised. */
const jsonData = v.pipe(
  v.unknown(),
  v.check((value) => {
    try {
      const text = JSON.stringify(value);
      return text === undefined || text.length <= MAX_MESSAGE_DATA_CHARS;
    } catch {
      return false;
    }
  }, `data over ${MAX_MESSAGE_DATA_CHARS} characters`),
);
const pongSchema = v.object({ type: v.literal('pong'), t: v.number() });

/** A session message (Glance `sendSessionMessage`), both directions. */
const sessionMessageFields = { name: messageName, data: jsonData };

// ---------------------------------------------------------------------------------------------
// Visitor → server

const visitorHelloSchema = v.object({
  type: v.literal('hello'),
  v: v.number(),
  role: v.literal('visitor'),
  groupId,
  site: v.picklist(['staging', 'production']),
  /** Requested key; absent means the server generates a random numeric code. */
  key: v.optional(sessionKey),
  /** Present when continuing a session (reconnect, page load): [SS5]. */
  resume: v.optional(
    v.object({
      sessionId: shortText(128),
      token: shortText(128),
      /** Highest sequence number this client knows the server acknowledged. */
      ackedSeq: seq,
    }),
  ),
  visitor: v.optional(
    v.object({
      name: v.optional(shortText(63)),
      email: v.optional(shortText(127)),
      phone: v.optional(shortText(31)),
    }),
  ),
  page: v.object({ url: shortText(8192), title: shortText(1024), visible: v.optional(v.boolean()) }),
});

const visitorMessageSchema = v.variant('type', [
  visitorHelloSchema,
  v.object({ type: v.literal('stop') }),
  pongSchema,
  /** [AP1] to every agent, or to one (`to` = username). */
  v.object({ type: v.literal('message'), ...sessionMessageFields, to: v.optional(shortText(100)) }),
  /** [AP2] */
  v.object({ type: v.literal('userstate'), name: messageName, value: jsonData }),
  /** [AP3] */
  v.object({ type: v.literal('pause'), paused: v.boolean(), message: v.optional(shortText(512)) }),
  /** [RC2]–[RC4]: the visitor grants, suspends or revokes control. */
  v.object({ type: v.literal('rc'), enabled: v.boolean(), suspended: v.optional(v.boolean()) }),
  /** [RC2] the visitor declined an agent's request. */
  v.object({ type: v.literal('rc-declined') }),
  /** [AP4] */
  v.object({ type: v.literal('visibility'), visible: v.boolean() }),
]);

export type VisitorHello = v.InferOutput<typeof visitorHelloSchema>;
export type VisitorToServer = v.InferOutput<typeof visitorMessageSchema>;

// ---------------------------------------------------------------------------------------------
// Agent → server

const modifiers = v.optional(
  v.object({ ctrl: v.optional(v.boolean()), alt: v.optional(v.boolean()), shift: v.optional(v.boolean()), meta: v.optional(v.boolean()) }),
);

/**
 * One remote-control action ([RC5]): aimed at a node id of the mirror's keyframe epoch,
 * with viewport coordinates as the fallback.
 */
const remoteEventSchema = v.variant('kind', [
  v.object({
    kind: v.picklist(['click', 'dblclick', 'contextmenu']),
    target: v.optional(nodeId),
    x: coordinate,
    y: coordinate,
    button: v.optional(v.picklist([0, 1, 2])),
    modifiers,
  }),
  v.object({ kind: v.literal('hover'), target: v.optional(nodeId), x: coordinate, y: coordinate }),
  v.object({ kind: v.literal('key'), target: v.optional(nodeId), key: shortText(32), code: shortText(32), modifiers }),
  v.object({ kind: v.literal('text'), target: v.optional(nodeId), text: shortText(4096) }),
  v.object({ kind: v.literal('scroll'), target: nodeId, x: coordinate, y: coordinate }),
  v.object({ kind: v.literal('select'), target: nodeId, indexes: v.pipe(v.array(v.pipe(v.number(), v.integer(), v.minValue(0))), v.maxLength(1000)) }),
  v.object({ kind: v.literal('check'), target: nodeId, checked: v.boolean() }),
  v.object({ kind: v.literal('focus'), target: nodeId }),
]);

const navigateSchema = v.object({
  type: v.literal('navigate'),
  /** A URL (relative or absolute) or one of `forward`, `back`, `refresh`. */
  url: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)),
  confirm: v.optional(v.unknown()),
  open: v.optional(v.object({ target: v.optional(shortText(64)), features: v.optional(shortText(512)) })),
  link: v.optional(v.object({ target: v.optional(shortText(64)) })),
});

const agentHelloSchema = v.object({
  type: v.literal('hello'),
  v: v.number(),
  role: v.literal('agent'),
  /** Signed viewer ticket issued with the viewer page (proves the agent logged in). */
  ticket: shortText(2048),
  key: sessionKey,
  /** Wait for a session that has not started yet ([JN2]). */
  wait: v.boolean(),
  /** Resume after this sequence number instead of starting from the keyframe ([JN4]). */
  afterSeq: v.optional(seq),
});

const agentMessageSchema = v.variant('type', [
  agentHelloSchema,
  v.object({ type: v.literal('leave') }),
  pongSchema,
  /** [AP1] */
  v.object({ type: v.literal('message'), ...sessionMessageFields }),
  /** [RC1] ask for control (`true`) or give it back (`false`). */
  v.object({ type: v.literal('rc-request'), enable: v.boolean() }),
  /** [RC5] one remote-control action, for the keyframe epoch `epoch`. */
  v.object({ type: v.literal('rc-event'), epoch: seq, event: remoteEventSchema }),
  /** [RC8] a gesture (a click while control is off). */
  v.object({ type: v.literal('gesture'), epoch: seq, target: v.optional(nodeId), x: coordinate, y: coordinate }),
  /** [RC9] the agent's pointer over the mirror; (-1, -1) when it left. */
  v.object({ type: v.literal('pointer'), x: coordinate, y: coordinate }),
  /** [NV1] */
  navigateSchema,
  /** [AP5] */
  v.object({
    type: v.literal('screenshare'),
    action: v.picklist(['add', 'pause', 'resume', 'close']),
    params: v.optional(v.pipe(v.record(v.string(), v.unknown()), v.check((p) => JSON.stringify(p).length <= 8192, 'params too large'))),
  }),
  /** [AP6] */
  v.object({ type: v.literal('accessibility'), enabled: v.boolean() }),
]);

export type AgentHello = v.InferOutput<typeof agentHelloSchema>;
export type AgentToServer = v.InferOutput<typeof agentMessageSchema>;
export type RemoteEvent = v.InferOutput<typeof remoteEventSchema>;
export type NavigateRequest = Omit<v.InferOutput<typeof navigateSchema>, 'type'>;

// ---------------------------------------------------------------------------------------------
// Server → visitor

export type ServerToVisitor =
  | {
      type: 'welcome';
      v: number;
      sessionId: string;
      key: string;
      randomKey: boolean;
      /** Secret that lets this visitor continue the session after a reconnect or page load. */
      token: string;
      /** True when an existing session was continued. */
      resumed: boolean;
      /** The next sequence number the server expects; frames after the last acked one are resent. */
      nextSeq: number;
      /** The server lost the session's log (restart): send a keyframe before anything else. */
      needKeyframe: boolean;
      settings: VisitorSettings;
      agents: AgentsState;
      /** The session's state, so a continued page restores it (`statereceived`). */
      state: SessionState;
    }
  | { type: 'ack'; seq: number }
  | { type: 'need-keyframe' }
  | ({ type: 'agents' } & AgentsState)
  | { type: 'ended'; reason: EndReason }
  | { type: 'error'; code: string; message: string }
  | { type: 'ping'; t: number }
  | { type: 'message'; name: string; data: unknown; from: AgentInfo }
  | { type: 'rc-request'; agent: AgentInfo }
  | ({ type: 'rc' } & RemoteControlState)
  | { type: 'rc-event'; epoch: number; event: RemoteEvent; agent: AgentInfo }
  | { type: 'gesture'; epoch: number; target?: number; x: number; y: number; agent: AgentInfo }
  | { type: 'agent-pointer'; x: number; y: number; agent: AgentInfo }
  | ({ type: 'navigate'; agent: AgentInfo } & NavigateRequest)
  | ({ type: 'screenshare' } & ScreenshareState)
  | { type: 'accessibility'; enabled: boolean };

// ---------------------------------------------------------------------------------------------
// Server → agent

export interface SessionSummary {
  sessionId: string;
  key: string;
  groupId: string;
  startedAt: number;
  visitor: { name?: string; email?: string; phone?: string };
}

/** What an agent asked for and was not allowed to do ([RC1], [NV2], Glance `accessdenied`). */
export type DeniedAction = 'rcrequested' | 'rcevent' | 'navigate' | 'screenshare';

export type ServerToAgent =
  | { type: 'waiting'; key: string }
  | ({ type: 'joined'; agents: AgentsState; state: SessionState } & SessionSummary)
  | ({ type: 'agents' } & AgentsState)
  | { type: 'visitor'; connected: boolean }
  | { type: 'ended'; reason: EndReason }
  | { type: 'error'; code: string; message: string }
  | { type: 'ping'; t: number }
  | { type: 'message'; name: string; data: unknown }
  | { type: 'userstate'; name: string; value: unknown }
  | ({ type: 'rc' } & RemoteControlState)
  | { type: 'rc-declined' }
  | ({ type: 'paused' } & PauseState)
  | { type: 'visibility'; visible: boolean }
  | ({ type: 'page' } & PageInfo)
  | ({ type: 'screenshare' } & ScreenshareState)
  | { type: 'accessibility'; enabled: boolean }
  | { type: 'denied'; action: DeniedAction; reason: string };

// ---------------------------------------------------------------------------------------------
// Parsing at the server boundary

/** A parsed message or the reason it was refused. */
export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: string };

function parseWith<T>(schema: v.GenericSchema<unknown, T>, text: string): ParseResult<T> {
  if (text.length > MAX_CONTROL_MESSAGE_BYTES) return { ok: false, error: 'message too large' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  const result = v.safeParse(schema, json);
  if (result.success) return { ok: true, message: result.output };
  const issue = result.issues[0];
  const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
  return { ok: false, error: path ? `${path}: ${issue.message}` : issue.message };
}

/** Parses a control message from a visitor socket. */
export function parseVisitorMessage(text: string): ParseResult<VisitorToServer> {
  return parseWith(visitorMessageSchema, text);
}

/** Parses a control message from an agent socket. */
export function parseAgentMessage(text: string): ParseResult<AgentToServer> {
  return parseWith(agentMessageSchema, text);
}
