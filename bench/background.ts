/**
 * The relay-capacity benchmark's background load (sessions replaying recorded page traffic
 * through our server, from a generator in its own process), started around the loaded
 * end-to-end latency run. bench/relay/ owns the load generator; this file adapts it.
 */
import { startBackgroundLoad, type BackgroundLoadStats, type ServerProcess } from './relay/index.js';

/** Sessions of the background load: the 1,000; fewer in the quick smoke run. */
export function backgroundSessions(quick: boolean): number {
  return quick ? 200 : 1_000;
}

/** A running background load. */
export interface RunningLoad {
  /** Sessions set up. */
  connected: number;
  /** Stops it and returns what it saw (its own relay latency, errors, rates). */
  stop(): Promise<BackgroundLoadStats>;
}

/** Starts the background load against `server`; resolves once every session sends. */
export async function startBackgroundLoadForBench(server: ServerProcess, quick: boolean): Promise<RunningLoad> {
  const load = await startBackgroundLoad({
    serverUrl: server.baseUrl,
    sessions: backgroundSessions(quick),
    credentials: { username: server.username, password: server.password },
    groupId: server.groupId,
    // Apart from the latency benchmark's own session keys.
    keyPrefix: 'bgload',
  });
  return { connected: load.connected, stop: () => load.stop() };
}
