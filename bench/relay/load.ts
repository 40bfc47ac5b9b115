/**
 * Background load for other benchmarks (the end-to-end latency benchmark runs "while the
 * server carries background load"): N realistic sessions against a running server, from
 * a load generator in its own process so it does not disturb the caller's measurements.
 * Each session replays the recorded page frames at ~50 kbit/s (replay-plan.ts).
 *
 * ```ts
 * const load = await startBackgroundLoad({ serverUrl: 'http://127.0.0.1:8080', sessions: 1000,
 *   credentials: { username: 'demo', password } });
 * // … measure …
 * const stats = await load.stop(); // stats.latency.p99, stats.errors.total, …
 * ```
 */
import { GeneratorProcess } from './generator-process.js';
import type { GeneratorReady, GeneratorSnapshot } from './generator-protocol.js';
import { Histogram, type LatencySummary } from './histogram.js';
import { framesDir } from './paths.js';
import type { ErrorSummary } from './results.js';
import { DRAIN_MS, summariseErrors } from './run-helpers.js';
import { fetchViewerTicket } from './tickets.js';

/** Options of `startBackgroundLoad`. */
export interface BackgroundLoadOptions {
  /** The server's HTTP base URL, e.g. `http://127.0.0.1:8080`; its WebSocket endpoints are derived from it. */
  serverUrl: string;
  /** Sessions, one visitor and one agent socket each. Default 1,000. */
  sessions?: number;
  /** A viewer ticket for the agent sockets (one serves all). Give this or `credentials`. */
  ticket?: string;
  /** An agent's login, used to get a ticket when `ticket` is not given. */
  credentials?: { username: string; password: string };
  /** The group the visitors start sessions in: the agent's group. Default `10000` (the demo group). */
  groupId?: string;
  /** Mean page-frame rate of each session, bits/s. Default 50,000. */
  bitsPerSecond?: number;
  /** Session keys are `<keyPrefix>-<n>`: keep them apart from the caller's keys. Default `bgload`. */
  keyPrefix?: string;
  /** `Origin` of the agent sockets: the server's own ([HS4]). Default the origin of `serverUrl`. */
  agentOrigin?: string;
  /** Accept fewer sessions than asked when some cannot be set up. Default false (throws). */
  allowPartial?: boolean;
  /** Seed of the generator's PRNG. Default 11. */
  seed?: number;
}

/** What the background load saw. */
export interface BackgroundLoadStats {
  /** Sessions asked for and set up. */
  sessions: number;
  connected: number;
  /** Time since the traffic began, ms. */
  durationMs: number;
  /** What the visitors sent: mean per session, bits/s; frames/s delivered to agents in total. */
  offeredBitsPerSecondPerSession: number;
  deliveredFramesPerSecond: number;
  /** Relay latency of the background sessions' frames, ms. */
  latency: LatencySummary;
  /** Errors; `undeliveredFrames` is only counted by `stop()`. */
  errors: ErrorSummary;
  /** RSS of the generator process, bytes. */
  generatorRssBytes: number;
  /**
   * Share of the asked traffic the generator could not offer (0–1): short of CPU, its
   * sessions fell behind their schedule. Above a few %, the load was lighter than asked.
   */
  generatorBehindShare: number;
}

/** A running background load. */
export interface BackgroundLoad {
  /** Sessions set up. */
  readonly connected: number;
  /** The generator's process id (to tell its CPU apart). */
  readonly pid: number;
  /** The traffic each session sends on average. */
  readonly plan: GeneratorReady['plan'];
  /** The counters since the traffic began, without stopping. */
  stats(): Promise<BackgroundLoadStats>;
  /** Stops the traffic, lets frames in flight arrive, ends the sessions, stops the process. Idempotent. */
  stop(): Promise<BackgroundLoadStats>;
}

function describe(snapshot: GeneratorSnapshot, sessions: number, connected: number, final: boolean): BackgroundLoadStats {
  const seconds = snapshot.elapsedMs / 1000;
  return {
    sessions,
    connected,
    durationMs: snapshot.elapsedMs,
    offeredBitsPerSecondPerSession: (snapshot.bytesSent * 8) / seconds / Math.max(1, connected),
    deliveredFramesPerSecond: snapshot.framesReceived / seconds,
    latency: Histogram.from(snapshot.latency).summary(),
    errors: summariseErrors(snapshot.errors, final ? snapshot : null),
    generatorRssBytes: snapshot.rssBytes,
    generatorBehindShare:
      snapshot.elapsedMs * snapshot.sessionsScheduled > 0
        ? Math.max(0, snapshot.behindMs / (snapshot.elapsedMs * snapshot.sessionsScheduled))
        : 0,
  };
}

/**
 * Sets up `sessions` realistic sessions against the server at `serverUrl` and starts their
 * traffic; resolves once all are running. Throws (and cleans up) when no ticket can be had
 * or, unless `allowPartial`, when a session cannot be set up.
 */
export async function startBackgroundLoad(options: BackgroundLoadOptions): Promise<BackgroundLoad> {
  const sessions = options.sessions ?? 1_000;
  const base = new URL(options.serverUrl);
  let ticket = options.ticket;
  if (!ticket) {
    if (!options.credentials) throw new Error('startBackgroundLoad needs a viewer `ticket` or agent `credentials`');
    ticket = await fetchViewerTicket(base.origin, options.credentials.username, options.credentials.password);
  }
  const generator = await GeneratorProcess.spawn(sessions);
  try {
    const ready = await generator.start({
      target: {
        kind: 'opencobrowse',
        wsUrl: `${base.protocol === 'https:' ? 'wss:' : 'ws:'}//${base.host}`,
        agentOrigin: options.agentOrigin ?? base.origin,
        ticket,
        groupId: options.groupId ?? '10000',
      },
      sessions,
      keyPrefix: options.keyPrefix ?? 'bgload',
      traffic: { mode: 'replay', bitsPerSecond: options.bitsPerSecond ?? 50_000 },
      framesDir: framesDir(),
      connectConcurrency: 64,
      connectTimeoutMs: 30_000,
      seed: options.seed ?? 11,
    });
    if (ready.sessions === 0 || (ready.sessions < sessions && !options.allowPartial)) {
      throw new Error(`background load: ${ready.sessions} of ${sessions} sessions set up; first errors: ${ready.errors.samples.join('; ')}`);
    }
    await generator.begin();
    let stopping: Promise<BackgroundLoadStats> | undefined;
    return {
      connected: ready.sessions,
      pid: generator.pid,
      plan: ready.plan,
      stats: async () => describe(await generator.snapshot(false), sessions, ready.sessions, false),
      stop: () =>
        (stopping ??= (async () => {
          await generator.pause();
          await new Promise((resolve) => setTimeout(resolve, DRAIN_MS));
          return describe(await generator.stop(), sessions, ready.sessions, true);
        })()),
    };
  } catch (error) {
    await generator.kill();
    throw error;
  }
}
