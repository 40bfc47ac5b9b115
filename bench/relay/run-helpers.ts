/** Small helpers the benchmark parts share: medians and error summaries. */
import type { GeneratorErrors, GeneratorSnapshot } from './generator-protocol.js';
import type { ErrorSummary } from './results.js';

/** The median of `values` (NaN when empty). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The errors of a run, with the frames sent but never delivered (`final` after draining). */
export function summariseErrors(errors: GeneratorErrors, final: GeneratorSnapshot | null): ErrorSummary {
  const closes = Object.values(errors.unexpectedCloses).reduce((a, b) => a + b, 0);
  const undeliveredFrames = final ? Math.max(0, final.framesSent - final.framesReceived) : 0;
  return {
    total: errors.connectFailed + closes + errors.socketErrors + errors.serverErrors + undeliveredFrames + (errors.overloaded ? 1 : 0),
    connectFailed: errors.connectFailed,
    unexpectedCloses: errors.unexpectedCloses,
    socketErrors: errors.socketErrors,
    serverErrors: errors.serverErrors,
    undeliveredFrames,
    overloaded: errors.overloaded,
    samples: errors.samples,
  };
}

/** How long frames in flight get to arrive after the traffic paused, ms. */
export const DRAIN_MS = 2_000;
/** With many sessions a relay's backlog may take longer: the drain goes on while frames still arrive, up to this, ms. */
export const DRAIN_MAX_MS = 15_000;

/**
 * Waits until every frame sent has arrived, or `DRAIN_MS` without progress, or
 * `DRAIN_MAX_MS` in all: what is still in flight then counts as undelivered.
 */
export async function drain(inflightFrames: () => Promise<number>): Promise<void> {
  const started = performance.now();
  let last = await inflightFrames();
  let progressAt = started;
  while (last > 0) {
    const now = performance.now();
    if (now - progressAt >= DRAIN_MS || now - started >= DRAIN_MAX_MS) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
    const inflight = await inflightFrames();
    if (inflight < last) progressAt = performance.now();
    last = inflight;
  }
}
