import { describe, expect, it } from 'vitest';
import { Histogram } from './histogram.js';

/** The exact quantile of sorted values, nearest-rank. */
function exact(sorted: number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

describe('latency histogram', () => {
  it('reports quantiles within the bucket width (1 %) of the exact ones', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296);
    // Log-normal-ish latencies from 10 µs to seconds, as a loaded relay shows.
    const samples = Array.from({ length: 50_000 }, () => Math.exp(random() * 12 - 4));
    const histogram = new Histogram();
    for (const value of samples) histogram.record(value);
    const sorted = [...samples].sort((a, b) => a - b);
    for (const q of [0.5, 0.95, 0.99, 0.999]) {
      expect(Math.abs(histogram.quantile(q) / exact(sorted, q) - 1)).toBeLessThan(0.01);
    }
    expect(histogram.summary().max).toBe(sorted[sorted.length - 1]);
    expect(histogram.summary().count).toBe(samples.length);
  });

  it('merges across processes: the sum of two histograms equals one over all samples', () => {
    const a = new Histogram();
    const b = new Histogram();
    const all = new Histogram();
    for (let i = 1; i <= 1000; i++) {
      (i % 3 === 0 ? a : b).record(i / 10);
      all.record(i / 10);
    }
    const merged = Histogram.from(JSON.parse(JSON.stringify(a.toData())));
    merged.add(b.toData());
    expect(merged.summary()).toEqual(all.summary());
  });

  it('has no quantiles without samples', () => {
    expect(Number.isNaN(new Histogram().summary().p99)).toBe(true);
  });
});
