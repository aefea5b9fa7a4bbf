import { parseTimestamp, quickTimestampMs, typeName } from "./timestamp.ts";

/** The `error` field after normalisation: a string error becomes `{message}`; other keys are kept. */
export type EventError = Record<string, unknown> & { code?: string; message?: string; type?: string };

/** The typed fields of a valid event, already normalised (method upper-cased, time in epoch ms). */
export interface KnownFields {
  service: string;
  /** Absent when the producer sent none (or null, or ""): the caller generates one. */
  requestId: string | undefined;
  eventId: string | undefined;
  timestampMs: number | undefined;
  /** The timestamp as sent when it already is canonical ISO (toISOString form). */
  timestampIso: string | undefined;
  method: string | undefined;
  error: EventError | undefined;
  /** Some field of NULLABLE_FIELDS is null (the caller deletes those): rare, so the deletes are skipped otherwise. */
  hasNull: boolean;
}

export type ValidationResult = { ok: true; fields: KnownFields } | { ok: false; error: string };

/** Optional typed fields where null means "not given" (many serialisers write null for unset). */
export const NULLABLE_FIELDS = ["requestId", "eventId", "timestamp", "route", "method", "statusCode", "durationMs", "error"] as const;

/** JSON.parse only makes Object.prototype objects; null-prototype objects are allowed for other producers. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Longest durationMs accepted: one year. Sums and percentiles over huge finite values (1e308)
 * overflow to Infinity and turn every statistic of their group into null.
 */
export const MAX_DURATION_MS = 365 * 24 * 3600 * 1000;

/** Checks the fields the gateway understands; every other field is free-form. Does not mutate. */
export function validateEvent(event: Record<string, unknown>): ValidationResult {
  const fields = emptyFields();
  const error = checkEvent(event, fields);
  return error === null ? { ok: true, fields } : fail(error);
}

export function emptyFields(): KnownFields {
  return {
    service: "",
    requestId: undefined,
    eventId: undefined,
    timestampMs: undefined,
    timestampIso: undefined,
    method: undefined,
    error: undefined,
    hasNull: false,
  };
}

/**
 * validateEvent writing into `out` (every field of it) instead of allocating a result: the ingest
 * hot path reuses one. Returns the reason an event is refused, or null.
 */
export function checkEvent(event: Record<string, unknown>, out: KnownFields): string | null {
  const { service, requestId, eventId, timestamp, route, method, statusCode, durationMs, error } = event;
  if (typeof service !== "string" || service === "" || service.length > 128) {
    return `service is required: a non-empty string of at most 128 characters (got ${shown(service)})`;
  }
  if (requestId != null && (typeof requestId !== "string" || requestId.length > 256)) {
    return `requestId must be a string of at most 256 characters (got ${shown(requestId)})`;
  }
  if (eventId != null && (typeof eventId !== "string" || eventId.length > 128)) {
    return `eventId must be a string of at most 128 characters (got ${shown(eventId)})`;
  }
  let timestampMs: number | undefined;
  let timestampIso: string | undefined;
  if (timestamp != null) {
    const quick = typeof timestamp === "string" ? quickTimestampMs(timestamp) : Number.NaN;
    if (!Number.isNaN(quick)) {
      timestampMs = quick;
      if ((timestamp as string).length === 24) timestampIso = timestamp as string;
    } else {
      const parsed = parseTimestamp(timestamp);
      if (!parsed.ok) return parsed.error;
      timestampMs = parsed.ms;
      timestampIso = parsed.iso;
    }
  }
  if (route != null && (typeof route !== "string" || route.length > 512)) {
    return `route must be a string of at most 512 characters (got ${shown(route)})`;
  }
  if (method != null && (typeof method !== "string" || method === "" || method.length > 16)) {
    return `method must be a non-empty string of at most 16 characters (got ${shown(method)})`;
  }
  if (statusCode != null && (typeof statusCode !== "number" || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599)) {
    return `statusCode must be an integer from 100 to 599 (got ${shown(statusCode)})`;
  }
  if (durationMs != null && (typeof durationMs !== "number" || !(durationMs >= 0 && durationMs <= MAX_DURATION_MS))) {
    return `durationMs must be a number from 0 to ${MAX_DURATION_MS} (one year, in ms) (got ${shown(durationMs)})`;
  }
  let normalError: EventError | undefined;
  if (typeof error === "string") normalError = { message: error };
  else if (isPlainObject(error)) {
    for (const key of ERROR_PARTS) {
      const part = error[key];
      if (part != null && typeof part !== "string") return `error.${key} must be a string (got ${shown(part)})`;
    }
    normalError = error as EventError;
  } else if (error != null) {
    return `error must be an object {code, message, type} or a string (got ${shown(error)})`;
  }
  out.service = service;
  out.requestId = typeof requestId === "string" && requestId !== "" ? requestId : undefined;
  out.eventId = typeof eventId === "string" && eventId !== "" ? eventId : undefined;
  out.timestampMs = timestampMs;
  out.timestampIso = timestampIso;
  // Upper-case already (nearly always): no new string.
  out.method = typeof method === "string" ? (isUpperAscii(method) ? method : method.toUpperCase()) : undefined;
  out.error = normalError;
  out.hasNull =
    requestId === null ||
    eventId === null ||
    timestamp === null ||
    route === null ||
    method === null ||
    statusCode === null ||
    durationMs === null ||
    error === null;
  return null;
}

const ERROR_PARTS = ["code", "message", "type"] as const;

function isUpperAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 97 && c <= 122) || c > 127) return false;
  }
  return true;
}

function fail(error: string): ValidationResult {
  return { ok: false, error };
}

/** The offending value in a message: its type, and short scalars as written. */
function shown(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "number" || typeof value === "boolean") return `${typeName(value)} ${value}`;
  if (typeof value === "string") return value.length > 40 ? `a string of ${value.length} characters` : `string "${value}"`;
  return typeName(value);
}
