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

export const filterSchema = z
  .object({
    service: plainString(128).optional(),
    route: plainString(512).optional(),
    statusCode: z.number().int().min(100).max(599).optional(),
    errorCode: plainString(128).optional(),
    hasError: z.boolean().optional(),
    method: z.enum(METHODS).optional(),
  })
  .strict();

export const statQuerySchema = z
  .object({
    metric: z.enum(METRICS),
    field: z.enum(NUMERIC_FIELDS).optional(),
    filter: filterSchema.optional(),
    timeRange: timeRangeSchema.optional(),
    groupBy: z
      .array(z.enum(GROUP_FIELDS))
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
export type StatFilter = z.infer<typeof filterSchema>;
export type TimeRange = z.infer<typeof timeRangeSchema>;
export type StatQuery = z.infer<typeof statQuerySchema>;

/** One row of an answer: the group keys (and `bucket` as ISO time) plus `value`. */
export type StatRow = Partial<Record<GroupField, string | number | null>> & { bucket?: string; value: number | null };

export interface StatResult {
  rows: StatRow[];
  /** True when any sampled (rate < 1) event contributed: the numbers are estimates of real traffic. */
  estimated: boolean;
}

export type ParseResult = { ok: true; query: StatQuery } | { ok: false; error: string };

/** Validates an untrusted query; the error names the path of the first problem. */
export function parseStatQuery(input: unknown): ParseResult {
  const result = statQuerySchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.length ? issue.path.join(".") : "query";
    return { ok: false, error: `${path}: ${issue?.message ?? "invalid"}` };
  }
  const query = result.data;
  const needsField = query.metric !== "count" && query.metric !== "error_rate";
  if (needsField && !query.field) query.field = "durationMs";
  if (!needsField && query.field) return { ok: false, error: `field: not used with metric ${query.metric}` };
  return { ok: true, query };
}

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
