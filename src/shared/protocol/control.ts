/**
 * JSON control messages, one discriminated union per direction ([CM1]–[CM5] in SPEC.md).
 *
 * Messages arriving at the server are untrusted: they are parsed once at the socket
 * boundary with the valibot schemas below and inner code only sees typed values.
 * Messages the server sends are typed here too, so clients switch on `type` with a
 * `never` check, but clients do not re-validate them (they trust their server).
 */
import * as v from 'valibot';

/** Session keys: a visitor id, an explicit key or a random numeric code (DESIGN §4). */
export const SESSION_KEY_PATTERN = /^[A-Za-z0-9_-]{1,50}$/;
/** Group ids are 4–6 digits, as in Glance. */
export const GROUP_ID_PATTERN = /^[0-9]{4,6}$/;
/** Largest control message accepted, in bytes of UTF-8 JSON. */
export const MAX_CONTROL_MESSAGE_BYTES = 64 * 1024;

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
}

// ---------------------------------------------------------------------------------------------
// Visitor → server

const sessionKey = v.pipe(v.string(), v.regex(SESSION_KEY_PATTERN, 'invalid session key'));
const groupId = v.pipe(v.string(), v.regex(GROUP_ID_PATTERN, 'invalid group id'));
const shortText = (max: number) => v.pipe(v.string(), v.maxLength(max));
const seq = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0xffffffff));

const visitorHelloSchema = v.object({
  type: v.literal('hello'),
  v: v.number(),
  role: v.literal('visitor'),
  groupId,
  site: v.picklist(['staging', 'production']),
  /** Requested key; absent means the server generates a random numeric code. */
  key: v.optional(sessionKey),
  /** Present when continuing a session (reconnect, page load): [SS4]. */
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
  page: v.object({ url: shortText(8192), title: shortText(1024) }),
});

const visitorStopSchema = v.object({ type: v.literal('stop') });
const pongSchema = v.object({ type: v.literal('pong'), t: v.number() });

const visitorMessageSchema = v.variant('type', [visitorHelloSchema, visitorStopSchema, pongSchema]);

export type VisitorHello = v.InferOutput<typeof visitorHelloSchema>;
export type VisitorToServer = v.InferOutput<typeof visitorMessageSchema>;

// ---------------------------------------------------------------------------------------------
// Agent → server

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

const agentLeaveSchema = v.object({ type: v.literal('leave') });

const agentMessageSchema = v.variant('type', [agentHelloSchema, agentLeaveSchema, pongSchema]);

export type AgentHello = v.InferOutput<typeof agentHelloSchema>;
export type AgentToServer = v.InferOutput<typeof agentMessageSchema>;

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
    }
  | { type: 'ack'; seq: number }
  | { type: 'need-keyframe' }
  | ({ type: 'agents' } & AgentsState)
  | { type: 'ended'; reason: EndReason }
  | { type: 'error'; code: string; message: string }
  | { type: 'ping'; t: number };

// ---------------------------------------------------------------------------------------------
// Server → agent

export interface SessionSummary {
  sessionId: string;
  key: string;
  groupId: string;
  startedAt: number;
  visitor: { name?: string; email?: string; phone?: string };
}

export type ServerToAgent =
  | { type: 'waiting'; key: string }
  | ({ type: 'joined'; agents: AgentsState } & SessionSummary)
  | ({ type: 'agents' } & AgentsState)
  | { type: 'visitor'; connected: boolean }
  | { type: 'ended'; reason: EndReason }
  | { type: 'error'; code: string; message: string }
  | { type: 'ping'; t: number };

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
