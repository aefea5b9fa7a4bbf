import type { DerivedFields } from "./derive.ts";
import { groupValue } from "./derive.ts";
import { METHODS, REGEX_SYNTAX } from "./stat-query.ts";

/** GET /v1/events filters, validated (see parseEventFilter). */
export interface EventFilter {
  service?: string;
  route?: string;
  statusCode?: number;
  errorCode?: string;
  /** Errors only (true) or non-errors only (false), by the store's write-time test (the sampler's HAS_ERROR). */
  hasError?: boolean;
  method?: (typeof METHODS)[number];
  /** Epoch ms, inclusive / exclusive. */
  from?: number;
  to?: number;
  /** Free text over message and error fields: a plain, case-insensitive substring, never a pattern. */
  q?: string;
  limit: number;
  /** Opaque, from a previous page's nextCursor. */
  cursor?: string;
}

export const EVENT_FILTER_PARAMS = [
  "service",
  "route",
  "statusCode",
  "errorCode",
  "hasError",
  "method",
  "from",
  "to",
  "q",
  "limit",
  "cursor",
] as const;
export const DEFAULT_EVENTS_PAGE = 50;
export const MAX_EVENTS_PAGE = 200;
const MAX_LENGTH: Record<(typeof EVENT_FILTER_PARAMS)[number], number> = {
  service: 128,
  route: 512,
  errorCode: 128,
  statusCode: 3,
  hasError: 5,
  method: 7,
  from: 40,
  to: 40,
  q: 200,
  limit: 4,
  cursor: 400,
};

/** Page position: the last event's time and eventId (pages are ordered by both, descending). */
export interface Cursor {
  ts: number;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  const bytes = new TextEncoder().encode(JSON.stringify([cursor.ts, cursor.id]));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** Strict decode: anything but [integer, short string] is refused. */
export function decodeCursor(text: string): Cursor | null {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(text)) return null;
  try {
    const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    const parsed: unknown = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0))));
    if (!Array.isArray(parsed) || parsed.length !== 2) return null;
    const [ts, id] = parsed as unknown[];
    if (typeof ts !== "number" || !Number.isSafeInteger(ts) || typeof id !== "string" || id.length === 0 || id.length > 200) return null;
    return { ts, id };
  } catch {
    return null;
  }
}

function parseTime(text: string): number | null {
  if (/^\d{1,15}$/.test(text)) return Number(text);
  if (!/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

export type SearchParseResult = { ok: true; search: EventFilter } | { ok: false; error: string };

/**
 * Validates GET /v1/events parameters. Unknown or repeated names, operator-looking values
 * (`$…`, `{…}`, `[…]`), control characters, over-long values, regex syntax in text values and
 * malformed numbers are all refused, so nothing but plain strings and numbers reaches a store.
 */
export function parseEventFilter(params: URLSearchParams): SearchParseResult {
  const seen = new Set<string>();
  const values: Partial<Record<(typeof EVENT_FILTER_PARAMS)[number], string>> = {};
  for (const [name, value] of params) {
    if (!(EVENT_FILTER_PARAMS as readonly string[]).includes(name)) {
      return { ok: false, error: `unknown parameter "${name.slice(0, 40)}" (allowed: ${EVENT_FILTER_PARAMS.join(", ")})` };
    }
    const key = name as (typeof EVENT_FILTER_PARAMS)[number];
    if (seen.has(key)) return { ok: false, error: `${key}: given more than once` };
    seen.add(key);
    if (value.length === 0 || value.length > MAX_LENGTH[key])
      return { ok: false, error: `${key}: must be 1 to ${MAX_LENGTH[key]} characters` };
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    if (/[\u0000-\u001f\u007f]/.test(value)) return { ok: false, error: `${key}: must not contain control characters` };
    if (/^[$[{]/.test(value.trimStart())) return { ok: false, error: `${key}: must be a plain value, not an operator or object` };
    values[key] = value;
  }
  const search: EventFilter = { limit: DEFAULT_EVENTS_PAGE };
  for (const key of ["service", "route", "errorCode", "q"] as const) {
    const value = values[key];
    if (value === undefined) continue;
    if (REGEX_SYNTAX.test(value))
      return { ok: false, error: `${key}: plain text only; regex syntax ( ) [ ] * + ? | \\ ^ $ is not supported` };
    search[key] = value;
  }
  if (values.statusCode !== undefined) {
    const code = /^\d{3}$/.test(values.statusCode) ? Number(values.statusCode) : Number.NaN;
    if (!(code >= 100 && code <= 599)) return { ok: false, error: "statusCode: must be an integer from 100 to 599" };
    search.statusCode = code;
  }
  if (values.hasError !== undefined) {
    if (values.hasError !== "true" && values.hasError !== "false") return { ok: false, error: "hasError: must be true or false" };
    search.hasError = values.hasError === "true";
  }
  if (values.method !== undefined) {
    const method = values.method.toUpperCase();
    if (!(METHODS as readonly string[]).includes(method)) return { ok: false, error: `method: must be one of ${METHODS.join(", ")}` };
    search.method = method as (typeof METHODS)[number];
  }
  for (const key of ["from", "to"] as const) {
    const value = values[key];
    if (value === undefined) continue;
    const ms = parseTime(value);
    if (ms === null) return { ok: false, error: `${key}: expected an ISO-8601 time with a zone or epoch milliseconds` };
    search[key] = ms;
  }
  if (search.from !== undefined && search.to !== undefined && search.from >= search.to)
    return { ok: false, error: "from: must be before to" };
  if (values.limit !== undefined) {
    const limit = /^\d+$/.test(values.limit) ? Number(values.limit) : Number.NaN;
    if (!(limit >= 1 && limit <= MAX_EVENTS_PAGE)) return { ok: false, error: `limit: must be an integer from 1 to ${MAX_EVENTS_PAGE}` };
    search.limit = limit;
  }
  if (values.cursor !== undefined) {
    if (!decodeCursor(values.cursor)) return { ok: false, error: "cursor: not a cursor from a previous page" };
    search.cursor = values.cursor;
  }
  return { ok: true, search };
}

/** The search's filter over one event (reference semantics; memory store). */
export function matchesSearch(search: EventFilter, event: Record<string, unknown>, derived: DerivedFields): boolean {
  if (search.service !== undefined && groupValue(event, derived, "service") !== search.service) return false;
  if (search.route !== undefined && groupValue(event, derived, "route") !== search.route) return false;
  if (search.statusCode !== undefined && groupValue(event, derived, "statusCode") !== search.statusCode) return false;
  if (search.errorCode !== undefined && derived.errorCode !== search.errorCode) return false;
  if (search.hasError !== undefined && derived.err !== (search.hasError ? 1 : 0)) return false;
  if (search.method !== undefined && groupValue(event, derived, "method") !== search.method) return false;
  if (search.from !== undefined && derived.ts < search.from) return false;
  if (search.to !== undefined && derived.ts >= search.to) return false;
  if (search.q !== undefined && !derived.txt.includes(search.q.toLowerCase())) return false;
  return true;
}

/** True when (ts, id) comes after the cursor in newest-first order. */
export function afterCursor(cursor: Cursor | null, ts: number, id: string): boolean {
  return cursor === null || ts < cursor.ts || (ts === cursor.ts && id < cursor.id);
}
