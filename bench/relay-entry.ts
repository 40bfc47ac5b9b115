/**
 * The relay-capacity benchmark (bench/relay/, owned by its own engineer) as one step of
 * the runner: runs it and returns its markdown and results for RESULTS.md.
 */

/** What the runner keeps of the relay benchmark. */
export type RelayOutcome = { markdown?: string; results?: unknown; skipped?: string };

/** Runs the relay-capacity benchmark; `quick` for the smoke mode. */
export async function runRelayForBench(_quick: boolean, _log: (line: string) => void): Promise<RelayOutcome> {
  return { skipped: 'bench/relay/ does not export its entry function yet' };
}
