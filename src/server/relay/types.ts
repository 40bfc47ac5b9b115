/**
 * What the relay core needs from its surroundings and offers them. The core knows no
 * transport (STYLE §3): the `ws` adapter, tests and benchmarks hand it `PeerSocket`s.
 */
import type { Logger } from 'pino';
import type { AgentPrivileges, AgentRole, Site, SiteSettings, Store } from '../store/store.js';
import type { Bus } from '../bus/bus.js';
import type { EndReason } from '../../shared/protocol/control.js';

/** The minimal socket the relay talks to. */
export interface PeerSocket {
  /** Sends a text (control) or binary (page frame) message. */
  send(data: string | Uint8Array): void;
  /** Closes with a code and reason; further sends are ignored. */
  close(code: number, reason: string): void;
  /** Bytes queued and not yet written to the network. */
  readonly bufferedAmount: number;
}

/** What the transport knows about a connection when it opens. */
export interface ConnectionInfo {
  /** Remote address, for logs and rate limits. */
  ip: string;
  /** The `Origin` header, if any. */
  origin: string | undefined;
  /** The `User-Agent` header, if any (the visitor's browser, for agents' `navigate` event). */
  userAgent?: string | undefined;
}

/** The relay's end of one socket: the transport feeds it messages and the close. */
export interface Connection {
  /** A message arrived (text or binary). */
  receive(data: Uint8Array | string, isBinary: boolean): void;
  /** The socket closed (by either side). */
  closed(code: number): void;
}

/** An authenticated agent, as resolved from a viewer ticket. */
export interface AgentIdentity {
  agentId: number;
  groupId: string;
  username: string;
  name: string;
  title: string;
  partnerUserId: string;
  role: AgentRole;
  privileges: AgentPrivileges;
}

/** Limits and timings of the relay; every field has a default (`DEFAULT_RELAY_CONFIG`). */
export interface RelayConfig {
  /** Largest keyframe, bytes. */
  maxKeyframeBytes: number;
  /** Largest delta, bytes. */
  maxDeltaBytes: number;
  /** Largest volatile frame, bytes. */
  maxVolatileBytes: number;
  /** Deltas kept per session beyond the keyframe before a new keyframe is requested, bytes. */
  maxLogBytes: number;
  /** An agent socket buffering more than this is closed (4408), bytes. */
  maxAgentBufferBytes: number;
  /** How long a session waits for its visitor to come back, ms. */
  visitorGraceMs: number;
  /** How long a socket may take to send its hello, ms. */
  handshakeTimeoutMs: number;
  /** Shortest time between two acks to a visitor, ms. */
  ackIntervalMs: number;
  /** Page frames per second a visitor may send (token bucket, burst = 2 s). */
  maxFramesPerSecond: number;
  /** Control messages per second any socket may send (token bucket, burst = 2 s). */
  maxControlPerSecond: number;
  /**
   * Interval of application pings to every open socket, ms ([CM4]): clients that hear
   * nothing for a few intervals know their connection is dead even when TCP does not.
   */
  pingIntervalMs: number;
}

export const DEFAULT_RELAY_CONFIG: Readonly<RelayConfig> = Object.freeze({
  maxKeyframeBytes: 32 * 1024 * 1024,
  maxDeltaBytes: 4 * 1024 * 1024,
  maxVolatileBytes: 4 * 1024,
  maxLogBytes: 8 * 1024 * 1024,
  maxAgentBufferBytes: 8 * 1024 * 1024,
  visitorGraceMs: 60_000,
  handshakeTimeoutMs: 10_000,
  ackIntervalMs: 50,
  maxFramesPerSecond: 2_000,
  maxControlPerSecond: 200,
  pingIntervalMs: 15_000,
});

/** What the relay is built from. */
export interface RelayDeps {
  store: Store;
  bus: Bus;
  logger: Logger;
  config?: Partial<RelayConfig>;
  /**
   * This server's id in the store's live sessions ([RS3]): stable across restarts so the
   * server restores its own sessions. Default `local`.
   */
  nodeId?: string;
  /** Resolves a viewer ticket to the agent it was issued to, or null if invalid/expired/disabled. */
  authenticateAgent(ticket: string): Promise<AgentIdentity | null>;
}

/** A live session as listed to agents (console) and HTTP routes. */
export interface SessionInfo {
  sessionId: string;
  groupId: string;
  site: Site;
  key: string;
  randomKey: boolean;
  startedAt: number;
  visitorConnected: boolean;
  agentCount: number;
  visitor: { name?: string; email?: string; phone?: string };
  pageUrl: string;
  pageTitle: string;
}

export type { SiteSettings, EndReason };
