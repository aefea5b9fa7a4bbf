import { matchesCondition } from "../query/condition.ts";
import { finalize, type GroupPartial, partialFor } from "../query/evaluate.ts";
import { DIMENSION_FILTERS, type QueryPlan, usesOnlyDimensions } from "../query/plan.ts";
import type { GroupField, StatResult } from "../query/stat-query.ts";
import { type DimField, type DimSet, smallestSet } from "./dimension-sets.ts";
import { BinAccumulator } from "./encoded-bins.ts";
import { MINUTE_MS, mergeExemplars, RESOLUTION_MS, RESOLUTIONS, type Resolution, type RollupRecord } from "./rollup.ts";

/** One read the planner asks of the store: rows of one set and resolution whose start is in [from, to). */
export interface RollupSpan {
  resolution: Resolution;
  from: number;
  to: number;
}

export interface RollupPlan {
  /** The minute-aligned range answered: the requested one widened to whole minutes. */
  from: number;
  to: number;
  /** The smallest dimension set holding every dimension the query filters or groups on. */
  set: DimSet;
  /** Whether rows must carry their duration bins (percentiles only). */
  bins: boolean;
  /** Narrowing a store may apply while reading (the answer filters again). */
  service?: string;
  error?: 0 | 1;
  spans: RollupSpan[];
}

/** Whether rollups hold what the plan reads: only rollup dimensions and durations. */
export function answerableFromRollups(plan: QueryPlan): boolean {
  return usesOnlyDimensions(plan) && plan.filter.durationMs === undefined;
}

/** [from, to) cut into the coarsest whole units that fit, the ragged edges by the finer ones. */
function cover(from: number, to: number, resolutions: readonly Resolution[], out: RollupSpan[]): void {
  const [finest, ...rest] = resolutions;
  if (from >= to || finest === undefined) return;
  const coarsest = rest.at(-1);
  if (coarsest === undefined) {
    out.push({ resolution: finest, from, to });
    return;
  }
  const step = RESOLUTION_MS[coarsest];
  const first = Math.ceil(from / step) * step;
  const last = Math.floor(to / step) * step;
  const finer = resolutions.slice(0, -1);
  if (first >= last) {
    cover(from, to, finer, out);
    return;
  }
  cover(from, first, finer, out);
  out.push({ resolution: coarsest, from: first, to: last });
  cover(last, to, finer, out);
}

/**
 * Which rows to read: the smallest dimension set that answers, and the range cut into whole days
 * from day rows, whole hours from hour rows and the ragged edges from minute rows, using only
 * resolutions that divide the bucket. Coarser rows are never more rows than the finer ones they
 * sum, so this reads the fewest: "count by service, 7 days" reads about 90 rows per service
 * (6 days, 23 hours, ~60 minutes), not 10,080 minutes of every route and status.
 */
export function planRollupSpans(plan: QueryPlan): RollupPlan {
  const from = Math.floor(plan.from / MINUTE_MS) * MINUTE_MS;
  const to = Math.ceil(plan.to / MINUTE_MS) * MINUTE_MS;
  const fits = RESOLUTIONS.filter((r) => plan.bucketMs === undefined || plan.bucketMs % RESOLUTION_MS[r] === 0);
  const spans: RollupSpan[] = [];
  cover(from, to, fits, spans);
  const fields = new Set<DimField>(plan.groupBy as GroupField[]);
  for (const field of DIMENSION_FILTERS) if (plan.filter[field] !== undefined) fields.add(field);
  const bins = plan.metric === "p50" || plan.metric === "p95" || plan.metric === "p99";
  const service = plan.filter.service?.eq;
  return {
    from,
    to,
    set: smallestSet(fields),
    bins,
    ...(typeof service === "string" ? { service } : {}),
    ...(plan.filter.hasError === undefined ? {} : { error: plan.filter.hasError ? 1 : 0 }),
    spans,
  };
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
  const bins = new Map<GroupPartial, BinAccumulator>();
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
    if (range.bins) {
      let acc = bins.get(partial);
      if (acc === undefined) {
        acc = new BinAccumulator();
        bins.set(partial, acc);
      }
      acc.add(record.bins);
    }
    if (record.exemplars.length > 0) {
      partial.exemplars ??= [];
      mergeExemplars(partial.exemplars, record.exemplars);
    }
  }
  for (const [partial, acc] of bins) partial.hist = acc.toHistogram();
  return { ...finalize(plan, groups.values()), estimated: false };
}
