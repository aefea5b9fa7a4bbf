/**
 * OTLP/HTTP protobuf logs → the OTLP/JSON shape that `mapOtlpLogs` maps, so both encodings of
 * POST /v1/logs become the same events. protobufjs reads the wire format (its minimal build: no
 * code generation at run time, which Workers forbid); the walk over the few messages /v1/logs needs
 * is written out here, as `pbjs --target static` would generate it, after OTLP_LOGS_PROTO below.
 * Bytes become what OTLP/JSON sends: trace and span ids lowercase hex, bytesValue base64; 64-bit
 * nanosecond times decimal strings (exact); intValue a number, as the JSON mapping reads it.
 */
import { Reader, util } from "protobufjs/minimal.js";
import { type BodyError, bodyError, tooManyEvents } from "../domain/event/errors.ts";

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

type Json = Record<string, unknown>;

const VARINT = 0;
const I64 = 1;
const LEN = 2;

/** A body that is not the message it claims to be; the message names what and where. */
export class MalformedOtlp extends Error {}

/** Refused while decoding, before anything is mapped: more records than INGEST_MAX_EVENTS. */
class TooManyRecords extends Error {}

interface Decoding {
  reader: Reader;
  /** AnyValue nesting allowed (INGEST_MAX_DEPTH), so a hostile body cannot exhaust the stack. */
  maxDepth: number;
  maxRecords: number;
  records: number;
}

export interface DecodeLimits {
  maxDepth: number;
  maxEvents: number;
}

/**
 * Decodes an ExportLogsServiceRequest. A malformed body is a 400 INVALID_OTLP naming the problem
 * and its byte offset; more log records than `maxEvents` is the usual 413 TOO_MANY_EVENTS.
 */
export function decodeOtlpLogsProtobuf(bytes: Uint8Array, limits: DecodeLimits): { ok: true; body: Json } | BodyError {
  // Reader, not Reader.create: a Node Buffer would select BufferReader, whose string reads differ by runtime.
  const d: Decoding = { reader: new Reader(bytes), maxDepth: limits.maxDepth, maxRecords: limits.maxEvents, records: 0 };
  try {
    const r = d.reader;
    const resourceLogs: Json[] = [];
    while (r.pos < r.len) {
      const tag = readTag(r, "ExportLogsServiceRequest");
      if (tag === ((1 << 3) | LEN)) resourceLogs.push(nested(d, resourceLogsMessage));
      else skip(r, tag, 1, "resource_logs");
    }
    return { ok: true, body: { resourceLogs } };
  } catch (error) {
    if (error instanceof TooManyRecords) return tooManyEvents(limits.maxEvents);
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

function resourceLogsMessage(d: Decoding): Json {
  const r = d.reader;
  const out: Json = {};
  const scopeLogs: Json[] = [];
  out.scopeLogs = scopeLogs;
  while (r.pos < r.len) {
    const tag = readTag(r, "ResourceLogs");
    if (tag === ((1 << 3) | LEN)) out.resource = nested(d, resourceMessage);
    else if (tag === ((2 << 3) | LEN)) scopeLogs.push(nested(d, scopeLogsMessage));
    else skip(r, tag, [1, 2], ["resource", "scope_logs"]);
  }
  return out;
}

function resourceMessage(d: Decoding): Json {
  const r = d.reader;
  const attributes: Json[] = [];
  while (r.pos < r.len) {
    const tag = readTag(r, "Resource");
    if (tag === ((1 << 3) | LEN)) attributes.push(nested(d, keyValue, 1));
    else skip(r, tag, 1, "attributes");
  }
  return { attributes };
}

function scopeLogsMessage(d: Decoding): Json {
  const r = d.reader;
  const out: Json = {};
  const logRecords: Json[] = [];
  out.logRecords = logRecords;
  while (r.pos < r.len) {
    const tag = readTag(r, "ScopeLogs");
    if (tag === ((1 << 3) | LEN)) out.scope = nested(d, scopeMessage);
    else if (tag === ((2 << 3) | LEN)) {
      if (++d.records > d.maxRecords) throw new TooManyRecords();
      logRecords.push(nested(d, logRecord));
    } else skip(r, tag, [1, 2], ["scope", "log_records"]);
  }
  return out;
}

function scopeMessage(d: Decoding): Json {
  const r = d.reader;
  const out: Json = {};
  while (r.pos < r.len) {
    const tag = readTag(r, "InstrumentationScope");
    if (tag === ((1 << 3) | LEN)) out.name = string(r);
    else if (tag === ((2 << 3) | LEN)) out.version = string(r);
    else skip(r, tag, [1, 2], ["name", "version"]);
  }
  return out;
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

function logRecord(d: Decoding): Json {
  const r = d.reader;
  const out: Json = {};
  let attributes: Json[] | undefined;
  while (r.pos < r.len) {
    const tag = readTag(r, "LogRecord");
    switch (tag) {
      case (1 << 3) | I64:
        out.timeUnixNano = fixed64Decimal(r);
        break;
      case (11 << 3) | I64:
        out.observedTimeUnixNano = fixed64Decimal(r);
        break;
      case (2 << 3) | VARINT:
        out.severityNumber = r.int32();
        break;
      case (3 << 3) | LEN:
        out.severityText = string(r);
        break;
      case (5 << 3) | LEN:
        out.body = nested(d, anyValue, 1);
        break;
      case (6 << 3) | LEN:
        attributes ??= out.attributes = [];
        attributes.push(nested(d, keyValue, 1));
        break;
      case (9 << 3) | LEN:
        out.traceId = hex(r);
        break;
      case (10 << 3) | LEN:
        out.spanId = hex(r);
        break;
      case (12 << 3) | LEN:
        out.eventName = string(r);
        break;
      default:
        skip(r, tag, LOG_RECORD_FIELDS, LOG_RECORD_NAMES);
    }
  }
  return out;
}

function keyValue(d: Decoding, depth: number): Json {
  const r = d.reader;
  let key = "";
  let value: Json | undefined;
  while (r.pos < r.len) {
    const tag = readTag(r, "KeyValue");
    if (tag === ((1 << 3) | LEN)) key = string(r);
    else if (tag === ((2 << 3) | LEN)) value = nested(d, anyValue, depth);
    else skip(r, tag, [1, 2], ["key", "value"]);
  }
  return value === undefined ? { key } : { key, value };
}

const ANY_VALUE_FIELDS = [1, 2, 3, 4, 5, 6, 7] as const;
const ANY_VALUE_NAMES = ["string_value", "bool_value", "int_value", "double_value", "array_value", "kvlist_value", "bytes_value"] as const;

function anyValue(d: Decoding, depth: number): Json {
  if (depth > d.maxDepth) throw new MalformedOtlp(`values nested deeper than ${d.maxDepth} levels (INGEST_MAX_DEPTH)`);
  const r = d.reader;
  let out: Json = {};
  while (r.pos < r.len) {
    const tag = readTag(r, "AnyValue");
    switch (tag) {
      case (1 << 3) | LEN:
        out = { stringValue: string(r) };
        break;
      case (2 << 3) | VARINT:
        out = { boolValue: r.bool() };
        break;
      case (3 << 3) | VARINT:
        // A Long where long.js loads, a number where it does not: LongBits reads either.
        out = { intValue: util.LongBits.from(r.int64()).toNumber(false) };
        break;
      case (4 << 3) | I64:
        out = { doubleValue: r.double() };
        break;
      case (5 << 3) | LEN:
        out = { arrayValue: { values: nested(d, arrayValues, depth + 1) } };
        break;
      case (6 << 3) | LEN:
        out = { kvlistValue: { values: nested(d, kvlistValues, depth + 1) } };
        break;
      case (7 << 3) | LEN: {
        const bytes = r.bytes();
        out = { bytesValue: util.base64.encode(bytes, 0, bytes.length) };
        break;
      }
      default:
        skip(r, tag, ANY_VALUE_FIELDS, ANY_VALUE_NAMES);
    }
  }
  return out;
}

function arrayValues(d: Decoding, depth: number): Json[] {
  const r = d.reader;
  const values: Json[] = [];
  while (r.pos < r.len) {
    const tag = readTag(r, "ArrayValue");
    if (tag === ((1 << 3) | LEN)) values.push(nested(d, anyValue, depth));
    else skip(r, tag, 1, "values");
  }
  return values;
}

function kvlistValues(d: Decoding, depth: number): Json[] {
  const r = d.reader;
  const values: Json[] = [];
  while (r.pos < r.len) {
    const tag = readTag(r, "KeyValueList");
    if (tag === ((1 << 3) | LEN)) values.push(nested(d, keyValue, depth));
    else skip(r, tag, 1, "values");
  }
  return values;
}

const utf8 = new TextDecoder();

/**
 * Short ASCII strings seen lately, by a hash of their bytes. Attribute keys and many values repeat
 * across the records of a batch ("http.route", "GET", a service name); a hit costs one compare loop
 * and no allocation, where building the string costs a typed-array view and a native call.
 */
const CACHE_SIZE = 4096;
const cache: (string | undefined)[] = new Array(CACHE_SIZE);

/** A string field; invalid UTF-8 becomes U+FFFD, as the JSON path's reader does. */
function string(r: Reader): string {
  const length = r.uint32();
  const start = r.pos;
  const end = start + length;
  if (end > r.len) throw new MalformedOtlp(`a string of ${length} bytes at byte ${start} runs past the end of its message`);
  r.pos = end;
  const b = r.buf;
  if (length > 32) return utf8.decode(b.subarray(start, end));
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    const c = b[i] as number;
    if (c >= 0x80) return utf8.decode(b.subarray(start, end));
    hash = Math.imul(hash ^ c, 0x01000193);
  }
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

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function hex(r: Reader): string {
  const bytes = r.bytes();
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i] as number];
  return out;
}

/**
 * A fixed64 as its exact decimal string, without BigInt: hi·2³² + lo splits as
 * hi·4294·10⁶ + (hi·967296 + lo), whose parts stay below 2⁵³.
 */
function fixed64Decimal(r: Reader): string {
  r.skip(8); // bounds-checked; the bytes are then read in place
  const b = r.buf;
  const at = r.pos - 8;
  const lo = ((b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16) | ((b[at + 3] as number) << 24)) >>> 0;
  const hi = ((b[at + 4] as number) | ((b[at + 5] as number) << 8) | ((b[at + 6] as number) << 16) | ((b[at + 7] as number) << 24)) >>> 0;
  if (hi === 0) return String(lo);
  const low = hi * 967296 + lo;
  const millis = hi * 4294 + Math.floor(low / 1e6);
  return `${millis}${String(low % 1e6).padStart(6, "0")}`;
}
