import { formatBytes } from "./limits.ts";

/** A problem with the request as a whole: the route answers it with `{error: {code, message}}`. */
export interface BodyError {
  ok: false;
  status: 400 | 413 | 415;
  code: BodyErrorCode;
  message: string;
}

export type BodyErrorCode =
  | "EMPTY_BODY"
  | "INVALID_JSON"
  | "INVALID_TOP_LEVEL"
  | "TOO_DEEP"
  | "TOO_MANY_EVENTS"
  | "BODY_TOO_LARGE"
  | "EXPANSION_TOO_LARGE"
  | "INVALID_OTLP"
  | "INVALID_ENCODING"
  | "UNSUPPORTED_MEDIA_TYPE";

/** A problem with one event: it is left out and reported by its index while the rest are kept. */
export interface Rejection {
  index: number;
  code: RejectionCode;
  error: string;
}

export type RejectionCode = "INVALID_JSON" | "EVENT_TOO_LARGE" | "TOO_MANY_FIELDS" | "FORBIDDEN_KEY" | "INVALID_EVENT" | "FUTURE_TIMESTAMP";

export function bodyError(status: BodyError["status"], code: BodyErrorCode, message: string): BodyError {
  return { ok: false, status, code, message };
}

// Messages name the limit's value and its env variable, so a producer and an operator both know what to change.

export type BodyTooLarge = BodyError & { status: 413; code: "BODY_TOO_LARGE" };

export function bodyTooLarge(maxBodyBytes: number): BodyTooLarge {
  const message = `request body is over the limit of ${formatBytes(maxBodyBytes)} (INGEST_MAX_BODY_BYTES)`;
  return { ok: false, status: 413, code: "BODY_TOO_LARGE", message };
}

export function tooManyEvents(maxEvents: number): BodyError {
  return bodyError(413, "TOO_MANY_EVENTS", `more than ${maxEvents} events in one request; the limit is ${maxEvents} (INGEST_MAX_EVENTS)`);
}

/** `depth` is where the scan stopped: the first level past the limit, so "at least". */
export function tooDeep(depth: number, maxDepth: number, where: string): BodyError {
  return bodyError(400, "TOO_DEEP", `nesting depth reached ${depth} ${where}; the limit is ${maxDepth} (INGEST_MAX_DEPTH)`);
}

export function eventTooLarge(index: number, bytes: number | null, maxEventBytes: number): Rejection {
  const size = bytes === null ? "" : ` (${bytes} bytes)`;
  return {
    index,
    code: "EVENT_TOO_LARGE",
    error: `event${size} is over the limit of ${formatBytes(maxEventBytes)} (INGEST_MAX_EVENT_BYTES)`,
  };
}
