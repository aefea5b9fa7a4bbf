/**
 * Log-scale duration bins (the DDSketch mapping): bin k holds (γ^(k-1), γ^k] and answers with
 * 2γ^k/(γ+1), which is within ALPHA (1%) of every value in the bin. Each event's bin is computed
 * once at write time, so every store groups by the same integer and percentiles need only
 * `$group` + `$sum`, which FerretDB runs. Answers are identical across stores.
 */
export const ALPHA = 0.01;
const GAMMA = (1 + ALPHA) / (1 - ALPHA);
const LOG_GAMMA = Math.log(GAMMA);
/** Below this a duration counts as 0 (answers 0). */
const MIN_POSITIVE = 1e-3;
export const ZERO_BIN = -1_000_000;

export function binOf(value: number): number {
  return value < MIN_POSITIVE ? ZERO_BIN : Math.ceil(Math.log(value) / LOG_GAMMA);
}

/** The bin's representative value, rounded to 1 µs (durations are in ms). */
export function binValue(bin: number): number {
  if (bin === ZERO_BIN) return 0;
  return Math.round(((2 * GAMMA ** bin) / (GAMMA + 1)) * 1000) / 1000;
}

/**
 * A coarse bin groups COARSE_BINS consecutive bins (about 37% wide). Stored beside the bin, it lets
 * a store whose $group slows with the number of groups (FerretDB 1.x) find the one coarse bin that
 * holds a percentile first, and only then group that bin's events finely.
 */
export const COARSE_BINS = 16;

export function coarseBinOf(bin: number): number {
  return Math.floor(bin / COARSE_BINS);
}

/** bin → summed weight. */
export type Histogram = Map<number, number>;

export function addToHistogram(hist: Histogram, bin: number, weight: number): void {
  hist.set(bin, (hist.get(bin) ?? 0) + weight);
}

/**
 * Weighted quantile: the value of the first bin (ascending) whose cumulative weight reaches
 * q × total. Null for an empty histogram.
 */
export function histogramQuantile(hist: Histogram, q: number): number | null {
  const bin = histogramQuantileBin(hist, q);
  return bin === null ? null : binValue(bin);
}

/** The bin histogramQuantile answers from; works on any integer keys (coarse bins too). */
export function histogramQuantileBin(hist: Histogram, q: number): number | null {
  let total = 0;
  for (const weight of hist.values()) total += weight;
  if (!(total > 0)) return null;
  const bins = [...hist.keys()].sort((a, b) => a - b);
  const target = q * total * (1 - 1e-12); // tolerate float error in the running sum
  let cumulative = 0;
  for (const bin of bins) {
    cumulative += hist.get(bin) ?? 0;
    if (cumulative >= target) return bin;
  }
  return bins[bins.length - 1] as number;
}

/** Exact weighted quantile of raw values, same definition: for tests and truth checks. */
export function exactWeightedQuantile(values: ReadonlyArray<{ value: number; weight: number }>, q: number): number | null {
  const sorted = values.filter((v) => v.weight > 0).sort((a, b) => a.value - b.value);
  const total = sorted.reduce((n, v) => n + v.weight, 0);
  if (!(total > 0)) return null;
  let cumulative = 0;
  for (const v of sorted) {
    cumulative += v.weight;
    if (cumulative >= q * total * (1 - 1e-12)) return v.value;
  }
  return sorted[sorted.length - 1]?.value ?? null;
}
