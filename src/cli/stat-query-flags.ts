import { usageError } from "./errors.ts";

/** The flags of `wide-gate query`, turned into a StatQuery body (the gateway validates it in full). */
export interface QueryFlags {
  metric?: string;
  field?: string;
  groupBy?: string;
  filter?: string[];
  last?: string;
  from?: string;
  to?: string;
  bucket?: string;
  limit?: number;
}

type Scalar = string | number | boolean;
type Condition = Scalar | Record<string, Scalar | Scalar[]>;

const NUMERIC = new Set(["statusCode", "durationMs"]);
const OPERATORS: Array<[string, string]> = [
  ["!=", "neq"],
  [">=", "gte"],
  ["<=", "lte"],
  [">", "gt"],
  ["<", "lt"],
  ["=", "eq"],
];

export function queryFromFlags(flags: QueryFlags): Record<string, unknown> {
  if (!flags.metric) throw usageError("give a StatQuery as JSON (argument or - for stdin) or at least --metric");
  const query: Record<string, unknown> = { metric: flags.metric };
  if (flags.field) query.field = flags.field;
  if (flags.filter?.length) query.filter = parseFilters(flags.filter);
  if (flags.last && (flags.from || flags.to)) throw usageError("--last cannot be combined with --from/--to");
  if (flags.last) query.timeRange = { last: flags.last };
  else if (flags.from) query.timeRange = { from: flags.from, ...(flags.to ? { to: flags.to } : {}) };
  else if (flags.to) throw usageError("--to needs --from");
  if (flags.groupBy)
    query.groupBy = flags.groupBy
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  if (flags.bucket) query.bucket = flags.bucket;
  if (flags.limit !== undefined) query.limit = flags.limit;
  return query;
}

/**
 * `service=payment`, `statusCode>=500`, `service!=health`, `route=/a,/b` (in), `method!=GET,HEAD` (nin),
 * `hasError=true`, `attr.user.plan=pro`. Several conditions on one key are merged (`statusCode>=500 statusCode<600`).
 */
export function parseFilters(items: string[]): Record<string, unknown> {
  const filter: Record<string, Condition> = {};
  const attr: Record<string, Condition> = {};
  for (const item of items) {
    const match = OPERATORS.map(([symbol, op]) => ({ at: item.indexOf(symbol), symbol, op }))
      .filter((m) => m.at > 0)
      .sort((a, b) => a.at - b.at || b.symbol.length - a.symbol.length)[0];
    if (!match) throw usageError(`--filter ${JSON.stringify(item)}: expected key=value, key!=value, key>=n, key>n, key<=n or key<n`);
    const key = item.slice(0, match.at).trim();
    const raw = item.slice(match.at + match.symbol.length).trim();
    if (raw === "") throw usageError(`--filter ${JSON.stringify(item)}: the value is empty`);
    const isAttr = key.startsWith("attr.");
    const name = isAttr ? key.slice(5) : key;
    const target = isAttr ? attr : filter;
    const list = (match.op === "eq" || match.op === "neq") && raw.includes(",");
    const value = list ? raw.split(",").map((v) => coerce(name, v.trim(), isAttr)) : coerce(name, raw, isAttr);
    const op = list ? (match.op === "eq" ? "in" : "nin") : match.op;
    target[name] = merge(target[name], op, value, item);
  }
  return Object.keys(attr).length ? { ...filter, attr } : filter;
}

function merge(existing: Condition | undefined, op: string, value: Scalar | Scalar[], item: string): Condition {
  if (existing === undefined) return op === "eq" && !Array.isArray(value) ? value : { [op]: value };
  const base = typeof existing === "object" ? existing : { eq: existing };
  if (op in base) throw usageError(`--filter ${JSON.stringify(item)}: ${op} given twice for the same key`);
  return { ...base, [op]: value };
}

function coerce(key: string, raw: string, isAttr: boolean): Scalar {
  if (key === "hasError") {
    if (raw !== "true" && raw !== "false") throw usageError(`--filter hasError: expected true or false (got ${raw})`);
    return raw === "true";
  }
  if (NUMERIC.has(key) || (isAttr && /^-?\d+(\.\d+)?$/.test(raw))) {
    const n = Number(raw);
    if (!Number.isFinite(n)) throw usageError(`--filter ${key}: expected a number (got ${raw})`);
    return n;
  }
  if (isAttr && (raw === "true" || raw === "false")) return raw === "true";
  return raw;
}
