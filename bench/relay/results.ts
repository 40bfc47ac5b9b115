/**
 * The relay benchmark's results (`runRelayBenchmarks()`), as plain JSON-able data. Units are
 * in the names: `…Ms` milliseconds, `…Bytes` bytes, `…PerSecond` per second, `…Cores` CPU
 * cores used (1 = one core busy all the time). MB are 10^6 bytes.
 */
import type { LatencySummary } from './histogram.js';
import type { ProfileSummary } from './profile.js';
import type { RelayKind } from './relay-under-test.js';

/** Errors one run saw (all zero = "no error"). */
export interface ErrorSummary {
  /** Sum of everything below. */
  total: number;
  /** Sessions that could not be set up (refused, timed out, closed during the handshake). */
  connectFailed: number;
  /** Sockets the relay closed while in use, by `<role> <close code>`. */
  unexpectedCloses: Record<string, number>;
  /** Socket `error` events. */
  socketErrors: number;
  /** `error` control messages from the server. */
  serverErrors: number;
  /** Frames sent and never delivered (counted after the traffic stopped and drained). */
  undeliveredFrames: number;
  /**
   * The relay (or the machine) did not keep up: bytes in flight passed the generator's
   * bound and it stopped sending. The run's figures are then those of an overloaded relay.
   */
  overloaded: boolean;
  /** The first few error descriptions. */
  samples: string[];
}

/** CPU used, cores: the relay, the load generator, and the rest of the machine. */
export interface CpuUse {
  relayCores: number;
  generatorCores: number;
  /** Everything else (the benchmark runner, and other people's processes on a shared machine). */
  otherCores: number;
}

/** One measurement window of a throughput run. */
export interface ThroughputWindow extends CpuUse {
  /** Frames delivered to the agents per second. */
  messagesPerSecond: number;
  /** Frame bytes (WebSocket payload) delivered to the agents per second, MB. */
  megabytesPerSecond: number;
}

/** A saturation run of one relay at one frame size. */
export interface ThroughputRun extends CpuUse {
  relay: RelayKind;
  /** Size of every frame, header included, bytes. */
  frameBytes: number;
  sessions: number;
  /** Bytes each visitor keeps in flight (sent, not yet received by its agent). */
  windowBytes: number;
  /** Median of the windows (the CPU fields too). */
  messagesPerSecond: number;
  megabytesPerSecond: number;
  windows: ThroughputWindow[];
  /** Relay latency over all windows (in a saturated pipeline: mostly queueing), ms. */
  latency: LatencySummary;
  /** Relay CPU time per delivered message, µs (median windows). */
  relayMicrosPerMessage: number;
  /** Peak RSS of the relay, bytes. */
  relayPeakRssBytes: number;
  /** `need-keyframe` requests answered (catch-up log budget, [LG2]). */
  needKeyframe: number;
  errors: ErrorSummary;
}

/** Ours against the bare relay at one frame size. */
export interface ThroughputComparison {
  frameBytes: number;
  ours: ThroughputRun;
  bare: ThroughputRun;
  /** ours.messagesPerSecond / bare.messagesPerSecond. */
  ratio: number;
  /** ours.relayMicrosPerMessage / bare.relayMicrosPerMessage (CPU cost, lower is better). */
  cpuCostRatio: number;
}

/** Many sessions at a realistic rate. */
export interface ConcurrencyRun extends CpuUse {
  relay: RelayKind;
  /** Sessions asked for, and set up. */
  sessions: number;
  connected: number;
  /** Time to set all sessions up, ms. */
  connectMs: number;
  /** Measured window, ms (after the warm-up). */
  measureMs: number;
  /** What the visitors sent in the window: mean per session, bits/s, and frames/s in total. */
  offeredBitsPerSecondPerSession: number;
  offeredFramesPerSecond: number;
  /** Frames delivered to agents per second in the window. */
  deliveredFramesPerSecond: number;
  /** Relay latency (visitor send → agent receive) of every frame in the window, ms. */
  latency: LatencySummary;
  /** p99 of each sub-window (stability across the window), ms. */
  windowP99Ms: number[];
  /** How late the generator sent frames against the schedule, p99 ms (its own health). */
  generatorSendLagP99Ms: number;
  /** The asked mean rate per session, bits/s (the plan's). */
  askedBitsPerSecondPerSession: number;
  /**
   * Share of the asked traffic the generator did not offer in the window (0–1): it was
   * short of CPU and its sessions fell behind their schedule (and played on from there).
   * Above a few %, the relay carried less than the asked load; see `offered…`.
   */
  generatorBehindShare: number;
  /** The same, per sub-window. */
  windowGeneratorBehindShare: number[];
  /** The generator's event-loop delay, worst sub-window p99 and max, ms (received frames wait that long too). */
  generatorLoopDelayP99Ms: number;
  generatorLoopDelayMaxMs: number;
  /**
   * Share of the window the relay's and the generator's event-loop threads were ready to
   * run but waited for a core (median of the sub-windows; /proc/<pid>/schedstat): high
   * when the machine's cores were oversubscribed, whoever used them.
   */
  relayWaitingShare: number;
  generatorWaitingShare: number;
  /** Relay RSS: once connected before traffic, peak in the window, at the end, bytes. */
  relayRssConnectedBytes: number;
  relayRssPeakBytes: number;
  relayRssEndBytes: number;
  needKeyframe: number;
  errors: ErrorSummary;
  /** Server log lines at warn or above during the run (ours only), count and first few. */
  serverWarnings: number;
  serverWarningSamples: string[];
}

/** Memory of idle sessions (each sent one recorded keyframe, then nothing). */
export interface IdleMemoryResult {
  /** Idle sessions connected first (warms the server up), and their RSS. */
  baselineSessions: number;
  baselineRssBytes: number;
  /** Idle sessions measured, and the RSS with them added. */
  sessions: number;
  rssBytes: number;
  /** (rssBytes − baselineRssBytes) / sessions. */
  perSessionBytes: number;
  /** Mean size of the keyframe each session's catch-up log holds, bytes. */
  meanKeyframeBytes: number;
  /** perSessionBytes − meanKeyframeBytes: what a session costs beyond its page. */
  perSessionOverheadBytes: number;
  errors: ErrorSummary;
}

/** One target of issue 3 and whether this run met it. */
export interface TargetCheck {
  name: string;
  target: string;
  measured: string;
  met: boolean;
}

/** A server CPU profile taken in a separate run of a scenario that missed its target. */
export interface ProfileReport {
  scenario: string;
  /** The `.cpuprofile` file (open in Chrome DevTools → Performance). */
  file: string;
  summary: ProfileSummary;
}

/** The realistic traffic each concurrency session sends (replay-plan.ts). */
export interface TrafficDescription {
  /** The recordings replayed (bench/relay/frames/*.bin). */
  recordings: string[];
  /** Planned mean per session, bits/s and frames/s. */
  bitsPerSecond: number;
  framesPerSecond: number;
  /** Recorded time is divided by this. */
  timeScale: number;
  meanFrameBytes: { keyframe: number; delta: number; volatile: number };
}

/** Everything `runRelayBenchmarks()` measured. */
export interface RelayResults {
  /** ISO time the run started. */
  startedAt: string;
  machine: {
    cpus: number;
    cpuModel: string;
    node: string;
    totalMemoryBytes: number;
    /** 1-minute load average when the run started (above ~0.5: others were using the machine). */
    loadAverageAtStart: number;
    /** Open-file hard limit of child processes. */
    fileLimit: number;
  };
  /** The server under test: git commit of the checkout and when dist/cli.js was built. */
  server: { gitCommit: string; bundleBuiltAt: string };
  /** Relay settings that differ from the defaults, per part, and why. */
  relayOverrides: Array<{ part: string; settings: Record<string, number>; reason: string }>;
  throughput: ThroughputComparison[];
  concurrency: ConcurrencyRun[];
  traffic: TrafficDescription | null;
  idle: IdleMemoryResult | null;
  targets: TargetCheck[];
  profiles: ProfileReport[];
  /** Things the reader must know (a busy machine, a generator that could not keep up, …). */
  notes: string[];
  /** Wall time of the whole run, ms. */
  durationMs: number;
}
