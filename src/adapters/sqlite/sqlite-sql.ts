import { type GroupPartial, type GroupValue, partialFor } from "../../domain/query/evaluate.ts";
import { decodeCursor, type EventFilter } from "../../domain/query/event-filter.ts";
import { PERCENTILES, type QueryPlan } from "../../domain/query/plan.ts";
import type { GroupField } from "../../domain/query/stat-query.ts";

/** Column of each whitelisted field: SQL text is built only from these constants, values are bound. */
export const COLUMN: Readonly<Record<GroupField, string>> = {
  service: "service",
  route: "route",
  statusCode: "status",
  errorCode: "error_code",
  method: "method",
};

export type Params = Record<string, string | number>;

/**
 * One GROUP BY over the covering index. Every aggregate is computed for every metric (they are
 * cheap and keep one code path); percentiles add the duration bin to the grouping.
 */
export function statSql(plan: QueryPlan): { sql: string; params: Params } {
  const params: Params = { tenant: plan.tenant, from: plan.from, to: plan.to };
  const where = ["tenant = $tenant", "ts >= $from", "ts < $to"];
  const f = plan.filter;
  const eq = (column: string, name: string, value: string | number | undefined) => {
    if (value === undefined) return;
    where.push(`${column} = $${name}`);
    params[name] = value;
  };
  eq("service", "service", f.service);
  eq("route", "route", f.route);
  eq("status", "status", f.statusCode);
  eq("error_code", "errorCode", f.errorCode);
  eq("method", "method", f.method);
  if (f.hasError !== undefined) where.push(`err = ${f.hasError ? 1 : 0}`);
  if (plan.usesDuration) where.push("d IS NOT NULL");
  const keys = plan.groupBy.map((field, i) => `${COLUMN[field]} AS g${i}`);
  if (plan.bucketMs) {
    keys.push("(ts - ts % $bucketMs) AS b");
    params.bucketMs = plan.bucketMs;
  }
  if (PERCENTILES[plan.metric] !== undefined) keys.push("hb AS hb");
  const groupBy = keys.map((k) => k.split(" AS ")[1]);
  const sql = `SELECT ${[...keys, "SUM(w) AS w", "SUM(w * err) AS ew", "SUM(w * d) AS wd", "SUM(CASE WHEN d IS NULL THEN 0 ELSE w END) AS wn", "SUM(sampled) AS s", "MIN(d) AS mn", "MAX(d) AS mx"].join(", ")}
    FROM events WHERE ${where.join(" AND ")}${groupBy.length ? ` GROUP BY ${groupBy.join(", ")}` : ""}`;
  return { sql, params };
}

export type AggregateRow = Record<string, GroupValue> & {
  w: number;
  ew: number;
  wd: number | null;
  wn: number;
  s: number;
  mn: number | null;
  mx: number | null;
};

/** statSql's rows → partials (percentile plans give one row per group and bin). */
export function readAggregateRows(plan: QueryPlan, rows: readonly AggregateRow[]): Map<string, GroupPartial> {
  const groups = new Map<string, GroupPartial>();
  for (const row of rows) {
    const keys = plan.groupBy.map((_, i) => row[`g${i}`] ?? null);
    const p = partialFor(groups, keys, plan.bucketMs ? Number(row.b) : null);
    p.w += row.w ?? 0;
    p.ew += row.ew ?? 0;
    p.wd += row.wd ?? 0;
    p.wn += row.wn ?? 0;
    p.sampled += row.s ?? 0;
    if (row.mn !== null && (p.min === null || row.mn < p.min)) p.min = row.mn;
    if (row.mx !== null && (p.max === null || row.mx > p.max)) p.max = row.mx;
    if (typeof row.hb === "number") {
      p.hist ??= new Map();
      p.hist.set(row.hb, row.w);
    }
  }
  return groups;
}

export function searchSql(search: EventFilter, tenant: string): { sql: string; params: Params } {
  const params: Params = { tenant, limit: search.limit + 1 };
  const where = ["tenant = $tenant"];
  const add = (clause: string, name: string, value: string | number | undefined) => {
    if (value === undefined) return;
    where.push(clause);
    params[name] = value;
  };
  add("service = $service", "service", search.service);
  add("route = $route", "route", search.route);
  add("status = $status", "status", search.statusCode);
  add("error_code = $errorCode", "errorCode", search.errorCode);
  add("err = $err", "err", search.hasError === undefined ? undefined : search.hasError ? 1 : 0);
  add("method = $method", "method", search.method);
  add("ts >= $from", "from", search.from);
  add("ts < $to", "to", search.to);
  // instr, not LIKE: the text is a plain substring, with no wildcard to escape.
  add("instr(txt, $q) > 0", "q", search.q?.toLowerCase());
  const cursor = search.cursor ? decodeCursor(search.cursor) : null;
  if (cursor) {
    where.push("(ts < $cts OR (ts = $cts AND event_id < $cid))");
    params.cts = cursor.ts;
    params.cid = cursor.id;
  }
  return {
    sql: `SELECT ts, event_id AS id, doc FROM events WHERE ${where.join(" AND ")} ORDER BY ts DESC, event_id DESC LIMIT $limit`,
    params,
  };
}
