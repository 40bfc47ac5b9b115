/**
 * What the load generator is told and what it reports: its configuration and the messages
 * between the benchmark and the generator's own process (Node IPC, JSON).
 */
import type { HistogramData } from './histogram.js';

/** The relay the generator loads. */
export type RelayTarget =
  | {
      /** Our server: visitors on `/ws/visitor`, agents on `/ws/agent` with a viewer ticket. */
      kind: 'opencobrowse';
      /** `ws://host:port` of the server. */
      wsUrl: string;
      /** The `Origin` agent sockets send: the server's own ([HS4]). */
      agentOrigin: string;
      /** A viewer ticket of an agent of `groupId` (one serves every agent socket). */
      ticket: string;
      /** The group the visitors start sessions in. */
      groupId: string;
    }
  | {
      /** The bare `ws` relay of the benchmark: `/visitor/<id>` forwards to `/agent/<id>`. */
      kind: 'bare';
      wsUrl: string;
    };

/** What every session sends once traffic begins. */
export type TrafficSpec =
  | {
      /**
       * As fast as the relay delivers: frames of `frameBytes` (header included), each
       * visitor keeping at most `windowBytes` sent but not yet received by its agent.
       */
      mode: 'saturate';
      frameBytes: number;
      windowBytes: number;
    }
  | {
      /** The recorded sessions replayed at a mean of `bitsPerSecond` each (replay-plan.ts). */
      mode: 'replay';
      bitsPerSecond: number;
    }
  | {
      /** One recorded keyframe per session, then nothing (memory of idle sessions). */
      mode: 'idle';
    };

/** Configuration of a load generator. */
export interface GeneratorConfig {
  target: RelayTarget;
  /** Sessions: one visitor and one agent socket each. */
  sessions: number;
  /** Session keys are `<keyPrefix>-<index>` (letters, digits, `_`, `-`). */
  keyPrefix: string;
  traffic: TrafficSpec;
  /** Folder of the recorded frames (`*.bin`). */
  framesDir: string;
  /** Sessions being connected at the same time. */
  connectConcurrency: number;
  /** How long one socket may take to open and finish its handshake, ms. */
  connectTimeoutMs: number;
  /** Seed of the generator's PRNG (scene order, start offsets). */
  seed: number;
  /**
   * Overload guard: when this many bytes are sent and not yet received across all
   * sessions, the relay (or the machine) is not keeping up; the generator stops sending
   * rather than queue without bound, and reports `overloaded`. Default 256 MiB.
   */
  maxInflightBytes?: number;
}

/** Errors seen by the generator, cumulative since it started. */
export interface GeneratorErrors {
  /** Sessions that could not be set up (refused, timed out, closed during the handshake). */
  connectFailed: number;
  /** Sockets closed by the other side while the generator still used them, by `<role> <code>`. */
  unexpectedCloses: Record<string, number>;
  /** `error` events of sockets (resets, protocol errors). */
  socketErrors: number;
  /** `error` control messages from the server. */
  serverErrors: number;
  /** The overload guard stopped the traffic (see `GeneratorConfig.maxInflightBytes`). */
  overloaded: boolean;
  /** The first few error descriptions, for the report. */
  samples: string[];
}

/** Counters of one measurement window (or of the whole run, for `stopped`). */
export interface GeneratorSnapshot {
  /** Length of the window, ms. */
  elapsedMs: number;
  /** Sessions whose two sockets are open. */
  sessionsOpen: number;
  framesSent: number;
  bytesSent: number;
  framesReceived: number;
  bytesReceived: number;
  /** Visitor send → agent receive, ms, of every frame received in the window. */
  latency: HistogramData;
  /** How late the generator sent replayed frames against their schedule, ms (its own health). */
  sendLag: HistogramData;
  /** `need-keyframe` messages received (answered with a keyframe). */
  needKeyframe: number;
  errors: GeneratorErrors;
  /** The generator process's CPU time in the window, ms, and its RSS, bytes. */
  cpuMs: number;
  rssBytes: number;
  /** Replay: sessions on the schedule (connected and playing). */
  sessionsScheduled: number;
  /**
   * Replay: how far the sessions fell behind their schedule during the window, ms summed
   * over sessions (a frame more than 250 ms late moves its session's timeline on). Divided
   * by `elapsedMs × sessionsScheduled`: the share of the asked traffic not offered.
   */
  behindMs: number;
  /** Frames sent and not yet received, now (all sessions). */
  inflightFrames: number;
  /** The generator's event-loop delay in the window, p99 and max, ms: its own responsiveness. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

/** Result of setting up the sessions. */
export interface GeneratorReady {
  /** Sessions set up. */
  sessions: number;
  /** How long setting them up took, ms. */
  connectMs: number;
  errors: GeneratorErrors;
  /** For replay traffic: the plan's rates (what each session will send on average). */
  plan?: {
    bitsPerSecond: number;
    framesPerSecond: number;
    timeScale: number;
    meanBytes: { keyframe: number; delta: number; volatile: number };
    scenes: string[];
  };
}

/** Benchmark → generator. */
export type ToGenerator =
  | { type: 'start'; config: GeneratorConfig }
  | { type: 'begin' }
  /** Stop sending (sockets stay open, frames in flight still arrive). */
  | { type: 'pause' }
  | { type: 'snapshot'; reset: boolean }
  | { type: 'stop' };

/** Generator → benchmark. */
export type FromGenerator =
  | { type: 'ready'; ready: GeneratorReady }
  | { type: 'begun' }
  | { type: 'paused' }
  | { type: 'snapshot'; snapshot: GeneratorSnapshot }
  | { type: 'stopped'; snapshot: GeneratorSnapshot }
  | { type: 'failed'; message: string };
