import { z } from "zod";

/**
 * The structured query (docs/http-api.md), and the whitelist every query passes before it reaches
 * a store: the HTTP API, the LLM extractor and the rules parser all go through `parseStatQuery`.
 * Every object is strict (unknown keys are errors) and every string is bounded, so an operator
 * object, a `$where` or an invented field can never get through.
 */

export const METRICS = ["count", "error_rate", "avg", "min", "max", "p50", "p95", "p99"] as const;
export const NUMERIC_FIELDS = ["durationMs"] as const;
export const GROUP_FIELDS = ["service", "route", "statusCode", "errorCode", "method"] as const;
export const BUCKETS = ["1m", "5m", "15m", "1h", "6h", "1d"] as const;
export const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;

/** A plain value: bounded, printable, and not something a database could read as an operator. */
export const safeString = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    .refine((s) => !s.startsWith("$") && !/[\u0000-\u001f]/.test(s), "must not start with $ or contain control characters");

/**
 * Regex and operator syntax. Filter values are matched by equality, so this is defence in depth:
 * a value such as `(a+)+$` is refused with a clear message rather than stored in a query at all.
 * Braces stay allowed for route templates like `/users/{id}`.
 */
export const REGEX_SYNTAX = /[\\^$()|+*?[\]]/;

/** An equality value for service, route or errorCode: a safe string with no regex syntax. */
export const plainString = (max: number) =>
  safeString(max).refine((s) => !REGEX_SYNTAX.test(s), "must be a plain value without regex syntax ( ) [ ] * + ? | \\ ^ $");

const duration = z.string().regex(/^([1-9]\d{0,3})(m|h|d)$/, 'expected a duration like "15m", "1h" or "7d"');

export const timeRangeSchema = z.union([
  z.object({ last: duration }).strict(),
  z
    .object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }).optional() })
    .strict()
    .refine((r) => !r.to || Date.parse(r.from) < Date.parse(r.to), "from must be before to"),
]);

/**
 * A field's condition: a bare value (eq), or an operator object with the set operators on `value`
 * and, when `range` is given, the range operators on it.
 */
function condition<T extends z.ZodType>(value: T, range?: z.ZodType<number>) {
  const set = {
    eq: value.optional(),
    neq: value.optional(),
    in: z.array(value).min(1).max(100).optional(),
    nin: z.array(value).min(1).max(100).optional(),
    exists: z.boolean().optional(),
  };
  const ranges = range ? { gte: range.optional(), gt: range.optional(), lte: range.optional(), lt: range.optional() } : {};
  const names = Object.keys({ ...set, ...ranges }).join(", ");
  return z.union([
    value,
    z
      .object({ ...set, ...ranges })
      .strict()
      .refine((o) => Object.keys(o).length > 0, `needs at least one of ${names}`),
  ]);
}

const stringCondition = (value: z.ZodType<string>) => condition(value);
const numberCondition = (value: z.ZodType<number>) => condition(value, value);

/** `attr:<dotted path>`: letters, digits, `_` and `-` per segment; never `$`, never a prototype key. */
export const ATTR_PATH = /^[A-Za-z_][A-Za-z0-9_-]{0,63}(\.[A-Za-z_][A-Za-z0-9_-]{0,63}){0,7}$/;
const FORBIDDEN_SEGMENTS = new Set(["__proto__", "constructor", "prototype"]);
export const attrPath = z
  .string()
  .max(200)
  .regex(ATTR_PATH, "must be a dotted path of letters, digits, _ and - (e.g. user.plan)")
  .refine((p) => !p.split(".").some((s) => FORBIDDEN_SEGMENTS.has(s)), "must not name __proto__, constructor or prototype")
  // The stores' own fields (Mongo's _id and _q): never a producer's attribute.
  .refine((p) => !/^(_id|_q)(\.|$)/.test(p), "must not name the store's own _id or _q");

const attrValue = z.union([plainString(512), z.number().finite(), z.boolean()]);
const attrCondition = condition(attrValue, z.number().finite());

export const filterSchema = z
  .object({
    service: stringCondition(plainString(128)).optional(),
    route: stringCondition(plainString(512)).optional(),
    statusCode: numberCondition(z.number().int().min(100).max(599)).optional(),
    errorCode: stringCondition(plainString(128)).optional(),
    hasError: z.boolean().optional(),
    method: stringCondition(z.enum(METHODS)).optional(),
    durationMs: numberCondition(z.number().finite().min(0)).optional(),
    attr: z
      .record(attrPath, attrCondition)
      .refine((a) => Object.keys(a).length <= 10, "at most 10 attr filters")
      .optional(),
  })
  .strict();

export const statQuerySchema = z
  .object({
    metric: z.enum(METRICS),
    field: z.union([z.enum(NUMERIC_FIELDS), z.templateLiteral(["attr:", z.string()])]).optional(),
    filter: filterSchema.optional(),
    timeRange: timeRangeSchema.optional(),
    groupBy: z
      .array(z.union([z.enum(GROUP_FIELDS), z.templateLiteral(["attr:", z.string()])]))
      .max(3)
      .refine((g) => new Set(g).size === g.length, "groupBy fields must be distinct")
      .optional(),
    bucket: z.enum(BUCKETS).optional(),
    limit: z.number().int().min(1).max(1000).optional(),
  })
  .strict();

export type Metric = (typeof METRICS)[number];
export type Bucket = (typeof BUCKETS)[number];

export const BUCKET_MS: Readonly<Record<Bucket, number>> = {
  "1m": 60_000,
  "5m": 300_000,
  "15m": 900_000,
  "1h": 3_600_000,
  "6h": 21_600_000,
  "1d": 86_400_000,
};

/** Rows returned when the query names no limit: a top list, or a whole time series. */
export const DEFAULT_LIMIT = 100;
export const DEFAULT_SERIES_LIMIT = 1000;
export type GroupField = (typeof GROUP_FIELDS)[number];
/** A group-by key: a rollup dimension, or `attr:<dotted path>` (answered from kept events). */
export type GroupKey = GroupField | `attr:${string}`;
export type StatFilter = z.infer<typeof filterSchema>;
export type TimeRange = z.infer<typeof timeRangeSchema>;
export type StatQuery = z.infer<typeof statQuerySchema>;

/** One row of an answer: the group keys (and `bucket` as ISO time) plus `value`. */
export type StatRow = { [key: string]: string | number | boolean | null | string[] | undefined } & {
  bucket?: string;
  value: number | null;
  /** eventIds of stored events behind this row (rollup answers). */
  exemplars?: string[];
};

export interface StatResult {
  rows: StatRow[];
  /** True when any sampled (rate < 1) event contributed: the numbers are estimates of real traffic. */
  estimated: boolean;
  /** rollups: exact counts of every accepted event; events: computed from kept events, weighted. */
  source?: "rollups" | "events";
  /** The range answered, ISO times: minute-aligned for rollups. */
  range?: { from: string; to: string };
}

/**
 * The plain subset the search API's planners produce and explain: equality filters on the rollup
 * dimensions, rollup group-bys, durations. Every BasicStatQuery is a StatQuery.
 */
export type BasicStatFilter = {
  service?: string;
  route?: string;
  statusCode?: number;
  errorCode?: string;
  hasError?: boolean;
  method?: (typeof METHODS)[number];
};
export type BasicStatQuery = Omit<StatQuery, "filter" | "groupBy" | "field"> & {
  filter?: BasicStatFilter;
  groupBy?: GroupField[];
  field?: (typeof NUMERIC_FIELDS)[number];
};

/** The query when it is a BasicStatQuery, else null. */
export function asBasicQuery(query: StatQuery): BasicStatQuery | null {
  if (query.field !== undefined && query.field !== "durationMs") return null;
  if (query.groupBy?.some((g) => g.startsWith("attr:"))) return null;
  const f = query.filter ?? {};
  if (f.attr !== undefined || f.durationMs !== undefined) return null;
  for (const key of ["service", "route", "statusCode", "errorCode", "method"] as const) {
    if (typeof f[key] === "object") return null;
  }
  return query as BasicStatQuery;
}

export type ParseResult = { ok: true; query: StatQuery } | { ok: false; error: string };

/** Validates an untrusted query; the error names the path of the first problem. */
export function parseStatQuery(input: unknown): ParseResult {
  // zod's record drops an own `__proto__` key without an issue: the filter would be silently ignored.
  const attr = (input as { filter?: { attr?: unknown } } | null)?.filter?.attr;
  if (typeof attr === "object" && attr !== null && Object.hasOwn(attr, "__proto__")) {
    return { ok: false, error: "filter.attr.__proto__: must not name __proto__, constructor or prototype" };
  }
  const result = statQuerySchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.length ? issue.path.join(".") : "query";
    return { ok: false, error: `${path}: ${issue?.message ?? "invalid"}` };
  }
  const query = result.data;
  for (const key of [...(query.groupBy ?? []), query.field ?? "durationMs"]) {
    if (key.startsWith("attr:") && !validAttrPath(key.slice(5))) {
      return { ok: false, error: `${key}: an attr: path must be letters, digits, _ and - separated by dots (e.g. attr:user.plan)` };
    }
  }
  const needsField = query.metric !== "count" && query.metric !== "error_rate";
  if (needsField && !query.field) query.field = "durationMs";
  if (!needsField && query.field) return { ok: false, error: `field: not used with metric ${query.metric}` };
  return { ok: true, query };
}

const validAttrPath = (path: string): boolean => attrPath.safeParse(path).success;

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function durationMs(text: string): number {
  const match = /^(\d+)(m|h|d)$/.exec(text);
  if (!match) throw new Error(`bad duration ${text}`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** Absolute [from, to) in epoch ms; no range means the last 24 hours. */
export function resolveTimeRange(range: TimeRange | undefined, now: number): { from: number; to: number } {
  if (!range) return { from: now - UNIT_MS.d, to: now };
  if ("last" in range) return { from: now - durationMs(range.last), to: now };
  return { from: Date.parse(range.from), to: range.to ? Date.parse(range.to) : now };
}
