/** Accepted event times: 2000-01-01 ≤ t < 2100-01-01 UTC. Outside that is a unit or clock mistake. */
export const MIN_TIMESTAMP_MS = Date.UTC(2000, 0, 1);
export const MAX_TIMESTAMP_MS = Date.UTC(2100, 0, 1);

// RFC 3339 profile of ISO-8601: a date, a time, and a zone; without a zone the instant is ambiguous.
const ISO = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}:?\d{2})$/;

/** `iso` is set when the input already is the canonical `toISOString()` form, so it needs no re-formatting. */
export type TimestampResult = { ok: true; ms: number; iso?: string } | { ok: false; error: string };

/**
 * An ISO-8601 string or epoch milliseconds → epoch ms. Parsed by hand rather than Date.parse so
 * that Bun and workerd agree on every input and impossible dates (Feb 30) are refused.
 */
export function parseTimestamp(value: unknown): TimestampResult {
  if (typeof value === "number") return fromEpochMs(value);
  if (typeof value !== "string") {
    return { ok: false, error: `timestamp must be an ISO-8601 string or epoch milliseconds (got ${typeName(value)})` };
  }
  const fast = canonical(value);
  if (fast !== null) {
    const result = fromCanonical(fast, value);
    if (result.ok && value.length === 24) result.iso = value;
    return result;
  }
  const m = ISO.exec(value);
  if (m === null) {
    return { ok: false, error: `timestamp "${value.slice(0, 40)}" is not ISO-8601 with a time zone (e.g. 2026-11-26T03:00:00Z)` };
  }
  const [, y, mo, d, h, mi, s = "0", frac = "", zone = "Z"] = m;
  const offset = zoneOffsetMs(zone);
  if (offset === null) return { ok: false, error: `timestamp "${value.slice(0, 40)}" has an impossible zone offset ${zone}` };
  const ms = frac === "" ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  return fromParts([Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), ms], offset, value);
}

/** year, month (1-12), day, hour, minute, second, millisecond. */
type Parts = [number, number, number, number, number, number, number];

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

function fromParts(parts: Parts, offsetMs: number, shown: string): TimestampResult {
  const [year, month, day, hour, minute, second, ms] = parts;
  // Date.UTC would roll 2026-02-30 over to March; impossible fields are refused instead.
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) {
    return { ok: false, error: `timestamp "${shown.slice(0, 40)}" is not a real date and time` };
  }
  return inRange(Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMs, shown);
}

/**
 * parseTimestamp's answer for a canonical timestamp (toISOString form, with or without ms) in the
 * same minute as the last one parseTimestamp read, else NaN (then call parseTimestamp). Reads the
 * string in place and allocates nothing: it runs for nearly every event.
 */
export function quickTimestampMs(s: string): number {
  if (!canonicalShape(s)) return Number.NaN;
  const second = digits(s, 17, 2);
  const ms = s.length === 24 ? digits(s, 20, 3) : 0;
  if (second < 0 || second > 59 || ms < 0) return Number.NaN;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0) return Number.NaN;
  if (year * 1e8 + month * 1e6 + day * 1e4 + hour * 100 + minute !== lastMinute) return Number.NaN;
  return lastMinuteMs + second * 1000 + ms;
}

/** The separators of the toISOString form (with or without ms) in place; the digits are read apart. */
function canonicalShape(s: string): boolean {
  const n = s.length;
  if ((n !== 24 && n !== 20) || s.charCodeAt(n - 1) !== 90 /* Z */) return false;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) {
    return false;
  }
  return n === 20 || s.charCodeAt(19) === 46;
}

/** The minute of the last canonical timestamp read (its fields as decimal digits) and its epoch ms. */
let lastMinute = -1;
let lastMinuteMs = 0;

/**
 * fromParts for a canonical (UTC) timestamp. A batch's events mostly share a minute, so the date
 * check and Date.UTC run once per minute: the same date, hour and minute as the last one read
 * (already found real and in range) only adds its seconds and milliseconds.
 */
function fromCanonical(parts: Parts, shown: string): TimestampResult {
  const [year, month, day, hour, minute, second, ms] = parts;
  // Two decimal digits per field: distinct fields always give distinct keys (at most 9999_99_99_99_99 < 2^53).
  const key = year * 1e8 + month * 1e6 + day * 1e4 + hour * 100 + minute;
  if (key === lastMinute && second <= 59) return { ok: true, ms: lastMinuteMs + second * 1000 + ms };
  const result = fromParts(parts, 0, shown);
  if (result.ok) {
    lastMinute = key;
    lastMinuteMs = result.ms - second * 1000 - ms;
  }
  return result;
}

/**
 * The form nearly every producer sends (Date#toISOString, with or without milliseconds), read
 * without a regex or allocation: about 6× faster. Anything else returns null for the general path.
 */
function canonical(s: string): Parts | null {
  if (!canonicalShape(s)) return null;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  const ms = s.length === 24 ? digits(s, 20, 3) : 0;
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || ms < 0) return null;
  return [year, month, day, hour, minute, second, ms];
}

/** The decimal number in s[at, at+count), or -1 if any of it is not a digit. */
function digits(s: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

function fromEpochMs(value: number): TimestampResult {
  if (!Number.isFinite(value)) return { ok: false, error: "timestamp must be a finite number of epoch milliseconds" };
  if (value >= MIN_TIMESTAMP_MS / 1000 && value < MAX_TIMESTAMP_MS / 1000) {
    return { ok: false, error: `timestamp ${value} looks like epoch seconds; send epoch milliseconds or an ISO-8601 string` };
  }
  const ms = Math.floor(value);
  // String(value) only for the error: building it for every accepted event cost more than the check.
  if (ms < MIN_TIMESTAMP_MS || ms >= MAX_TIMESTAMP_MS) return inRange(ms, String(value));
  return { ok: true, ms, iso: epochMsIso(ms) };
}

/** "000Z" … "999Z": the tail of a toISOString form after its seconds. */
const MS_TAILS = Array.from({ length: 1000 }, (_, i) => `${String(i).padStart(3, "0")}Z`);
/** The second of the last epochMsIso call and its toISOString form up to the ".". */
let lastIsoSecond = Number.NaN;
let lastIsoPrefix = "";

/**
 * `new Date(ms).toISOString()` for a whole ms in 2000–2099. Epoch-ms timestamps (all of OTLP's)
 * of one batch mostly share their second, so the date is formatted once per second: about half
 * the cost of a Date and its formatting per event.
 */
export function epochMsIso(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastIsoSecond) {
    lastIsoPrefix = new Date(second * 1000).toISOString().slice(0, 20);
    lastIsoSecond = second;
  }
  return lastIsoPrefix + (MS_TAILS[ms - second * 1000] as string);
}

function inRange(ms: number, shown: string): TimestampResult {
  if (ms < MIN_TIMESTAMP_MS || ms >= MAX_TIMESTAMP_MS) {
    return { ok: false, error: `timestamp ${shown.slice(0, 40)} is outside the years 2000–2099` };
  }
  return { ok: true, ms };
}

function zoneOffsetMs(zone: string): number | null {
  if (zone === "Z" || zone === "z") return 0;
  const sign = zone[0] === "-" ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2));
  if (hours > 23 || minutes > 59) return null;
  return sign * (hours * 60 + minutes) * 60_000;
}

export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** `30s`, `10m`, `1h`, `1d` → milliseconds; `0` → 0 (INGEST_MAX_FUTURE_SKEW, already checked by the config schema). */
export function durationToMs(value: string): number {
  const match = /^(\d+)(s|m|h|d)?$/.exec(value);
  if (!match) throw new Error(`not a duration: ${value}`);
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as "s" | "m" | "h" | "d"] ?? 0;
  return Number(match[1]) * unit;
}

/**
 * Refuses an event time more than `maxSkewMs` after the gateway's clock: such an event is a clock
 * or unit mistake, and newest-first listings would show it on top for good. `maxSkewMs` 0 = no check.
 */
export function futureSkewError(ms: number, nowMs: number, maxSkewMs: number, maxSkewText: string): string | null {
  if (maxSkewMs <= 0 || ms - nowMs <= maxSkewMs) return null;
  return `timestamp ${new Date(ms).toISOString()} is ${formatAhead(ms - nowMs)} ahead of the gateway's clock; the limit is ${maxSkewText} (INGEST_MAX_FUTURE_SKEW)`;
}

function formatAhead(ms: number): string {
  if (ms >= 86_400_000) return `${Math.floor(ms / 86_400_000)} d`;
  if (ms >= 3_600_000) return `${Math.floor(ms / 3_600_000)} h`;
  if (ms >= 60_000) return `${Math.floor(ms / 60_000)} min`;
  return `${Math.ceil(ms / 1000)} s`;
}
