import { type Histogram, ZERO_BIN } from "../query/histogram.ts";

/**
 * A row's duration bins as stores keep and read them: `[zeroCount, firstBin, lastBin, …items]`,
 * each item the count of the next bin from firstBin on, or, when negative, a run of that many
 * empty bins skipped. Durations fill consecutive log bins, so this is nearly dense: a third of the
 * numbers of `{bin: count}` pairs, no integer-keyed object to build, and it merges into a flat
 * array. Empty (`[]`) when the row has no durations or the read did not ask for bins.
 */
export type EncodedBins = ArrayLike<number>;

/** Gaps shorter than this are written as zeros: a skip marker would not be shorter. */
const SKIP_FROM = 3;

/** `{bin: count}` (or a Map of them) → encoded. */
export function encodeBins(bins: Readonly<Record<string, number>> | ReadonlyMap<number, number>): number[] {
  const counts = bins instanceof Map ? bins : toMap(bins as Readonly<Record<string, number>>);
  let zero = 0;
  const sorted: number[] = [];
  for (const [bin, n] of counts) {
    if (bin === ZERO_BIN) zero += n;
    else if (n !== 0) sorted.push(bin);
  }
  if (sorted.length === 0) return zero > 0 ? [zero, 0, -1] : [];
  sorted.sort((a, b) => a - b);
  const first = sorted[0] as number;
  const out = [zero, first, sorted[sorted.length - 1] as number];
  let next = first;
  for (const bin of sorted) {
    const gap = bin - next;
    if (gap >= SKIP_FROM) out.push(-gap);
    else for (let i = 0; i < gap; i++) out.push(0);
    out.push(counts.get(bin) ?? 0);
    next = bin + 1;
  }
  return out;
}

/** Calls `add(bin, count)` for every non-empty bin of an encoded row (ZERO_BIN first). */
export function forEachBin(encoded: EncodedBins, add: (bin: number, count: number) => void): void {
  if (encoded.length < 3) return;
  const zero = encoded[0] as number;
  if (zero > 0) add(ZERO_BIN, zero);
  let bin = encoded[1] as number;
  for (let i = 3; i < encoded.length; i++) {
    const item = encoded[i] as number;
    if (item < 0) {
      bin -= item;
      continue;
    }
    if (item > 0) add(bin, item);
    bin++;
  }
}

function toMap(bins: Readonly<Record<string, number>>): Map<number, number> {
  const out = new Map<number, number>();
  for (const key in bins) out.set(Number(key), (out.get(Number(key)) ?? 0) + (bins[key] ?? 0));
  return out;
}

/** Encoded → bin → count, the form SumCells add in. */
export function binCounts(encoded: EncodedBins): Map<number, number> {
  const out = new Map<number, number>();
  forEachBin(encoded, (bin, count) => {
    out.set(bin, (out.get(bin) ?? 0) + count);
  });
  return out;
}

/** Encoded → `{bin: count}` (the form delta cells carry). */
export function decodeBins(encoded: EncodedBins): Record<string, number> {
  const out: Record<string, number> = {};
  forEachBin(encoded, (bin, count) => {
    out[String(bin)] = (out[String(bin)] ?? 0) + count;
  });
  return out;
}

/**
 * Sums encoded rows into one flat array indexed by bin (grown as needed): merging a day's rows
 * for a percentile is a loop of additions, not a Map update per bin.
 */
export class BinAccumulator {
  private zero = 0;
  private offset = 0;
  private counts = new Float64Array(0);

  add(encoded: EncodedBins): void {
    if (encoded.length < 3) return;
    this.zero += encoded[0] as number;
    const first = encoded[1] as number;
    const last = encoded[2] as number;
    if (last < first) return;
    this.reserve(first, last);
    const counts = this.counts;
    let at = first - this.offset;
    for (let i = 3; i < encoded.length; i++) {
      const item = encoded[i] as number;
      if (item < 0) {
        at -= item;
      } else {
        counts[at] = (counts[at] ?? 0) + item;
        at++;
      }
    }
  }

  toHistogram(): Histogram {
    const hist: Histogram = new Map();
    if (this.zero > 0) hist.set(ZERO_BIN, this.zero);
    this.counts.forEach((count, i) => {
      if (count > 0) hist.set(this.offset + i, count);
    });
    return hist;
  }

  private reserve(first: number, last: number): void {
    if (this.counts.length === 0) {
      this.offset = first;
      this.counts = new Float64Array(last - first + 1);
      return;
    }
    const end = this.offset + this.counts.length - 1;
    if (first >= this.offset && last <= end) return;
    const offset = Math.min(first, this.offset);
    const grown = new Float64Array(Math.max(last, end) - offset + 1);
    grown.set(this.counts, this.offset - offset);
    this.offset = offset;
    this.counts = grown;
  }
}
