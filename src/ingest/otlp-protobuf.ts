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
const I32 = 5;

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
    const resourceLogs: Json[] = [];
    message(d, "ExportLogsServiceRequest", (field, wire) => {
      if (field === 1 && wireIs(d, wire, LEN, "resource_logs")) resourceLogs.push(nested(d, resourceLogsMessage));
      else return false;
      return true;
    });
    return { ok: true, body: { resourceLogs } };
  } catch (error) {
    if (error instanceof TooManyRecords) return tooManyEvents(limits.maxEvents);
    // protobufjs throws RangeError("index out of range: …") on a cut-short body and Error on a bad wire type.
    const reason = error instanceof MalformedOtlp || error instanceof Error ? error.message : String(error);
    return bodyError(
      400,
      "INVALID_OTLP",
      `the body is not an OTLP protobuf ExportLogsServiceRequest (${reason.slice(0, 200)}); send opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest as application/x-protobuf, or OTLP/JSON as application/json`,
    );
  }
}

/**
 * Reads fields until the end of the current message; `onField` returns false for a field it does
 * not know, which is skipped as protobuf requires (newer senders add fields).
 */
function message(d: Decoding, name: string, onField: (field: number, wire: number) => boolean): void {
  const r = d.reader;
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 0) throw new MalformedOtlp(`${name}: field number 0 at byte ${r.pos}`);
    if (!onField(field, wire)) r.skipType(wire);
  }
}

/** A length-delimited sub-message, read with `read` as if it were the whole buffer. */
function nested<T>(d: Decoding, read: (d: Decoding) => T): T {
  const r = d.reader;
  const length = r.uint32();
  const end = r.pos + length;
  if (end > r.len) throw new MalformedOtlp(`a message of ${length} bytes at byte ${r.pos} runs past the end of the body`);
  const outerLen = r.len;
  r.len = end;
  try {
    return read(d);
  } finally {
    r.len = outerLen;
  }
}

function wireIs(d: Decoding, wire: number, wanted: number, field: string): true {
  if (wire !== wanted) throw new MalformedOtlp(`field ${field} has wire type ${wire}, not ${wanted}, at byte ${d.reader.pos}`);
  return true;
}

function resourceLogsMessage(d: Decoding): Json {
  const out: Json = {};
  const scopeLogs: Json[] = [];
  out.scopeLogs = scopeLogs;
  message(d, "ResourceLogs", (field, wire) => {
    if (field === 1 && wireIs(d, wire, LEN, "resource")) out.resource = nested(d, resourceMessage);
    else if (field === 2 && wireIs(d, wire, LEN, "scope_logs")) scopeLogs.push(nested(d, scopeLogsMessage));
    else return false;
    return true;
  });
  return out;
}

function resourceMessage(d: Decoding): Json {
  const attributes: Json[] = [];
  message(d, "Resource", (field, wire) => {
    if (field === 1 && wireIs(d, wire, LEN, "attributes")) attributes.push(nested(d, keyValue));
    else return false;
    return true;
  });
  return { attributes };
}

function scopeLogsMessage(d: Decoding): Json {
  const out: Json = {};
  const logRecords: Json[] = [];
  out.logRecords = logRecords;
  message(d, "ScopeLogs", (field, wire) => {
    if (field === 1 && wireIs(d, wire, LEN, "scope")) out.scope = nested(d, scopeMessage);
    else if (field === 2 && wireIs(d, wire, LEN, "log_records")) {
      if (++d.records > d.maxRecords) throw new TooManyRecords();
      logRecords.push(nested(d, logRecord));
    } else return false;
    return true;
  });
  return out;
}

function scopeMessage(d: Decoding): Json {
  const out: Json = {};
  message(d, "InstrumentationScope", (field, wire) => {
    if (field === 1 && wireIs(d, wire, LEN, "name")) out.name = d.reader.string();
    else if (field === 2 && wireIs(d, wire, LEN, "version")) out.version = d.reader.string();
    else return false;
    return true;
  });
  return out;
}

function logRecord(d: Decoding): Json {
  const r = d.reader;
  const out: Json = {};
  let attributes: Json[] | undefined;
  message(d, "LogRecord", (field, wire) => {
    switch (field) {
      case 1:
        wireIs(d, wire, I64, "time_unix_nano");
        out.timeUnixNano = fixed64Decimal(r);
        return true;
      case 11:
        wireIs(d, wire, I64, "observed_time_unix_nano");
        out.observedTimeUnixNano = fixed64Decimal(r);
        return true;
      case 2:
        wireIs(d, wire, VARINT, "severity_number");
        out.severityNumber = r.int32();
        return true;
      case 3:
        wireIs(d, wire, LEN, "severity_text");
        out.severityText = r.string();
        return true;
      case 5:
        wireIs(d, wire, LEN, "body");
        out.body = nested(d, (inner) => anyValue(inner, 1));
        return true;
      case 6:
        wireIs(d, wire, LEN, "attributes");
        attributes ??= out.attributes = [];
        attributes.push(nested(d, keyValue));
        return true;
      case 9:
        wireIs(d, wire, LEN, "trace_id");
        out.traceId = hex(r);
        return true;
      case 10:
        wireIs(d, wire, LEN, "span_id");
        out.spanId = hex(r);
        return true;
      case 12:
        wireIs(d, wire, LEN, "event_name");
        out.eventName = r.string();
        return true;
      default:
        return false;
    }
  });
  return out;
}

function keyValue(d: Decoding, depth = 1): Json {
  const out: Json = { key: "" };
  message(d, "KeyValue", (field, wire) => {
    if (field === 1 && wireIs(d, wire, LEN, "key")) out.key = d.reader.string();
    else if (field === 2 && wireIs(d, wire, LEN, "value")) out.value = nested(d, (inner) => anyValue(inner, depth));
    else return false;
    return true;
  });
  return out;
}

function anyValue(d: Decoding, depth: number): Json {
  if (depth > d.maxDepth) throw new MalformedOtlp(`values nested deeper than ${d.maxDepth} levels (INGEST_MAX_DEPTH)`);
  const r = d.reader;
  let out: Json = {};
  message(d, "AnyValue", (field, wire) => {
    switch (field) {
      case 1:
        wireIs(d, wire, LEN, "string_value");
        out = { stringValue: r.string() };
        return true;
      case 2:
        wireIs(d, wire, VARINT, "bool_value");
        out = { boolValue: r.bool() };
        return true;
      case 3: {
        wireIs(d, wire, VARINT, "int_value");
        // A Long where long.js loads, a number where it does not: LongBits reads either.
        out = { intValue: util.LongBits.from(r.int64()).toNumber(false) };
        return true;
      }
      case 4:
        wireIs(d, wire, I64, "double_value");
        out = { doubleValue: r.double() };
        return true;
      case 5: {
        wireIs(d, wire, LEN, "array_value");
        const values: Json[] = [];
        nested(d, () =>
          message(d, "ArrayValue", (f, w) => {
            if (f === 1 && wireIs(d, w, LEN, "values")) values.push(nested(d, (inner) => anyValue(inner, depth + 1)));
            else return false;
            return true;
          }),
        );
        out = { arrayValue: { values } };
        return true;
      }
      case 6: {
        wireIs(d, wire, LEN, "kvlist_value");
        const values: Json[] = [];
        nested(d, () =>
          message(d, "KeyValueList", (f, w) => {
            if (f === 1 && wireIs(d, w, LEN, "values")) values.push(nested(d, (inner) => keyValue(inner, depth + 1)));
            else return false;
            return true;
          }),
        );
        out = { kvlistValue: { values } };
        return true;
      }
      case 7: {
        wireIs(d, wire, LEN, "bytes_value");
        const bytes = r.bytes();
        out = { bytesValue: util.base64.encode(bytes, 0, bytes.length) };
        return true;
      }
      default:
        return false;
    }
  });
  return out;
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
