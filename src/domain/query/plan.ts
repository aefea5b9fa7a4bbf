import type { DerivedFields } from "./derive.ts";
import { groupValue } from "./derive.ts";
import {
  BUCKET_MS,
  type Bucket,
  DEFAULT_LIMIT,
  DEFAULT_SERIES_LIMIT,
  type GroupField,
  type Metric,
  resolveTimeRange,
  type StatFilter,
  type StatQuery,
} from "./stat-query.ts";

/** Who asks and when: every query and search is confined to one tenant's events. */
export interface QueryScope {
  tenant: string;
  /** Epoch ms that relative ranges end at; defaults to the time of the call. */
  now?: number;
}

/** A validated StatQuery resolved to absolute, store-neutral terms. */
export interface QueryPlan {
  tenant: string;
  metric: Metric;
  /** Epoch ms, [from, to). */
  from: number;
  to: number;
  filter: StatFilter;
  groupBy: readonly GroupField[];
  bucket: Bucket | undefined;
  bucketMs: number | undefined;
  /** avg, min, max and percentiles read durationMs: events without one are left out. */
  usesDuration: boolean;
  limit: number;
}

export const PERCENTILES: Partial<Record<Metric, number>> = { p50: 0.5, p95: 0.95, p99: 0.99 };

export function planQuery(query: StatQuery, scope: QueryScope): QueryPlan {
  const { from, to } = resolveTimeRange(query.timeRange, scope.now ?? Date.now());
  return {
    tenant: scope.tenant,
    metric: query.metric,
    from,
    to,
    filter: query.filter ?? {},
    groupBy: query.groupBy ?? [],
    bucket: query.bucket,
    bucketMs: query.bucket ? BUCKET_MS[query.bucket] : undefined,
    usesDuration: query.metric !== "count" && query.metric !== "error_rate",
    limit: query.limit ?? (query.bucket ? DEFAULT_SERIES_LIMIT : DEFAULT_LIMIT),
  };
}

/** The plan's filter over one event: the reference semantics that the stores' queries mirror. */
export function matchesPlan(plan: QueryPlan, tenant: unknown, event: Record<string, unknown>, derived: DerivedFields): boolean {
  if (tenant !== plan.tenant || derived.ts < plan.from || derived.ts >= plan.to) return false;
  if (plan.usesDuration && derived.d === null) return false;
  const f = plan.filter;
  if (f.service !== undefined && groupValue(event, derived, "service") !== f.service) return false;
  if (f.route !== undefined && groupValue(event, derived, "route") !== f.route) return false;
  if (f.statusCode !== undefined && groupValue(event, derived, "statusCode") !== f.statusCode) return false;
  if (f.errorCode !== undefined && derived.errorCode !== f.errorCode) return false;
  if (f.method !== undefined && groupValue(event, derived, "method") !== f.method) return false;
  if (f.hasError !== undefined && derived.err !== (f.hasError ? 1 : 0)) return false;
  return true;
}
