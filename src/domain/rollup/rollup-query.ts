import { matchesCondition } from "../query/condition.ts";
import { finalize, type GroupPartial, partialFor } from "../query/evaluate.ts";
import { DIMENSION_FILTERS, type QueryPlan, usesOnlyDimensions } from "../query/plan.ts";
import type { GroupField, StatResult } from "../query/stat-query.ts";
import { HOUR_MS, MINUTE_MS, mergeExemplars, type Resolution, type RollupRecord } from "./rollup.ts";

/** One read the planner asks of the store: rows of one resolution whose start is in [from, to). */
export interface RollupSpan {
  resolution: Resolution;
  from: number;
  to: number;
}

export interface RollupPlan {
  /** The minute-aligned range answered: the requested one widened to whole minutes. */
  from: number;
  to: number;
  spans: RollupSpan[];
}

/** Whether rollups hold what the plan reads: only rollup dimensions and durations. */
export function answerableFromRollups(plan: QueryPlan): boolean {
  return usesOnlyDimensions(plan) && plan.filter.durationMs === undefined;
}

/**
 * Which rows to read: whole hours from hour rows (when the bucket, if any, is a whole number of
 * hours), the ragged edges from minute rows. An hour row is never more rows than its minutes, so
 * this reads the fewest rows: a 7-day question reads 168 rows per group, not 10,080.
 */
export function planRollupSpans(plan: QueryPlan): RollupPlan {
  const from = Math.floor(plan.from / MINUTE_MS) * MINUTE_MS;
  const to = Math.ceil(plan.to / MINUTE_MS) * MINUTE_MS;
  const hoursFit = plan.bucketMs === undefined || plan.bucketMs % HOUR_MS === 0;
  const firstHour = Math.ceil(from / HOUR_MS) * HOUR_MS;
  const lastHour = Math.floor(to / HOUR_MS) * HOUR_MS;
  if (!hoursFit || firstHour >= lastHour) return { from, to, spans: [{ resolution: "minute", from, to }] };
  const spans: RollupSpan[] = [];
  if (from < firstHour) spans.push({ resolution: "minute", from, to: firstHour });
  spans.push({ resolution: "hour", from: firstHour, to: lastHour });
  if (lastHour < to) spans.push({ resolution: "minute", from: lastHour, to });
  return { from, to, spans };
}

function matchesRecord(plan: QueryPlan, record: RollupRecord): boolean {
  const f = plan.filter;
  for (const field of DIMENSION_FILTERS) {
    const condition = f[field];
    if (condition !== undefined && !matchesCondition(condition, record[field])) return false;
  }
  if (f.hasError !== undefined && record.error !== (f.hasError ? 1 : 0)) return false;
  return true;
}

/**
 * Stored rows → the answer, with the same finalisation as the event path so both read alike:
 * counts are exact (weight 1 per event), `estimated` is false, and each row carries exemplars.
 */
export function evaluateRollups(plan: QueryPlan, range: RollupPlan, records: Iterable<RollupRecord>): StatResult {
  const groups = new Map<string, GroupPartial>();
  const wantsHistogram = plan.metric === "p50" || plan.metric === "p95" || plan.metric === "p99";
  for (const record of records) {
    if (record.start < range.from || record.start >= range.to || !matchesRecord(plan, record)) continue;
    if (plan.usesDuration && record.durationCount === 0) continue;
    const keys = plan.groupBy.map((key) => record[key as GroupField]);
    const bucket = plan.bucketMs === undefined ? null : Math.floor(record.start / plan.bucketMs) * plan.bucketMs;
    const partial = partialFor(groups, keys, bucket);
    if (plan.usesDuration) {
      // Avg, min, max and percentiles count only events with a duration, as on the event path.
      partial.w += record.durationCount;
      partial.ew += record.error * record.durationCount;
    } else {
      partial.w += record.count;
      partial.ew += record.error * record.count;
    }
    partial.wd += record.durationSum;
    partial.wn += record.durationCount;
    if (record.durationMin !== null && (partial.min === null || record.durationMin < partial.min)) partial.min = record.durationMin;
    if (record.durationMax !== null && (partial.max === null || record.durationMax > partial.max)) partial.max = record.durationMax;
    if (wantsHistogram) {
      partial.hist ??= new Map();
      for (const bin in record.bins) {
        const key = Number(bin);
        partial.hist.set(key, (partial.hist.get(key) ?? 0) + (record.bins[bin] ?? 0));
      }
    }
    if (record.exemplars.length > 0) mergeExemplars((partial.exemplars ??= []), record.exemplars);
  }
  return { ...finalize(plan, groups.values()), estimated: false };
}
