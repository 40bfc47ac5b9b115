/**
 * A latency histogram with logarithmic buckets (1 % wide, from 1 µs to 100 s): constant
 * memory and O(1) recording whatever the sample count, mergeable, and small enough to
 * cross a process boundary as JSON. Quantiles are accurate to the bucket width (±0.5 %).
 */

/** Smallest value told apart, ms (1 µs). */
const MIN_MS = 0.001;
/** Relative width of a bucket. */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
/** Buckets up to 100 s. */
const BUCKETS = Math.ceil(Math.log(100_000 / MIN_MS) / LOG_GROWTH) + 2;

/** A histogram as plain data (what crosses IPC). */
export interface HistogramData {
  /** Sample counts by bucket index, only the non-empty ones: [index, count] pairs. */
  buckets: Array<[number, number]>;
  count: number;
  /** Sum of the samples, ms. */
  sum: number;
  /** Largest sample, ms. */
  max: number;
}

/** Quantiles of a histogram, ms. */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

export class Histogram {
  private counts = new Uint32Array(BUCKETS);
  count = 0;
  sum = 0;
  max = 0;

  /** Records one sample, ms (negative ones count as 0). */
  record(ms: number): void {
    const value = ms > MIN_MS ? ms : MIN_MS;
    let index = Math.floor(Math.log(value / MIN_MS) / LOG_GROWTH);
    if (index >= BUCKETS) index = BUCKETS - 1;
    this.counts[index]!++;
    this.count++;
    this.sum += value;
    if (value > this.max) this.max = value;
  }

  /** Adds another histogram's samples. */
  add(data: HistogramData): void {
    for (const [index, count] of data.buckets) this.counts[index]! += count;
    this.count += data.count;
    this.sum += data.sum;
    if (data.max > this.max) this.max = data.max;
  }

  /** The value below which `q` (0–1) of the samples fall, ms (a bucket's middle). */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let index = 0; index < BUCKETS; index++) {
      seen += this.counts[index]!;
      if (seen >= rank) return Math.min(this.max, MIN_MS * GROWTH ** (index + 0.5));
    }
    return this.max;
  }

  summary(): LatencySummary {
    return {
      count: this.count,
      mean: this.count ? this.sum / this.count : Number.NaN,
      p50: this.quantile(0.5),
      p95: this.quantile(0.95),
      p99: this.quantile(0.99),
      p999: this.quantile(0.999),
      max: this.count ? this.max : Number.NaN,
    };
  }

  toData(): HistogramData {
    const buckets: Array<[number, number]> = [];
    for (let index = 0; index < BUCKETS; index++) if (this.counts[index]) buckets.push([index, this.counts[index]!]);
    return { buckets, count: this.count, sum: this.sum, max: this.max };
  }

  static from(data: HistogramData): Histogram {
    const histogram = new Histogram();
    histogram.add(data);
    return histogram;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.max = 0;
  }
}
