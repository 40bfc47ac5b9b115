/**
 * The relay-capacity benchmark's background load (1,000 sessions replaying recorded
 * traffic through our server), started around the loaded end-to-end latency run.
 * bench/relay/ owns the load generator; this file only adapts its entry to the runner.
 */
import type { ServerProcess } from './relay/server-process.js';

/** A running background load, or why there is none. */
export type BackgroundLoad = { stop(): Promise<unknown> } | { skipped: string };

/** Starts the background load against `server`; `quick` uses fewer sessions. */
export async function startBackgroundLoadForBench(_server: ServerProcess, _quick: boolean): Promise<BackgroundLoad> {
  return { skipped: 'bench/relay/ does not export startBackgroundLoad() yet' };
}
