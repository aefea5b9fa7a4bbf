import { type Condition, matchesCondition, toCondition, valueAtPath } from "./condition.ts";
import type { DerivedFields } from "./derive.ts";
import { groupValue } from "./derive.ts";
import {
  BUCKET_MS,
  type Bucket,
  DEFAULT_LIMIT,
  DEFAULT_SERIES_LIMIT,
  type GroupField,
  type GroupKey,
  type Metric,
  resolveTimeRange,
  type StatFilter,
  type StatQuery,
} from "./stat-query.ts";

/** The query's filter in normal form: each field's condition, attr conditions by path. */
export interface PlanFilter {
  service?: Condition;
  route?: Condition;
  statusCode?: Condition;
  errorCode?: Condition;
  method?: Condition;
  durationMs?: Condition;
  hasError?: boolean;
  attr: Array<{ path: string; condition: Condition }>;
}

export const DIMENSION_FILTERS = ["service", "route", "statusCode", "errorCode", "method"] as const;

export function normalizeFilter(filter: StatFilter | undefined): PlanFilter {
  const out: PlanFilter = { attr: [] };
  if (!filter) return out;
  for (const field of DIMENSION_FILTERS) if (filter[field] !== undefined) out[field] = toCondition(filter[field]);
  if (filter.durationMs !== undefined) out.durationMs = toCondition(filter.durationMs);
  if (filter.hasError !== undefined) out.hasError = filter.hasError;
  for (const [path, condition] of Object.entries(filter.attr ?? {})) out.attr.push({ path, condition: toCondition(condition) });
  return out;
}

/** True when a query reads only what rollups hold: durations, and the rollup dimensions. */
export function usesOnlyDimensions(plan: QueryPlan): boolean {
  return (
    plan.field === "durationMs" &&
    plan.filter.attr.length === 0 &&
    plan.filter.durationMs === undefined &&
    plan.groupBy.every((g) => !g.startsWith("attr:"))
  );
}

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
  filter: PlanFilter;
  groupBy: readonly GroupKey[];
  /** What avg, min, max and percentiles read: durationMs or `attr:<path>`. */
  field: "durationMs" | `attr:${string}`;
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
    filter: normalizeFilter(query.filter),
    groupBy: query.groupBy ?? [],
    field: query.field ?? "durationMs",
    bucket: query.bucket,
    bucketMs: query.bucket ? BUCKET_MS[query.bucket] : undefined,
    usesDuration: query.metric !== "count" && query.metric !== "error_rate",
    limit: query.limit ?? (query.bucket ? DEFAULT_SERIES_LIMIT : DEFAULT_LIMIT),
  };
}

/** The plan's filter over one event: the reference semantics that the stores' queries mirror. */
export function matchesPlan(plan: QueryPlan, tenant: unknown, event: Record<string, unknown>, derived: DerivedFields): boolean {
  if (tenant !== plan.tenant || derived.ts < plan.from || derived.ts >= plan.to) return false;
  if (plan.usesDuration && measureOf(plan, event, derived) === null) return false;
  const f = plan.filter;
  for (const field of DIMENSION_FILTERS) {
    const condition = f[field];
    if (condition !== undefined && !matchesCondition(condition, groupValue(event, derived, field))) return false;
  }
  if (f.durationMs !== undefined && !matchesCondition(f.durationMs, derived.d)) return false;
  if (f.hasError !== undefined && derived.err !== (f.hasError ? 1 : 0)) return false;
  for (const { path, condition } of f.attr) if (!matchesCondition(condition, valueAtPath(event, path))) return false;
  return true;
}

/** The value avg/min/max/percentiles read from an event: durationMs, or a finite number at the attr path. */
export function measureOf(plan: QueryPlan, event: Record<string, unknown>, derived: DerivedFields): number | null {
  if (plan.field === "durationMs") return derived.d;
  const value = valueAtPath(event, plan.field.slice(5));
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** A group-by value of an event: a dimension, or the scalar at an attr path. */
export function groupKeyValue(event: Record<string, unknown>, derived: DerivedFields, key: GroupKey): string | number | boolean | null {
  return key.startsWith("attr:") ? valueAtPath(event, key.slice(5)) : groupValue(event, derived, key as GroupField);
}
