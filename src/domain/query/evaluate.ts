import type { DerivedFields } from "./derive.ts";
import { addToHistogram, binOf, type Histogram, histogramQuantile } from "./histogram.ts";
import { PERCENTILES, type QueryPlan } from "./plan.ts";
import type { StatResult, StatRow } from "./stat-query.ts";

export type GroupValue = string | number | boolean | null;

/**
 * Partial sums of one group (one row): what every store's query returns and what the memory
 * store accumulates. Turning partials into rows is shared, so the stores differ only in how
 * they compute the sums.
 */
export interface GroupPartial {
  /** Aligned with plan.groupBy. */
  keys: GroupValue[];
  /** Bucket start, epoch ms, when the plan has a bucket. */
  bucket: number | null;
  /** Σ weight, Σ weight·err, Σ weight·duration, Σ weight over events with a duration. */
  w: number;
  ew: number;
  wd: number;
  wn: number;
  /** Number of sampled (rate < 1) events. */
  sampled: number;
  min: number | null;
  max: number | null;
  /** Weighted duration histogram, for percentiles. */
  hist: Histogram | null;
  /** eventIds of stored events behind the row (rollup answers). */
  exemplars?: string[];
}

export function newPartial(keys: GroupValue[], bucket: number | null): GroupPartial {
  return { keys, bucket, w: 0, ew: 0, wd: 0, wn: 0, sampled: 0, min: null, max: null, hist: null };
}

/** Adds one matching event (memory store, and the reference for the others). */
export function addEvent(plan: QueryPlan, partial: GroupPartial, derived: DerivedFields, measure: number | null = derived.d): void {
  partial.w += derived.w;
  partial.ew += derived.w * derived.err;
  partial.sampled += derived.sampled;
  const d = measure;
  if (d === null) return;
  partial.wd += derived.w * d;
  partial.wn += derived.w;
  if (partial.min === null || d < partial.min) partial.min = d;
  if (partial.max === null || d > partial.max) partial.max = d;
  const bin = measure === derived.d ? derived.hb : binOf(d);
  if (PERCENTILES[plan.metric] !== undefined && bin !== null) {
    partial.hist ??= new Map();
    addToHistogram(partial.hist, bin, derived.w);
  }
}

/** The partial for (keys, bucket) in `groups`, created on first use. */
export function partialFor(groups: Map<string, GroupPartial>, keys: GroupValue[], bucket: number | null): GroupPartial {
  const key = partialKey(keys, bucket);
  let partial = groups.get(key);
  if (!partial) {
    partial = newPartial(keys, bucket);
    groups.set(key, partial);
  }
  return partial;
}

export const partialKey = (keys: readonly GroupValue[], bucket: number | null): string => JSON.stringify([bucket, ...keys]);

function metricValue(plan: QueryPlan, p: GroupPartial): number | null {
  switch (plan.metric) {
    case "count":
      return p.w;
    case "error_rate":
      return p.w > 0 ? p.ew / p.w : null;
    case "avg":
      return p.wn > 0 ? p.wd / p.wn : null;
    case "min":
      return p.min;
    case "max":
      return p.max;
    default:
      return p.hist ? histogramQuantile(p.hist, PERCENTILES[plan.metric] ?? 0.5) : null;
  }
}

const TYPE_ORDER = { number: 0, boolean: 1, string: 2 } as const;

/** null < numbers < booleans < strings: a total order, so every store sorts ties the same way. */
function compareValues(a: GroupValue, b: GroupValue): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a !== typeof b) {
    return TYPE_ORDER[typeof a as keyof typeof TYPE_ORDER] - TYPE_ORDER[typeof b as keyof typeof TYPE_ORDER];
  }
  return a < b ? -1 : 1;
}

/**
 * Partials → the answer. Order: time buckets ascending (a series), then value descending (a top
 * list; null last), then group keys ascending; then `limit`. With neither groupBy nor bucket the
 * answer is always one row (count 0, other metrics null, when nothing matched).
 */
export function finalize(plan: QueryPlan, partials: Iterable<GroupPartial>): StatResult {
  let estimated = false;
  const rows: Array<{ row: StatRow; p: GroupPartial }> = [];
  for (const p of partials) {
    if (p.sampled > 0) estimated = true;
    const row: StatRow = { value: metricValue(plan, p) };
    plan.groupBy.forEach((field, i) => {
      row[field] = p.keys[i] ?? null;
    });
    if (plan.bucket && p.bucket !== null) row.bucket = new Date(p.bucket).toISOString();
    if (p.exemplars !== undefined && p.exemplars.length > 0) row.exemplars = p.exemplars;
    rows.push({ row, p });
  }
  if (rows.length === 0 && plan.groupBy.length === 0 && !plan.bucket) {
    return { rows: [{ value: plan.metric === "count" ? 0 : null }], estimated: false };
  }
  rows.sort((x, y) => {
    if (plan.bucket) {
      const byBucket = (x.p.bucket ?? 0) - (y.p.bucket ?? 0);
      if (byBucket !== 0) return byBucket;
    }
    const a = x.row.value;
    const b = y.row.value;
    if (a !== b) {
      if (a === null) return 1;
      if (b === null) return -1;
      return b - a;
    }
    for (let i = 0; i < x.p.keys.length; i++) {
      const c = compareValues(x.p.keys[i] ?? null, y.p.keys[i] ?? null);
      if (c !== 0) return c;
    }
    return 0;
  });
  return { rows: rows.slice(0, plan.limit).map((r) => r.row), estimated };
}
