/**
 * OTLP/HTTP protobuf logs → wide events, straight from the wire: each log record's attributes go
 * into the same `OtlpAttributes` and `otlpRecordEvent` the OTLP/JSON mapping uses, and the same
 * `OtlpCollector` applies the limits, so both encodings of POST /v1/logs become the same events.
 * protobufjs reads the wire format (its minimal build: no code generation at run time, which
 * Workers forbid); the walk over the few messages /v1/logs needs is written out here after
 * OTLP_LOGS_PROTO below. Values become what OTLP/JSON sends: trace and span ids lowercase hex,
 * bytesValue base64, intValue a number.
 *
 * A record's size (for INGEST_MAX_EVENT_BYTES and INGEST_MAX_EXPANDED_BYTES) is counted while it
 * is decoded, as the UTF-8 bytes of its OTLP/JSON form (nanosecond times as decimal strings, ints
 * as numbers), the measure the JSON door applies to what it receives.
 */
import { Reader, util } from "protobufjs/minimal.js";
import { type BodyError, bodyError, tooManyEvents } from "../domain/event/errors.ts";
import { jsonBytes, jsonStringBytes } from "../domain/event/json-size.ts";
import type { IngestLimits } from "../domain/event/limits.ts";
import { OtlpAttributes, OtlpCollector, type OtlpMapResult, otlpRecordEvent } from "../domain/event/otlp.ts";
import { utf8Length } from "../domain/event/utf8.ts";

/** The messages decoded (opentelemetry-proto v1), for reference and for the tests' encoder. */
export const OTLP_LOGS_PROTO = `
syntax = "proto3";
package opentelemetry.proto;
message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; string schema_url = 3; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; string schema_url = 3; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message LogRecord {
  fixed64 time_unix_nano = 1; fixed64 observed_time_unix_nano = 11; int32 severity_number = 2; string severity_text = 3;
  AnyValue body = 5; repeated KeyValue attributes = 6; uint32 dropped_attributes_count = 7; fixed32 flags = 8;
  bytes trace_id = 9; bytes span_id = 10; string event_name = 12;
}
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue {
  oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7; }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
`;

type Attributes = Record<string, unknown>;

const VARINT = 0;
const I64 = 1;
const LEN = 2;

/** A body that is not the message it claims to be; the message names what and where. */
export class MalformedOtlp extends Error {}

/** A limit that refuses the whole request, found while decoding (TOO_MANY_EVENTS, EXPANSION_TOO_LARGE). */
class Refused extends Error {
  constructor(readonly error: BodyError) {
    super(error.message);
  }
}

/** Attribute values nested deeper than this are null, as the OTLP/JSON mapping reads them. */
const MAPPED_DEPTH = 9;

interface Decoding {
  reader: Reader;
  /** AnyValue nesting allowed (INGEST_MAX_DEPTH), so a hostile body cannot exhaust the stack. */
  maxDepth: number;
  maxRecords: number;
  records: number;
  out: OtlpCollector;
  /** The current ResourceLogs' attributes and their size; the current scope's name. */
  resource: OtlpAttributes;
  fixedBytes: number;
  scope: string | undefined;
  /** What the last KeyValue or AnyValue read was: its key, its plain value, its OTLP/JSON size. */
  key: string;
  value: unknown;
  size: number;
}

/**
 * Decodes an ExportLogsServiceRequest into wide events. A malformed body is a 400 INVALID_OTLP
 * naming the problem and its byte offset; more log records than INGEST_MAX_EVENTS is the usual 413
 * TOO_MANY_EVENTS; records over INGEST_MAX_EVENT_BYTES are rejected by index, and the request is
 * refused whole when the records kept pass INGEST_MAX_EXPANDED_BYTES.
 */
export function decodeOtlpLogsProtobuf(bytes: Uint8Array, limits: IngestLimits): OtlpMapResult | BodyError {
  // Reader, not Reader.create: a Node Buffer would select BufferReader, whose string reads differ by runtime.
  const d: Decoding = {
    reader: new Reader(bytes),
    maxDepth: limits.maxDepth,
    maxRecords: limits.maxEvents,
    records: 0,
    out: new OtlpCollector(limits),
    resource: new OtlpAttributes(),
    fixedBytes: 0,
    scope: undefined,
    key: "",
    value: null,
    size: 0,
  };
  try {
    const r = d.reader;
    while (r.pos < r.len) {
      const tag = readTag(r, "ExportLogsServiceRequest");
      if (tag === ((1 << 3) | LEN)) nested(d, resourceLogsMessage);
      else skip(r, tag, 1, "resource_logs");
    }
    return d.out.result();
  } catch (error) {
    if (error instanceof Refused) return error.error;
    // protobufjs throws RangeError("index out of range: …") on a cut-short body and Error on a bad wire type.
    const reason = error instanceof Error ? error.message : String(error);
    return bodyError(
      400,
      "INVALID_OTLP",
      `the body is not an OTLP protobuf ExportLogsServiceRequest (${reason.slice(0, 200)}); send opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest as application/x-protobuf, or OTLP/JSON as application/json`,
    );
  }
}

function readTag(r: Reader, message: string): number {
  const tag = r.uint32();
  if (tag >>> 3 === 0) throw new MalformedOtlp(`${message}: field number 0 at byte ${r.pos}`);
  return tag;
}

/**
 * A field this decoder does not read: skipped as protobuf requires (newer senders add fields),
 * unless it is a known field (`known` lists their numbers) sent with the wrong wire type.
 */
function skip(r: Reader, tag: number, known: number | readonly number[], name: string | readonly string[]): void {
  const field = tag >>> 3;
  const at = typeof known === "number" ? (known === field ? 0 : -1) : known.indexOf(field);
  if (at !== -1) {
    const fieldName = typeof name === "string" ? name : name[at];
    throw new MalformedOtlp(`field ${fieldName} has wire type ${tag & 7} at byte ${r.pos}`);
  }
  r.skipType(tag & 7);
}

/** A length-delimited sub-message, read with `read` as if it were the whole buffer. */
function nested<T>(d: Decoding, read: (d: Decoding, depth: number) => T, depth = 0): T {
  const r = d.reader;
  const length = r.uint32();
  const end = r.pos + length;
  if (end > r.len) throw new MalformedOtlp(`a message of ${length} bytes at byte ${r.pos} runs past the end of the body`);
  const outerLen = r.len;
  r.len = end;
  const value = read(d, depth);
  r.len = outerLen;
  return value;
}

/** Where the last of a message's field `field` (a sub-message) lies, -1 if absent; checks every tag. */
function lastMessageField(r: Reader, message: string, field: number, other: number, names: readonly string[]): [number, number] {
  const start = r.pos;
  let at = -1;
  let end = -1;
  while (r.pos < r.len) {
    const tag = readTag(r, message);
    if (tag === ((field << 3) | LEN)) {
      const length = r.uint32();
      at = r.pos;
      end = at + length;
      if (end > r.len) throw new MalformedOtlp(`a message of ${length} bytes at byte ${at} runs past the end of the body`);
      r.pos = end;
    } else if (tag === ((other << 3) | LEN)) r.skipType(LEN);
    else skip(r, tag, [field, other], names);
  }
  r.pos = start;
  return [at, end];
}

/** Reads the sub-message at [at, end) with `read`, then comes back. */
function readAt(d: Decoding, at: number, end: number, read: (d: Decoding) => void): void {
  const r = d.reader;
  const pos = r.pos;
  const len = r.len;
  r.pos = at;
  r.len = end;
  read(d);
  r.pos = pos;
  r.len = len;
}

// A sender may put a resource after its scope_logs, or a scope after its records: each level finds
// its header first (one pass over the tags, skipping the records), then reads the records.
function resourceLogsMessage(d: Decoding): void {
  const r = d.reader;
  const [at, end] = lastMessageField(r, "ResourceLogs", 1, 2, ["resource", "scope_logs"]);
  const resource = new OtlpAttributes();
  d.resource = resource;
  if (at !== -1) readAt(d, at, end, resourceMessage);
  const resourceBytes = jsonBytes(resource.toObject(), Number.POSITIVE_INFINITY);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === ((2 << 3) | LEN)) {
      d.resource = resource;
      d.fixedBytes = resourceBytes;
      nested(d, scopeLogsMessage);
    } else r.skipType(tag & 7);
  }
}

function resourceMessage(d: Decoding): void {
  const r = d.reader;
  const resource = d.resource;
  while (r.pos < r.len) {
    const tag = readTag(r, "Resource");
    if (tag === ((1 << 3) | LEN)) {
      nested(d, keyValue, 1);
      if (d.key !== "") resource.set(d.key, d.value);
    } else skip(r, tag, 1, "attributes");
  }
}

function scopeLogsMessage(d: Decoding): void {
  const r = d.reader;
  const [at, end] = lastMessageField(r, "ScopeLogs", 1, 2, ["scope", "log_records"]);
  d.scope = undefined;
  if (at !== -1) readAt(d, at, end, scopeMessage);
  const resourceBytes = d.fixedBytes;
  const fixedBytes = resourceBytes + (d.scope === undefined ? 0 : utf8Length(d.scope));
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === ((2 << 3) | LEN)) {
      if (++d.records > d.maxRecords) throw new Refused(tooManyEvents(d.maxRecords));
      d.fixedBytes = fixedBytes;
      nested(d, logRecord);
    } else r.skipType(tag & 7);
  }
  d.fixedBytes = resourceBytes;
}

function scopeMessage(d: Decoding): void {
  const r = d.reader;
  while (r.pos < r.len) {
    const tag = readTag(r, "InstrumentationScope");
    if (tag === ((1 << 3) | LEN)) d.scope = string(r);
    else if (tag === ((2 << 3) | LEN)) string(r);
    else skip(r, tag, [1, 2], ["name", "version"]);
  }
}

const LOG_RECORD_FIELDS = [1, 11, 2, 3, 5, 6, 9, 10, 12] as const;
const LOG_RECORD_NAMES = [
  "time_unix_nano",
  "observed_time_unix_nano",
  "severity_number",
  "severity_text",
  "body",
  "attributes",
  "trace_id",
  "span_id",
  "event_name",
] as const;

// OTLP/JSON sizes of a record's fields: `"name":` before each value.
const TIME_KEY = 15; // "timeUnixNano":
const OBSERVED_KEY = 23; // "observedTimeUnixNano":
const SEVERITY_NUMBER_KEY = 17;
const SEVERITY_TEXT_KEY = 15;
const BODY_KEY = 7;
const ATTRIBUTES_KEY = 13;
const TRACE_ID_KEY = 10;
const SPAN_ID_KEY = 9;
const EVENT_NAME_KEY = 12;

function logRecord(d: Decoding): void {
  const r = d.reader;
  const attrs = new OtlpAttributes(d.resource);
  let time: number | undefined;
  let observed: number | undefined;
  let severityNumber: number | undefined;
  let severityText: string | undefined;
  let message: unknown;
  let traceId: string | undefined;
  let spanId: string | undefined;
  // Each singular field's size as last sent (-1: absent); attributes add up.
  let timeSize = -1;
  let observedSize = -1;
  let severityNumberSize = -1;
  let severityTextSize = -1;
  let bodySize = -1;
  let traceIdSize = -1;
  let spanIdSize = -1;
  let eventNameSize = -1;
  let attributeCount = 0;
  let attributeSizes = 0;
  while (r.pos < r.len) {
    const tag = readTag(r, "LogRecord");
    switch (tag) {
      case (1 << 3) | I64:
        time = fixed64Ms(r);
        timeSize = decimalSize;
        break;
      case (11 << 3) | I64:
        observed = fixed64Ms(r);
        observedSize = decimalSize;
        break;
      case (2 << 3) | VARINT:
        severityNumber = r.int32();
        severityNumberSize = numberSize(severityNumber);
        break;
      case (3 << 3) | LEN:
        severityText = string(r);
        severityTextSize = stringSize;
        break;
      case (5 << 3) | LEN:
        message = nested(d, anyValue, 1);
        bodySize = d.size;
        break;
      case (6 << 3) | LEN:
        nested(d, keyValue, 1);
        if (d.key !== "") attrs.set(d.key, d.value);
        attributeCount++;
        attributeSizes += d.size;
        break;
      case (9 << 3) | LEN:
        traceId = hex(r);
        traceIdSize = traceId.length + 2;
        break;
      case (10 << 3) | LEN:
        spanId = hex(r);
        spanIdSize = spanId.length + 2;
        break;
      case (12 << 3) | LEN:
        string(r);
        eventNameSize = stringSize;
        break;
      default:
        skip(r, tag, LOG_RECORD_FIELDS, LOG_RECORD_NAMES);
    }
  }
  let fields = 0;
  let size = 2;
  if (timeSize >= 0) (fields++, (size += TIME_KEY + timeSize));
  if (observedSize >= 0) (fields++, (size += OBSERVED_KEY + observedSize));
  if (severityNumberSize >= 0) (fields++, (size += SEVERITY_NUMBER_KEY + severityNumberSize));
  if (severityTextSize >= 0) (fields++, (size += SEVERITY_TEXT_KEY + severityTextSize));
  if (bodySize >= 0) (fields++, (size += BODY_KEY + bodySize));
  if (attributeCount > 0) (fields++, (size += ATTRIBUTES_KEY + 1 + attributeSizes + attributeCount));
  if (traceIdSize >= 0) (fields++, (size += TRACE_ID_KEY + traceIdSize));
  if (spanIdSize >= 0) (fields++, (size += SPAN_ID_KEY + spanIdSize));
  if (eventNameSize >= 0) (fields++, (size += EVENT_NAME_KEY + eventNameSize));
  if (fields > 1) size += fields - 1;
  const out = d.out;
  const verdict = out.admit(d.fixedBytes + size);
  if (verdict === true) return;
  if (verdict !== null) throw new Refused(verdict);
  out.keep(
    otlpRecordEvent(
      attrs,
      { timestamp: time ?? observed, severityNumber, severityText, message, traceId, spanId },
      d.scope,
    ),
  );
}

/** A KeyValue → d.key, d.value (plain; null without a value) and d.size (`{"key":…,"value":…}`). */
function keyValue(d: Decoding, depth: number): void {
  const r = d.reader;
  let key = "";
  let keySize = 2;
  let value: unknown = null;
  let valueSize = -1;
  while (r.pos < r.len) {
    const tag = readTag(r, "KeyValue");
    if (tag === ((1 << 3) | LEN)) {
      key = string(r);
      keySize = stringSize;
    } else if (tag === ((2 << 3) | LEN)) {
      value = nested(d, anyValue, depth);
      valueSize = d.size;
    } else skip(r, tag, [1, 2], ["key", "value"]);
  }
  d.key = key;
  d.value = value;
  // {"key":K} or {"key":K,"value":V}
  d.size = valueSize < 0 ? 8 + keySize : 17 + keySize + valueSize;
}

const ANY_VALUE_FIELDS = [1, 2, 3, 4, 5, 6, 7] as const;
const ANY_VALUE_NAMES = ["string_value", "bool_value", "int_value", "double_value", "array_value", "kvlist_value", "bytes_value"] as const;

/** An AnyValue → its plain value (null when unset), and d.size as its OTLP/JSON object (`{"stringValue":…}`). */
function anyValue(d: Decoding, depth: number): unknown {
  if (depth > d.maxDepth) throw new MalformedOtlp(`values nested deeper than ${d.maxDepth} levels (INGEST_MAX_DEPTH)`);
  const r = d.reader;
  let value: unknown = null;
  let size = 2; // {}
  while (r.pos < r.len) {
    const tag = readTag(r, "AnyValue");
    switch (tag) {
      case (1 << 3) | LEN:
        value = string(r);
        size = 16 + stringSize;
        break;
      case (2 << 3) | VARINT:
        value = r.bool();
        size = value ? 18 : 19;
        break;
      case (3 << 3) | VARINT:
        // A Long where long.js loads, a number where it does not: LongBits reads either.
        value = util.LongBits.from(r.int64()).toNumber(false);
        size = 13 + numberSize(value as number);
        break;
      case (4 << 3) | I64:
        value = r.double();
        size = 16 + numberSize(value as number);
        break;
      case (5 << 3) | LEN:
        value = nested(d, arrayValues, depth + 1);
        size = 26 + d.size; // {"arrayValue":{"values":[…]}}
        break;
      case (6 << 3) | LEN:
        value = nested(d, kvlistValues, depth + 1);
        size = 27 + d.size; // {"kvlistValue":{"values":[…]}}
        break;
      case (7 << 3) | LEN: {
        const bytes = r.bytes();
        value = util.base64.encode(bytes, 0, bytes.length);
        size = 17 + (value as string).length;
        break;
      }
      default:
        skip(r, tag, ANY_VALUE_FIELDS, ANY_VALUE_NAMES);
    }
  }
  d.size = size;
  return depth > MAPPED_DEPTH ? null : value;
}

/** d.size: the JSON array of the values. */
function arrayValues(d: Decoding, depth: number): unknown[] {
  const r = d.reader;
  const values: unknown[] = [];
  let size = 1;
  while (r.pos < r.len) {
    const tag = readTag(r, "ArrayValue");
    if (tag === ((1 << 3) | LEN)) {
      values.push(nested(d, anyValue, depth));
      size += d.size + 1;
    } else skip(r, tag, 1, "values");
  }
  d.size = values.length === 0 ? 2 : size;
  return values;
}

function kvlistValues(d: Decoding, depth: number): Attributes {
  const r = d.reader;
  const out: Attributes = {};
  let count = 0;
  let size = 1;
  while (r.pos < r.len) {
    const tag = readTag(r, "KeyValueList");
    if (tag === ((1 << 3) | LEN)) {
      nested(d, keyValue, depth);
      if (d.key === "__proto__") Object.defineProperty(out, d.key, { value: d.value, enumerable: true, writable: true, configurable: true });
      else if (d.key !== "") out[d.key] = d.value;
      count++;
      size += d.size + 1;
    } else skip(r, tag, 1, "values");
  }
  d.size = count === 0 ? 2 : size;
  return out;
}

/** JSON.stringify(n).length. */
function numberSize(n: number): number {
  return Number.isFinite(n) ? String(n).length : 4;
}

const utf8 = new TextDecoder();

/**
 * Short ASCII strings seen lately, by a hash of their bytes. Attribute keys and many values repeat
 * across the records of a batch ("http.route", "GET", a service name); a hit costs one compare loop
 * and no allocation, where building the string costs a typed-array view and a native call.
 */
const CACHE_SIZE = 4096;
const cache: (string | undefined)[] = new Array(CACHE_SIZE);

/** JSON.stringify of the last string read, in UTF-8 bytes. */
let stringSize = 0;

/** A string field; invalid UTF-8 becomes U+FFFD, as the JSON path's reader does. Sets stringSize. */
function string(r: Reader): string {
  const length = r.uint32();
  const start = r.pos;
  const end = start + length;
  if (end > r.len) throw new MalformedOtlp(`a string of ${length} bytes at byte ${start} runs past the end of its message`);
  r.pos = end;
  const b = r.buf;
  if (length > 32) return decoded(b, start, end);
  let hash = 0x811c9dc5;
  // Escapes JSON.stringify would add: \" \\ and \b \t \n \f \r are one more byte, other controls five.
  let escapes = 0;
  for (let i = start; i < end; i++) {
    const c = b[i] as number;
    if (c >= 0x80) return decoded(b, start, end);
    if (c < 0x20 || c === 34 || c === 92) escapes += c === 34 || c === 92 || (c >= 8 && c <= 13 && c !== 11) ? 1 : 5;
    hash = Math.imul(hash ^ c, 0x01000193);
  }
  stringSize = length + 2 + escapes;
  const slot = (hash >>> 0) & (CACHE_SIZE - 1);
  const cached = cache[slot];
  if (cached !== undefined && cached.length === length) {
    let same = true;
    for (let i = 0; i < length; i++) {
      if (cached.charCodeAt(i) !== b[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return cached;
  }
  // One call over the bytes gives a flat string; `+=` per character would build a rope that every
  // later JSON.stringify and regex test has to flatten.
  const fresh = String.fromCharCode.apply(null, b.subarray(start, end) as unknown as number[]);
  cache[slot] = fresh;
  return fresh;
}

function decoded(b: Uint8Array, start: number, end: number): string {
  const text = utf8.decode(b.subarray(start, end));
  stringSize = jsonStringBytes(text);
  return text;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function hex(r: Reader): string {
  const bytes = r.bytes();
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i] as number];
  return out;
}

/** JSON size of the last fixed64 read as a decimal string (with quotes). */
let decimalSize = 0;

/**
 * A fixed64 of nanoseconds → epoch ms (undefined for 0, as for "0" in OTLP/JSON), without BigInt:
 * hi·2³² + lo splits as hi·4294·10⁶ + (hi·967296 + lo), whose parts stay below 2⁵³. Sets
 * decimalSize to its decimal string's size.
 */
function fixed64Ms(r: Reader): number | undefined {
  r.skip(8); // bounds-checked; the bytes are then read in place
  const b = r.buf;
  const at = r.pos - 8;
  const lo = ((b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16) | ((b[at + 3] as number) << 24)) >>> 0;
  const hi = ((b[at + 4] as number) | ((b[at + 5] as number) << 8) | ((b[at + 6] as number) << 16) | ((b[at + 7] as number) << 24)) >>> 0;
  if (hi === 0) {
    decimalSize = digits(lo) + 2;
    return lo === 0 ? undefined : Math.floor(lo / 1e6);
  }
  const millis = hi * 4294 + Math.floor((hi * 967296 + lo) / 1e6);
  decimalSize = digits(millis) + 8;
  return millis;
}

/** Decimal digits of a non-negative integer below 2⁵³. */
function digits(n: number): number {
  let count = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) count++;
  return count;
}
