/**
 * OTLP/HTTP JSON logs → wide events, for POST /v1/logs. Each log record becomes one event; resource
 * and record attributes are flattened into it, with the OpenTelemetry semantic-convention names
 * mapped onto the wide-event fields the sampler and the query engine know.
 */
import type { Rejection } from "./errors.ts";
import type { ParsedItem } from "./parse-body.ts";
import { isPlainObject } from "./validate.ts";

type Attributes = Record<string, unknown>;

/** Records as items for the usual normalise step; `index` counts records across resources and scopes. */
export interface OtlpMapResult {
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
    if (isPlainObject(kv) && typeof kv.key === "string" && kv.key !== "") out[kv.key] = anyValue(kv.value, depth);
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

const NANOS_PER_MS = 1_000_000n;

/** `timeUnixNano` is a decimal string of nanoseconds; epoch ms for the event. */
function epochMs(nanos: unknown): number | undefined {
  if (typeof nanos === "number") return Math.floor(nanos / 1e6);
  if (typeof nanos !== "string" || !/^\d{1,20}$/.test(nanos) || nanos === "0") return undefined;
  return Number(BigInt(nanos) / NANOS_PER_MS);
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

/** Maps a parsed OTLP `ExportLogsServiceRequest` (JSON encoding). */
export function mapOtlpLogs(body: unknown): OtlpMapResult | { error: string } {
  if (!isPlainObject(body) || !Array.isArray(body.resourceLogs)) {
    return { error: "body must be an OTLP ExportLogsServiceRequest: {resourceLogs: [...]}" };
  }
  const items: ParsedItem[] = [];
  const rejected: Rejection[] = [];
  let index = 0;
  for (const resourceLogs of body.resourceLogs) {
    if (!isPlainObject(resourceLogs)) continue;
    const resource = attributes(isPlainObject(resourceLogs.resource) ? resourceLogs.resource.attributes : undefined);
    for (const scopeLogs of Array.isArray(resourceLogs.scopeLogs) ? resourceLogs.scopeLogs : []) {
      if (!isPlainObject(scopeLogs)) continue;
      const scope = isPlainObject(scopeLogs.scope) && typeof scopeLogs.scope.name === "string" ? scopeLogs.scope.name : undefined;
      for (const record of Array.isArray(scopeLogs.logRecords) ? scopeLogs.logRecords : []) {
        if (isPlainObject(record)) items.push({ index, value: recordToEvent(record, resource, scope) });
        else rejected.push({ index, code: "INVALID_EVENT", error: "log record must be an object" });
        index++;
      }
    }
  }
  return { items, rejected };
}
