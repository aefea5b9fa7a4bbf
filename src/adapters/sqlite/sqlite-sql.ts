import type { Condition, Scalar } from "../../domain/query/condition.ts";
import { type GroupPartial, type GroupValue, partialFor } from "../../domain/query/evaluate.ts";
import { decodeCursor, type EventFilter } from "../../domain/query/event-filter.ts";
import { addToHistogram, binOf } from "../../domain/query/histogram.ts";
import { PERCENTILES, type QueryPlan } from "../../domain/query/plan.ts";
import { ATTR_PATH, type GroupField } from "../../domain/query/stat-query.ts";

/** Column of each whitelisted field: SQL text is built only from these constants, values are bound. */
export const COLUMN: Readonly<Record<GroupField, string>> = {
  service: "service",
  route: "route",
  statusCode: "status",
  errorCode: "error_code",
  method: "method",
};

export type Params = Record<string, string | number>;

/** What statSql adds to WHERE and binds: every value is a parameter, the SQL text only constants. */
class Builder {
  readonly params: Params;
  private n = 0;
  constructor(params: Params) {
    this.params = params;
  }
  bind(value: string | number): string {
    const name = `p${this.n++}`;
    this.params[name] = value;
    return `$${name}`;
  }
  list(values: readonly (string | number)[]): string {
    return values.map((v) => this.bind(v)).join(", ");
  }
}

/** Row columns of the dimension filters; `text` columns hold "" as sent, which the reference reads as absent. */
const FILTER_COLUMNS = [
  ["service", "service", true],
  ["route", "route", true],
  ["method", "method", true],
  ["statusCode", "status", false],
  ["errorCode", "error_code", false],
] as const;

const RANGE = [
  ["gte", ">="],
  ["gt", ">"],
  ["lte", "<="],
  ["lt", "<"],
] as const;

/**
 * A condition on a column (condition.ts semantics): NULL fails eq, in and the ranges (SQL's
 * NULL comparisons do) and passes neq and nin (IS NOT, and the explicit IS NULL).
 */
function columnClauses(b: Builder, column: string, text: boolean, c: Condition): string[] {
  const out: string[] = [];
  const present = text ? `IFNULL(${column}, '') <> ''` : `${column} IS NOT NULL`;
  if (c.exists !== undefined) out.push(c.exists ? present : `NOT (${present})`);
  if (c.eq !== undefined) out.push(`${column} = ${b.bind(sqlScalar(c.eq))}`);
  if (c.neq !== undefined) out.push(`${column} IS NOT ${b.bind(sqlScalar(c.neq))}`);
  if (c.in !== undefined) out.push(`${column} IN (${b.list(c.in.map(sqlScalar))})`);
  if (c.nin !== undefined) out.push(`(${column} IS NULL OR ${column} NOT IN (${b.list(c.nin.map(sqlScalar))}))`);
  for (const [op, sql] of RANGE) {
    const bound = c[op];
    if (bound !== undefined) out.push(`${column} ${sql} ${b.bind(bound)}`);
  }
  return out;
}

/** Dimension values are strings or numbers (the schema); a boolean could only come from a bug. */
function sqlScalar(value: Scalar): string | number {
  if (typeof value === "boolean") throw new Error("a boolean condition on a dimension column");
  return value;
}

/**
 * An attr path as a SQLite JSON path with every key quoted (`$."user"."plan"`). The schema allows
 * only letters, digits, _ and - in a segment; this is checked again here since the path is text.
 */
export function jsonPath(path: string): string {
  if (!ATTR_PATH.test(path)) throw new Error(`attr path ${JSON.stringify(path)} is not a dotted path`);
  return `$${path
    .split(".")
    .map((s) => `."${s}"`)
    .join("")}`;
}

const NUMBER_TYPES = "('integer', 'real')";
const SCALAR_TYPES = "('text', 'integer', 'real', 'true', 'false')";

/**
 * The value at an attr path, as the reference reads it (valueAtPath): json_extract gives 1/0 for
 * true/false, so every comparison checks json_type too, and objects, arrays and null count as absent.
 */
class AttrRef {
  /** json_type, never NULL (a missing path is ''), so that NOT (…) of a clause is never NULL. */
  readonly type: string;
  readonly value: string;
  constructor(b: Builder, path: string) {
    const p = b.bind(jsonPath(path));
    this.type = `IFNULL(json_type(doc, ${p}), '')`;
    this.value = `json_extract(doc, ${p})`;
  }
  /** SQL true when the value is `v`, false otherwise (never NULL). */
  equals(b: Builder, v: Scalar): string {
    if (typeof v === "boolean") return `(${this.type} = '${v ? "true" : "false"}')`;
    return `(${this.type} ${typeof v === "string" ? "= 'text'" : `IN ${NUMBER_TYPES}`} AND ${this.value} = ${b.bind(v)})`;
  }
  oneOf(b: Builder, values: readonly Scalar[]): string {
    const strings = values.filter((v): v is string => typeof v === "string");
    const numbers = values.filter((v): v is number => typeof v === "number");
    const parts: string[] = [];
    if (strings.length) parts.push(`(${this.type} = 'text' AND ${this.value} IN (${b.list(strings)}))`);
    if (numbers.length) parts.push(`(${this.type} IN ${NUMBER_TYPES} AND ${this.value} IN (${b.list(numbers)}))`);
    for (const v of new Set(values.filter((v) => typeof v === "boolean"))) parts.push(this.equals(b, v));
    return `(${parts.join(" OR ")})`;
  }
  /** The number at the path, else NULL. */
  number(): string {
    return `(CASE WHEN ${this.type} IN ${NUMBER_TYPES} THEN ${this.value} END)`;
  }
  clauses(b: Builder, c: Condition): string[] {
    const out: string[] = [];
    if (c.exists !== undefined) out.push(`${c.exists ? "" : "NOT "}(${this.type} IN ${SCALAR_TYPES})`);
    if (c.eq !== undefined) out.push(this.equals(b, c.eq));
    if (c.neq !== undefined) out.push(`NOT ${this.equals(b, c.neq)}`);
    if (c.in !== undefined) out.push(this.oneOf(b, c.in));
    if (c.nin !== undefined) out.push(`NOT ${this.oneOf(b, c.nin)}`);
    const ranges = RANGE.flatMap(([op, sql]) => {
      const bound = c[op];
      return bound === undefined ? [] : [`${this.value} ${sql} ${b.bind(bound)}`];
    });
    if (ranges.length) out.push(`(${this.type} IN ${NUMBER_TYPES} AND ${ranges.join(" AND ")})`);
    return out;
  }
}

/**
 * One GROUP BY. Every aggregate is computed for every metric (they are cheap and keep one code
 * path); percentiles add the duration bin to the grouping. A query on the dimensions and durations
 * alone reads the covering index; attr: filters, groups and fields read the JSON too.
 */
export function statSql(plan: QueryPlan): { sql: string; params: Params } {
  const params: Params = { tenant: plan.tenant, from: plan.from, to: plan.to };
  const b = new Builder(params);
  const where = ["tenant = $tenant", "ts >= $from", "ts < $to"];
  const f = plan.filter;
  for (const [field, column, text] of FILTER_COLUMNS) {
    const condition = f[field];
    if (condition !== undefined) where.push(...columnClauses(b, column, text, condition));
  }
  if (f.durationMs !== undefined) where.push(...columnClauses(b, "d", false, f.durationMs));
  if (f.hasError !== undefined) where.push(`err = ${f.hasError ? 1 : 0}`);
  for (const { path, condition } of f.attr) where.push(...new AttrRef(b, path).clauses(b, condition));
  // The measure: durationMs, or the number at the field's attr path.
  const m = plan.field === "durationMs" ? "d" : new AttrRef(b, plan.field.slice(5)).number();
  if (plan.usesDuration) where.push(`${m} IS NOT NULL`);
  const keys: string[] = [];
  plan.groupBy.forEach((key, i) => {
    if (!key.startsWith("attr:")) {
      keys.push(`${COLUMN[key as GroupField]} AS g${i}`);
      return;
    }
    // Grouped by (kind, value): true, 1 and "1" are three groups, as in the reference.
    const ref = new AttrRef(b, key.slice(5));
    keys.push(
      `(CASE ${ref.type} WHEN 'text' THEN 's' WHEN 'integer' THEN 'n' WHEN 'real' THEN 'n' WHEN 'true' THEN 't' WHEN 'false' THEN 'f' END) AS k${i}`,
    );
    keys.push(`(CASE WHEN ${ref.type} IN ('text', 'integer', 'real') THEN ${ref.value} END) AS g${i}`);
  });
  if (plan.bucketMs) {
    keys.push("(ts - ts % $bucketMs) AS b");
    params.bucketMs = plan.bucketMs;
  }
  if (PERCENTILES[plan.metric] !== undefined) {
    // hb is the stored bin of durationMs; an attr value is binned in readAggregateRows (binOf in JS, as the reference).
    keys.push(m === "d" ? "hb AS hb" : `${m} AS v`);
  }
  const groupBy = keys.map((k) => k.slice(k.lastIndexOf(" AS ") + 4));
  const sql = `SELECT ${[...keys, "SUM(w) AS w", "SUM(w * err) AS ew", `SUM(w * ${m}) AS wd`, `SUM(CASE WHEN ${m} IS NULL THEN 0 ELSE w END) AS wn`, "SUM(sampled) AS s", `MIN(${m}) AS mn`, `MAX(${m}) AS mx`].join(", ")}
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

/** An attr group key back from its (kind, value) columns. */
function attrKey(kind: GroupValue, value: GroupValue): GroupValue {
  if (kind === "t") return true;
  if (kind === "f") return false;
  return kind === null ? null : value;
}

/** statSql's rows → partials (percentile plans give one row per group and bin, or per group and attr value). */
export function readAggregateRows(plan: QueryPlan, rows: readonly AggregateRow[]): Map<string, GroupPartial> {
  const groups = new Map<string, GroupPartial>();
  for (const row of rows) {
    const keys = plan.groupBy.map((key, i) =>
      key.startsWith("attr:") ? attrKey(row[`k${i}`] ?? null, row[`g${i}`] ?? null) : (row[`g${i}`] ?? null),
    );
    const p = partialFor(groups, keys, plan.bucketMs ? Number(row.b) : null);
    p.w += row.w ?? 0;
    p.ew += row.ew ?? 0;
    p.wd += row.wd ?? 0;
    p.wn += row.wn ?? 0;
    p.sampled += row.s ?? 0;
    if (row.mn !== null && (p.min === null || row.mn < p.min)) p.min = row.mn;
    if (row.mx !== null && (p.max === null || row.mx > p.max)) p.max = row.mx;
    const bin = typeof row.hb === "number" ? row.hb : typeof row.v === "number" ? binOf(row.v) : null;
    if (bin !== null) {
      p.hist ??= new Map();
      addToHistogram(p.hist, bin, row.w);
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
