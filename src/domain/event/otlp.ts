/**
 * OTLP/HTTP JSON logs → wide events, for POST /v1/logs. Each log record becomes one event; resource
 * and record attributes are flattened into it, with the OpenTelemetry semantic-convention names
 * mapped onto the wide-event fields the sampler and the query engine know.
 */
import { type BodyError, bodyError, eventTooLarge, type Rejection, tooDeep, tooManyEvents } from "./errors.ts";
import { jsonBytes, jsonNumberBytes, jsonStringBytes, TOO_DEEP } from "./json-size.ts";
import type { LightEvents } from "./light-events.ts";
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
  /**
   * Which reader mapped the body, for the metrics: the WebAssembly OTLP/JSON reader ("wasm"), the
   * JS mapping of OTLP/JSON ("js") or the protobuf decoder ("protobuf"). Set by the ingest door.
   */
  reader?: OtlpReader;
  /** What the reader counted while it built the events (see ParsedBody's `checked`). */
  checked?: ParsedBody["checked"];
  /** The items are light events (see ParsedBody's `light`): from the events skimmer or the protobuf decoder. */
  light?: LightEvents;
}

export type OtlpReader = "wasm" | "js" | "protobuf";

/**
 * A record's size as mapped, counted while it is mapped: the OTLP/JSON of the fields this route
 * reads (values nested past the mapped depth count as the null they become). `plain`: every string
 * is printable ASCII without `"` or `\` (see mapOtlpLogs), so its size is its length plus quotes.
 */
interface Measure {
  plain: boolean;
  maxDepth: number;
  bytes: number;
  /** A value the mapping keeps as sent nested past INGEST_MAX_DEPTH. */
  tooDeep: boolean;
}

/** Attribute values nested deeper than this become null. */
const MAPPED_DEPTH = 8;

function stringBytes(text: string, m: Measure): number {
  return m.plain ? text.length + 2 : jsonStringBytes(text);
}

/** A value kept as sent (a stringValue, a boolValue, …): its JSON size, whatever it holds. */
function valueBytes(value: unknown, m: Measure): number {
  if (typeof value === "string") return stringBytes(value, m);
  if (typeof value === "number") return jsonNumberBytes(value);
  if (typeof value === "boolean") return value ? 4 : 5;
  if (value === null || value === undefined) return 4;
  const size = jsonBytes(value, m.maxDepth, m.plain);
  if (size === TOO_DEEP) m.tooDeep = true;
  return size;
}

/** OTLP AnyValue → plain JSON; nested kvlist/array values keep their shape. Adds its size to `m`. */
function anyValue(value: unknown, m: Measure, depth = 0): unknown {
  if (!isPlainObject(value) || depth > MAPPED_DEPTH) {
    m.bytes += 4;
    return null;
  }
  // `{"stringValue":…}`: braces, the quoted name and a colon, then the value.
  if ("stringValue" in value) {
    m.bytes += 16 + valueBytes(value.stringValue, m);
    return value.stringValue;
  }
  if ("boolValue" in value) {
    m.bytes += 14 + valueBytes(value.boolValue, m);
    return value.boolValue;
  }
  if ("intValue" in value) {
    m.bytes += 13 + valueBytes(value.intValue, m);
    return Number(value.intValue); // int64 arrives as a string in JSON
  }
  if ("doubleValue" in value) {
    m.bytes += 16 + valueBytes(value.doubleValue, m);
    return value.doubleValue;
  }
  if ("bytesValue" in value) {
    m.bytes += 15 + valueBytes(value.bytesValue, m);
    return value.bytesValue;
  }
  if (isPlainObject(value.arrayValue) && Array.isArray(value.arrayValue.values)) {
    const values: unknown[] = value.arrayValue.values;
    m.bytes += 26 + (values.length === 0 ? 2 : 1 + values.length); // {"arrayValue":{"values":[…]}}
    const out = new Array<unknown>(values.length);
    for (let i = 0; i < values.length; i++) out[i] = anyValue(values[i], m, depth + 1);
    return out;
  }
  if (isPlainObject(value.kvlistValue)) {
    m.bytes += 25; // {"kvlistValue":{"values":…}}
    return attributes(value.kvlistValue.values, m, depth + 1);
  }
  m.bytes += 2;
  return null;
}

/** A KeyValue list as a plain object; adds the list's size to `m`. */
function attributes(list: unknown, m: Measure, depth = 0): Attributes {
  const out: Attributes = {};
  if (!Array.isArray(list)) {
    m.bytes += 2;
    return out;
  }
  m.bytes += list.length === 0 ? 2 : 1 + list.length;
  for (const kv of list) {
    if (!isKeyValue(kv, m)) continue;
    setField(out, kv.key, anyValue(kv.value, m, depth));
  }
  return out;
}

/** Whether `kv` is a KeyValue the mapping reads, adding its size but the value's to `m`. */
function isKeyValue(kv: unknown, m: Measure): kv is { key: string; value: unknown } {
  if (!isPlainObject(kv) || typeof kv.key !== "string") {
    m.bytes += 4;
    return false;
  }
  m.bytes += 17 + stringBytes(kv.key, m); // {"key":…,"value":…}
  if (kv.key !== "") return true;
  anyValue(kv.value, m);
  return false;
}

/**
 * The attribute names mapped onto wide-event fields, each field's names in the order they win.
 * Their values wait in slots (by index here) until the record's attributes are all read.
 */
export const KNOWN = [
  "service.name",
  "request.id",
  "http.request.id",
  "request_id",
  "http.route",
  "url.path",
  "http.target",
  "http.request.method",
  "http.method",
  "http.response.status_code",
  "http.status_code",
  "duration_ms",
  "http.server.duration",
  "http.duration_ms",
  "exception.type",
  "exception.message",
  "error.code",
  "error.type",
] as const;
const KNOWN_SLOT = new Map<string, number>(KNOWN.map((name, i) => [name, i]));
const SERVICE = [0];
const REQUEST_ID = [1, 2, 3];
const ROUTE = [4, 5, 6];
const METHOD = [7, 8];
const STATUS = [9, 10];
const DURATION = [11, 12, 13];
const EXCEPTION_TYPE = [14];
const EXCEPTION_MESSAGE = [15];
const ERROR_CODE = [16, 17];

function setField(out: Attributes, key: string, value: unknown): void {
  // `out.__proto__ = v` would set the prototype (or do nothing) instead of a field: define it as an
  // own key, so the scrub walk rejects the record by index (FORBIDDEN_KEY) as it does on /v1/events.
  if (key === "__proto__") Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

/**
 * One record's attributes on their way to a wide event: the resource's first, then the record's
 * (a record attribute replaces the resource's of the same name), the mapped names held aside.
 * Both encodings of /v1/logs fill one of these, so they map alike.
 */
export class OtlpAttributes {
  rest: Attributes = {};
  /** Whether `rest` has any field (fields are only ever added). */
  hasRest = false;
  readonly slots: unknown[];
  present: number;

  constructor(resource?: OtlpAttributes) {
    if (resource === undefined) {
      this.slots = new Array(KNOWN.length);
      this.present = 0;
      return;
    }
    this.slots = resource.slots.slice();
    this.present = resource.present;
    const from = resource.rest;
    for (const key in from) setField(this.rest, key, from[key]);
    this.hasRest = resource.hasRest;
  }

  /**
   * The mapped names of `resource` alone, in this object reused: a light event's record needs no
   * more (see otlpLightEvents), and no event holds it.
   */
  resetTo(resource: OtlpAttributes): this {
    const from = resource.slots;
    for (let slot = 0; slot < from.length; slot++) this.slots[slot] = from[slot];
    this.present = resource.present;
    if (this.hasRest) {
      this.rest = {};
      this.hasRest = false;
    }
    return this;
  }

  /** An attribute as a plain value; keys that are not strings or are empty are not attributes. */
  set(key: string, value: unknown): void {
    const slot = KNOWN_SLOT.get(key);
    if (slot !== undefined) {
      this.slots[slot] = value;
      this.present |= 1 << slot;
      return;
    }
    this.hasRest = true;
    setField(this.rest, key, value);
  }

  /**
   * The first non-null value among a field's names; the names before it (null) are dropped, those
   * after it stay attributes.
   */
  take(names: readonly number[]): unknown {
    let found: unknown;
    for (const slot of names) {
      if ((this.present & (1 << slot)) === 0) continue;
      const value = this.slots[slot];
      if (found !== undefined) this.setAside(slot, value);
      else if (value !== null && value !== undefined) found = value;
    }
    return found;
  }

  private setAside(slot: number, value: unknown): void {
    this.hasRest = true;
    this.rest[KNOWN[slot] as string] = value;
  }

  /** The resource's attributes alone, as a plain object (measured once per resource). */
  toObject(): Attributes {
    const out: Attributes = { ...this.rest };
    for (let slot = 0; slot < KNOWN.length; slot++) {
      if ((this.present & (1 << slot)) !== 0) out[KNOWN[slot] as string] = this.slots[slot];
    }
    return out;
  }
}

/** A log record's fields other than its attributes, read from either encoding. */
export interface OtlpRecordFields {
  /** Epoch ms of timeUnixNano, else of observedTimeUnixNano. */
  timestamp: number | undefined;
  severityNumber: number | undefined;
  severityText: string | undefined;
  /** The body as a plain value; null or undefined when absent. */
  message: unknown;
  /** Lowercase hex; "" when absent. */
  traceId: string | undefined;
  spanId: string | undefined;
}

/** `timeUnixNano` is a decimal string of nanoseconds; epoch ms for the event. */
function epochMs(nanos: unknown): number | undefined {
  if (typeof nanos === "number") return Math.floor(nanos / 1e6);
  if (typeof nanos !== "string" || !/^\d{1,20}$/.test(nanos) || nanos === "0") return undefined;
  // Whole milliseconds are the digits before the last six: exact, and cheaper than BigInt division.
  return nanos.length > 6 ? Number(nanos.slice(0, -6)) : 0;
}

/**
 * An attribute value as the text of an error field: scalars as String() writes them, arrays and
 * kvlists as JSON. String() of a kvlist would call its `toString` key, and one holding a string
 * throws, which must not turn a request into a 500.
 */
function textOf(value: unknown): string {
  if (typeof value === "object" && value !== null) return JSON.stringify(value);
  return String(value);
}

/**
 * One record → its wide event: the semantic-convention names become fields, the rest `attributes`.
 * `headOnly`: only the fields up to `error` (see otlpLightEvents).
 */
export function otlpRecordEvent(
  attrs: OtlpAttributes,
  record: OtlpRecordFields,
  scope: string | undefined,
  headOnly = false,
): Record<string, unknown> {
  const event: Record<string, unknown> = {};
  const service = attrs.take(SERVICE);
  if (service !== undefined) event.service = service;
  const requestId = attrs.take(REQUEST_ID);
  event.requestId = requestId ?? (record.traceId ? record.traceId : undefined);
  if (record.timestamp !== undefined) event.timestamp = record.timestamp;
  const route = attrs.take(ROUTE);
  if (route !== undefined) event.route = route;
  const method = attrs.take(METHOD);
  if (method !== undefined) event.method = method;
  const status = attrs.take(STATUS);
  if (status !== undefined) event.statusCode = typeof status === "string" ? Number(status) : status;
  const duration = attrs.take(DURATION);
  if (duration !== undefined) event.durationMs = duration;
  const severity = record.severityNumber;
  const exceptionType = attrs.take(EXCEPTION_TYPE);
  const exceptionMessage = attrs.take(EXCEPTION_MESSAGE);
  const errorCode = attrs.take(ERROR_CODE);
  const message = record.message;
  // SeverityNumber 17+ is ERROR or FATAL in the OTLP data model.
  if (exceptionType !== undefined || errorCode !== undefined || (severity !== undefined && severity >= 17)) {
    const error: Record<string, string> = {};
    if (errorCode !== undefined) error.code = textOf(errorCode);
    if (exceptionMessage !== undefined || typeof message === "string") error.message = textOf(exceptionMessage ?? message);
    if (exceptionType !== undefined) error.type = textOf(exceptionType);
    event.error = error;
  }
  if (headOnly) return event;
  if (message !== null && message !== undefined) event.message = message;
  if (record.severityText !== undefined) event.severity = record.severityText;
  if (record.traceId) event.traceId = record.traceId;
  if (record.spanId) event.spanId = record.spanId;
  if (scope) event.scope = scope;
  if (attrs.hasRest) event.attributes = attrs.rest;
  return event;
}

/** Whether an attribute name is one otlpRecordEvent maps onto a field (its value is then read, not only its size). */
export function isMappedAttribute(key: string): boolean {
  // Most names are not of a mapped name's length: no hash.
  return mappedNameLength(key.length) && KNOWN_SLOT.has(key);
}

/** Whether a mapped name (all ASCII) has this length, in characters or UTF-8 bytes. */
export function mappedNameLength(length: number): boolean {
  return length < 32 && ((KNOWN_LENGTHS >>> length) & 1) === 1;
}
const KNOWN_LENGTHS = KNOWN.reduce((mask, name) => mask | (1 << name.length), 0);

/** The fields otlpRecordEvent makes before `message`, and those it makes from there on. */
const HEAD_FIELDS = ["service", "requestId", "timestamp", "route", "method", "statusCode", "durationMs", "error"];
const TAIL_FIELDS = ["message", "severity", "traceId", "spanId", "scope", "attributes"];

/**
 * Whether a mapped event's head (its fields up to `error`, always first) holds every field of `keys`
 * it has, and only such fields: the light event is then the head.
 */
export function lightFromHead(keys: readonly string[]): boolean {
  return HEAD_FIELDS.every((key) => keys.includes(key)) && !TAIL_FIELDS.some((key) => keys.includes(key));
}

/**
 * A record's light event (see light-events.ts): the fields of `keys` that otlpRecordEvent gives it,
 * same values, same order, requestId kept even when undefined. `attrs` need hold only the mapped
 * names, so `keys` must not hold "attributes".
 */
export type OtlpLightEvent = (attrs: OtlpAttributes, record: OtlpRecordFields, scope: string | undefined) => Record<string, unknown>;

export function otlpLightEvents(keys: readonly string[]): OtlpLightEvent {
  // The usual keys (LIGHT_FIELDS) are the head fields and none after: the event is made only that far.
  if (lightFromHead(keys)) {
    return (attrs, record, scope) => otlpRecordEvent(attrs, record, scope, true);
  }
  const wanted = new Set(keys);
  return (attrs, record, scope) => {
    const event = otlpRecordEvent(attrs, record, scope);
    const light: Record<string, unknown> = {};
    for (const key in event) if (wanted.has(key)) light[key] = event[key];
    return light;
  };
}

/** The attributes of an OTLP/JSON KeyValue list into `into`, their size into `m`. */
function addAttributes(into: OtlpAttributes, list: unknown, m: Measure): void {
  if (!Array.isArray(list)) return;
  m.bytes += list.length === 0 ? 2 : 1 + list.length;
  for (const kv of list) if (isKeyValue(kv, m)) into.set(kv.key, anyValue(kv.value, m));
}

// OTLP/JSON sizes of a record's field names read here: `"name":` before each value.
const RECORD_FIELDS = [
  ["timeUnixNano", 15],
  ["observedTimeUnixNano", 23],
  ["severityNumber", 17],
  ["severityText", 15],
  ["traceId", 10],
  ["spanId", 9],
  ["eventName", 12],
] as const;

/** A record's event, and its size as mapped into `m.bytes`. */
function jsonRecordEvent(
  record: Record<string, unknown>,
  resource: OtlpAttributes,
  scope: string | undefined,
  m: Measure,
): Record<string, unknown> {
  const attrs = new OtlpAttributes(resource);
  let fields = 0;
  m.bytes = 2;
  for (const [name, nameBytes] of RECORD_FIELDS) {
    const value = record[name];
    if (typeof value === "string" || typeof value === "number") {
      fields++;
      m.bytes += nameBytes + valueBytes(value, m);
    }
  }
  if (record.attributes !== undefined) {
    fields++;
    m.bytes += 13;
    addAttributes(attrs, record.attributes, m);
  }
  let message: unknown;
  if (record.body !== undefined) {
    fields++;
    m.bytes += 7;
    message = anyValue(record.body, m);
  }
  if (fields > 1) m.bytes += fields - 1;
  return otlpRecordEvent(
    attrs,
    {
      timestamp: epochMs(record.timeUnixNano) ?? epochMs(record.observedTimeUnixNano),
      severityNumber: typeof record.severityNumber === "number" ? record.severityNumber : undefined,
      severityText: typeof record.severityText === "string" ? record.severityText : undefined,
      message,
      traceId: typeof record.traceId === "string" ? record.traceId : undefined,
      spanId: typeof record.spanId === "string" ? record.spanId : undefined,
    },
    scope,
  );
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
  plainText = false,
): OtlpMapResult | BodyError {
  const only = parsed.items.length === 1 && parsed.rejected.length === 0 ? parsed.items[0] : undefined;
  if (only === undefined) {
    return bodyError(400, "INVALID_OTLP", "send one OTLP/HTTP JSON ExportLogsServiceRequest per request, as application/json");
  }
  return mapOtlpLogs(only.value, limits, plainText);
}

/** A backslash or anything past ASCII (an invalid byte read as U+FFFD too). */
const NOT_PLAIN_TEXT = /[\\\u0080-\uffff]/;

/**
 * Whether every string JSON.parse reads from `text` is printable ASCII without `"` or `\`, so its
 * JSON size is its length plus quotes: true when the text is all ASCII and holds no backslash (raw
 * control characters cannot be inside a JSON string). One native scan of the text.
 */
export function isPlainJsonText(text: string): boolean {
  return !NOT_PLAIN_TEXT.test(text);
}

/**
 * `isPlainJsonText(text)` for `text` decoded from `bytes` as UTF-8 (invalid bytes as U+FFFD), without
 * reading every character: each byte decodes to at most one UTF-16 unit, and to exactly one only
 * when it is ASCII or invalid (a valid multi-byte character is fewer units than bytes), so the
 * text is all ASCII when it is as long as the bytes and holds no U+FFFD. A text of one-byte
 * characters cannot hold U+FFFD, so that search returns at once for the usual body; the backslash
 * is found by the native `indexOf` over the bytes.
 */
export function isPlainDecodedJson(bytes: Uint8Array, text: string): boolean {
  return text.length === bytes.byteLength && bytes.indexOf(92) === -1 && !text.includes("\uFFFD");
}

/** Text → events, as POST /v1/logs does it (the route reads the body as a stream instead). */
export function parseOtlpLogs(text: string, limits: IngestLimits = DEFAULT_LIMITS): OtlpMapResult | BodyError {
  const parsed = parseJsonBody(text, otlpBodyLimits(limits), { depth: "walk" });
  return parsed.ok ? mapOtlpBody(parsed, limits, isPlainJsonText(text)) : parsed;
}

/**
 * Maps a parsed OTLP `ExportLogsServiceRequest` (JSON encoding) under the ingest limits, each applied
 * to a record as it will be stored: its size is counted as its resource's attributes (measured once
 * per resource, as they are copied into every event) plus the record as sent (its JSON, in UTF-8
 * bytes). A record over INGEST_MAX_EVENT_BYTES is rejected by its index and mapped no further; a
 * record nested deeper than INGEST_MAX_DEPTH refuses the request (400 TOO_DEEP); the sum over the
 * records kept may not pass INGEST_MAX_EXPANDED_BYTES, or the request is refused whole (413), before
 * any record reaches the store. More records than INGEST_MAX_EVENTS is 413 too.
 *
 * `plainText`: the body was all ASCII without a backslash, so no string in it needs escaping and
 * each record's size is counted from string lengths alone.
 */
export function mapOtlpLogs(body: unknown, limits: IngestLimits = DEFAULT_LIMITS, plainText = false): OtlpMapResult | BodyError {
  if (!isPlainObject(body) || !Array.isArray(body.resourceLogs)) {
    return bodyError(400, "INVALID_OTLP", "body must be an OTLP ExportLogsServiceRequest: {resourceLogs: [...]}");
  }
  const out = new OtlpCollector(limits);
  const m: Measure = { plain: plainText, maxDepth: limits.maxDepth, bytes: 0, tooDeep: false };
  for (const resourceLogs of body.resourceLogs) {
    if (!isPlainObject(resourceLogs)) continue;
    const resource = new OtlpAttributes();
    addAttributes(resource, isPlainObject(resourceLogs.resource) ? resourceLogs.resource.attributes : undefined, m);
    const resourceBytes = jsonBytes(resource.toObject(), Number.POSITIVE_INFINITY);
    for (const scopeLogs of Array.isArray(resourceLogs.scopeLogs) ? resourceLogs.scopeLogs : []) {
      if (!isPlainObject(scopeLogs)) continue;
      const scope = isPlainObject(scopeLogs.scope) && typeof scopeLogs.scope.name === "string" ? scopeLogs.scope.name : undefined;
      const records: unknown[] = Array.isArray(scopeLogs.logRecords) ? scopeLogs.logRecords : [];
      if (out.index + records.length > limits.maxEvents) return tooManyEvents(limits.maxEvents);
      const fixedBytes = resourceBytes + (scope === undefined ? 0 : utf8Length(scope));
      for (const record of records) {
        if (!isPlainObject(record)) {
          out.reject({ index: out.index, code: "INVALID_EVENT", error: "log record must be an object" });
          continue;
        }
        // Mapped before it is measured: the size is counted by the same walk.
        const event = jsonRecordEvent(record, resource, scope, m);
        if (m.tooDeep) return tooDeep(limits.maxDepth + 1, limits.maxDepth, `in the log record at index ${out.index}`);
        const verdict = out.admit(fixedBytes + m.bytes);
        if (verdict === null) out.keep(event);
        else if (verdict !== true) return verdict;
      }
    }
  }
  return out.result();
}

/**
 * The limits every record of a request passes, whichever its encoding: indexes across resources
 * and scopes, INGEST_MAX_EVENT_BYTES per record (rejected by index) and INGEST_MAX_EXPANDED_BYTES
 * over the records kept (the request refused whole).
 */
export class OtlpCollector {
  index = 0;
  private expanded = 0;
  private readonly items: ParsedItem[] = [];
  private readonly rejected: Rejection[] = [];

  constructor(private readonly limits: IngestLimits) {}

  /** null: map the record, then `keep` it; true: rejected by index (counted); a BodyError: stop. */
  admit(bytes: number): null | true | BodyError {
    if (bytes > this.limits.maxEventBytes) {
      this.reject(eventTooLarge(this.index, bytes, this.limits.maxEventBytes));
      return true;
    }
    this.expanded += bytes;
    if (this.expanded > this.limits.maxExpandedBytes) return expansionTooLarge(this.limits.maxExpandedBytes);
    return null;
  }

  keep(event: Record<string, unknown>): void {
    this.items.push({ index: this.index++, value: event });
  }

  reject(rejection: Rejection): void {
    this.rejected.push(rejection);
    this.index++;
  }

  result(): OtlpMapResult {
    return { ok: true, items: this.items, rejected: this.rejected };
  }
}

export function expansionTooLarge(maxExpandedBytes: number): BodyError {
  return bodyError(
    413,
    "EXPANSION_TOO_LARGE",
    `the log records of this request expand to more than ${formatBytes(maxExpandedBytes)} once resource attributes are copied into each (INGEST_MAX_EXPANDED_BYTES); send fewer records per request or smaller resource attributes`,
  );
}
