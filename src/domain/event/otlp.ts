/**
 * OTLP/HTTP JSON logs → wide events, for POST /v1/logs. Each log record becomes one event; resource
 * and record attributes are flattened into it, with the OpenTelemetry semantic-convention names
 * mapped onto the wide-event fields the sampler and the query engine know.
 */
import { type BodyError, bodyError, eventTooLarge, type Rejection, tooManyEvents } from "./errors.ts";
import { DEFAULT_LIMITS, formatBytes, type IngestLimits } from "./limits.ts";
import { type ParsedBody, type ParsedItem, parseJsonBody } from "./parse-body.ts";
import { utf8Length } from "./utf8.ts";
import { isPlainObject } from "./validate.ts";

type Attributes = Record<string, unknown>;

/** Records as items for the usual normalise step; `index` counts records across resources and scopes. */
export interface OtlpMapResult {
  ok: true;
  items: ParsedItem[];
  rejected: Rejection[];
}

/** OTLP AnyValue → plain JSON; nested kvlist/array values keep their shape. */
function anyValue(value: unknown, depth = 0): unknown {
  if (!isPlainObject(value) || depth > 8) return null;
  if ("stringValue" in value) return value.stringValue;
  if ("boolValue" in value) return value.boolValue;
  if ("intValue" in value) return Number(value.intValue); // int64 arrives as a string in JSON
  if ("doubleValue" in value) return value.doubleValue;
  if ("bytesValue" in value) return value.bytesValue;
  if (isPlainObject(value.arrayValue) && Array.isArray(value.arrayValue.values)) {
    return value.arrayValue.values.map((v) => anyValue(v, depth + 1));
  }
  if (isPlainObject(value.kvlistValue)) return attributes(value.kvlistValue.values, depth + 1);
  return null;
}

function attributes(list: unknown, depth = 0): Attributes {
  const out: Attributes = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list) {
    if (!isPlainObject(kv) || typeof kv.key !== "string" || kv.key === "") continue;
    // `out.__proto__ = v` would set the prototype (or do nothing) instead of a field: define it as an
    // own key, so the scrub walk rejects the record by index (FORBIDDEN_KEY) as it does on /v1/events.
    if (kv.key === "__proto__")
      Object.defineProperty(out, kv.key, { value: anyValue(kv.value, depth), enumerable: true, writable: true, configurable: true });
    else out[kv.key] = anyValue(kv.value, depth);
  }
  return out;
}

/** Takes the first present attribute among `names` out of `attrs`. */
function take(attrs: Attributes, ...names: string[]): unknown {
  for (const name of names) {
    if (name in attrs) {
      const value = attrs[name];
      delete attrs[name];
      if (value !== null && value !== undefined) return value;
    }
  }
  return undefined;
}

/** `timeUnixNano` is a decimal string of nanoseconds; epoch ms for the event. */
function epochMs(nanos: unknown): number | undefined {
  if (typeof nanos === "number") return Math.floor(nanos / 1e6);
  if (typeof nanos !== "string" || !/^\d{1,20}$/.test(nanos) || nanos === "0") return undefined;
  // Whole milliseconds are the digits before the last six: exact, and cheaper than BigInt division.
  return nanos.length > 6 ? Number(nanos.slice(0, -6)) : 0;
}

function recordToEvent(record: Record<string, unknown>, resource: Attributes, scope: string | undefined): Record<string, unknown> {
  const attrs: Attributes = { ...resource, ...attributes(record.attributes) };
  const event: Record<string, unknown> = {};
  const service = take(attrs, "service.name");
  if (service !== undefined) event.service = service;
  const requestId = take(attrs, "request.id", "http.request.id", "request_id");
  event.requestId = requestId ?? (typeof record.traceId === "string" && record.traceId !== "" ? record.traceId : undefined);
  const time = epochMs(record.timeUnixNano) ?? epochMs(record.observedTimeUnixNano);
  if (time !== undefined) event.timestamp = time;
  const route = take(attrs, "http.route", "url.path", "http.target");
  if (route !== undefined) event.route = route;
  const method = take(attrs, "http.request.method", "http.method");
  if (method !== undefined) event.method = method;
  const status = take(attrs, "http.response.status_code", "http.status_code");
  if (status !== undefined) event.statusCode = typeof status === "string" ? Number(status) : status;
  const duration = take(attrs, "duration_ms", "http.server.duration", "http.duration_ms");
  if (duration !== undefined) event.durationMs = duration;
  const severity = typeof record.severityNumber === "number" ? record.severityNumber : undefined;
  const exceptionType = take(attrs, "exception.type");
  const exceptionMessage = take(attrs, "exception.message");
  const errorCode = take(attrs, "error.code", "error.type");
  const message = anyValue(record.body);
  // SeverityNumber 17+ is ERROR or FATAL in the OTLP data model.
  if (exceptionType !== undefined || errorCode !== undefined || (severity !== undefined && severity >= 17)) {
    event.error = {
      ...(errorCode !== undefined ? { code: String(errorCode) } : {}),
      ...(exceptionMessage !== undefined || typeof message === "string" ? { message: String(exceptionMessage ?? message) } : {}),
      ...(exceptionType !== undefined ? { type: String(exceptionType) } : {}),
    };
  }
  if (message !== null && message !== undefined) event.message = message;
  if (typeof record.severityText === "string") event.severity = record.severityText;
  if (typeof record.traceId === "string" && record.traceId !== "") event.traceId = record.traceId;
  if (typeof record.spanId === "string" && record.spanId !== "") event.spanId = record.spanId;
  if (scope) event.scope = scope;
  if (Object.keys(attrs).length > 0) event.attributes = attrs;
  return event;
}

/**
 * The limits to read an OTLP/HTTP JSON body with: it is one document, bounded by the body limit
 * (INGEST_MAX_BODY_BYTES), not by the per-event limit, which applies to each mapped record instead.
 */
export function otlpBodyLimits(limits: IngestLimits): IngestLimits {
  return { ...limits, maxEventBytes: limits.maxBodyBytes };
}

/** The events of one parsed body, which must be a single ExportLogsServiceRequest. */
export function mapOtlpBody(
  parsed: Pick<ParsedBody, "items" | "rejected">,
  limits: IngestLimits = DEFAULT_LIMITS,
): OtlpMapResult | BodyError {
  const only = parsed.items.length === 1 && parsed.rejected.length === 0 ? parsed.items[0] : undefined;
  if (only === undefined) {
    return bodyError(400, "INVALID_OTLP", "send one OTLP/HTTP JSON ExportLogsServiceRequest per request, as application/json");
  }
  return mapOtlpLogs(only.value, limits);
}

/** Text → events, as POST /v1/logs does it (the route reads the body as a stream instead). */
export function parseOtlpLogs(text: string, limits: IngestLimits = DEFAULT_LIMITS): OtlpMapResult | BodyError {
  const parsed = parseJsonBody(text, otlpBodyLimits(limits));
  return parsed.ok ? mapOtlpBody(parsed, limits) : parsed;
}

const NON_ASCII = /[\u0080-\uffff]/;

/** JSON size of a value in UTF-8 bytes; 0 for what JSON cannot hold. */
function jsonBytes(value: unknown): number {
  const text = JSON.stringify(value);
  if (text === undefined) return 0;
  // Most records are ASCII: one native regex scan is several times cheaper than counting per code unit.
  return NON_ASCII.test(text) ? utf8Length(text) : text.length;
}

/**
 * Maps a parsed OTLP `ExportLogsServiceRequest` (JSON encoding) under the ingest limits, each applied
 * to a record as it will be stored: its size is counted as its resource's attributes (measured once
 * per resource, as they are copied into every event) plus the record as sent. A record over
 * INGEST_MAX_EVENT_BYTES is rejected by its index and mapped no further; the sum over the records
 * kept may not pass INGEST_MAX_EXPANDED_BYTES, or the request is refused whole (413), before any
 * record reaches the store. More records than INGEST_MAX_EVENTS is 413 too.
 */
export function mapOtlpLogs(body: unknown, limits: IngestLimits = DEFAULT_LIMITS): OtlpMapResult | BodyError {
  if (!isPlainObject(body) || !Array.isArray(body.resourceLogs)) {
    return bodyError(400, "INVALID_OTLP", "body must be an OTLP ExportLogsServiceRequest: {resourceLogs: [...]}");
  }
  const items: ParsedItem[] = [];
  const rejected: Rejection[] = [];
  let index = 0;
  let expanded = 0;
  for (const resourceLogs of body.resourceLogs) {
    if (!isPlainObject(resourceLogs)) continue;
    const resource = attributes(isPlainObject(resourceLogs.resource) ? resourceLogs.resource.attributes : undefined);
    const resourceBytes = jsonBytes(resource);
    for (const scopeLogs of Array.isArray(resourceLogs.scopeLogs) ? resourceLogs.scopeLogs : []) {
      if (!isPlainObject(scopeLogs)) continue;
      const scope = isPlainObject(scopeLogs.scope) && typeof scopeLogs.scope.name === "string" ? scopeLogs.scope.name : undefined;
      const records: unknown[] = Array.isArray(scopeLogs.logRecords) ? scopeLogs.logRecords : [];
      if (index + records.length > limits.maxEvents) return tooManyEvents(limits.maxEvents);
      for (const record of records) {
        if (!isPlainObject(record)) rejected.push({ index, code: "INVALID_EVENT", error: "log record must be an object" });
        else {
          const bytes = resourceBytes + jsonBytes(record) + (scope === undefined ? 0 : utf8Length(scope));
          if (bytes > limits.maxEventBytes) rejected.push(eventTooLarge(index, bytes, limits.maxEventBytes));
          else {
            expanded += bytes;
            if (expanded > limits.maxExpandedBytes) return expansionTooLarge(limits.maxExpandedBytes);
            items.push({ index, value: recordToEvent(record, resource, scope) });
          }
        }
        index++;
      }
    }
  }
  return { ok: true, items, rejected };
}

function expansionTooLarge(maxExpandedBytes: number): BodyError {
  return bodyError(
    413,
    "EXPANSION_TOO_LARGE",
    `the log records of this request expand to more than ${formatBytes(maxExpandedBytes)} once resource attributes are copied into each (INGEST_MAX_EXPANDED_BYTES); send fewer records per request or smaller resource attributes`,
  );
}
