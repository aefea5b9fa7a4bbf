/**
 * OTLP/HTTP protobuf logs → wide events, straight from the wire: each log record's attributes go
 * into the same `OtlpAttributes` and `otlpRecordEvent` the OTLP/JSON mapping uses, and the same
 * `OtlpCollector` applies the limits, so both encodings of POST /v1/logs become the same events.
 * The walk over the few messages /v1/logs needs is written out here after OTLP_LOGS_PROTO below,
 * over a small in-place wire reader (no code generation at run time, which Workers forbid, and no
 * object per message). Values become what OTLP/JSON sends: trace and span ids lowercase hex,
 * bytesValue base64, intValue a number.
 *
 * A record's size (for INGEST_MAX_EVENT_BYTES and INGEST_MAX_EXPANDED_BYTES) is counted while it
 * is decoded, as the UTF-8 bytes of its OTLP/JSON form (nanosecond times as decimal strings, ints
 * as numbers), the measure the JSON door applies to what it receives.
 *
 * Asked for light events (ParsedBody.light, as POST /v1/logs asks), it makes each record's event
 * with only the light fields, and measures and checks the attribute values none of them reads
 * without building them (most events are dropped by the sampler); `whole` decodes a kept record again.
 */
import { type BodyError, bodyError, tooManyEvents } from "../domain/event/errors.ts";
import { integerDigits as digits, jsonBytes, jsonNumberBytes, jsonStringBytes } from "../domain/event/json-size.ts";
import type { LightEvents } from "../domain/event/light-events.ts";
import type { IngestLimits } from "../domain/event/limits.ts";
import {
  isMappedAttribute,
  mappedNameLength,
  OtlpAttributes,
  OtlpCollector,
  type OtlpLightEvent,
  type OtlpMapResult,
  otlpLightEvents,
  otlpRecordEvent,
} from "../domain/event/otlp.ts";
import { utf8Length } from "../domain/event/utf8.ts";
import { I64, LEN, MalformedProtobuf, VARINT, WireReader } from "./protobuf-wire.ts";

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

/** A limit that refuses the whole request, found while decoding (TOO_MANY_EVENTS, EXPANSION_TOO_LARGE). */
class Refused extends Error {
  constructor(readonly error: BodyError) {
    super(error.message);
  }
}

/** Attribute values nested deeper than this are null, as the OTLP/JSON mapping reads them. */
const MAPPED_DEPTH = 9;

/**
 * The most fields `otlpRecordEvent` makes besides the attributes it copies: service, requestId,
 * timestamp, route, method, statusCode, durationMs, error, message, severity, traceId, spanId,
 * scope, attributes, and error's code, message and type.
 */
export const EVENT_FIELDS = 17;

/** What `whole` needs to decode one record again: its resource and its scope. */
interface RecordGroup {
  resource: OtlpAttributes;
  scope: string | undefined;
}

/**
 * The value of a KeyValue that was only measured (see skimValue), never built: a light event does
 * not hold the attributes it would go to.
 */
const SKIMMED: unknown = Symbol("skimmed");

/** One request's decoding: the reader, the limits and what the current resource and scope give each record. */
class Decoding {
  records = 0;
  resource = new OtlpAttributes();
  /** The current resource's attributes' size plus the scope name's, counted into each record's. */
  fixedBytes = 0;
  scope: string | undefined = undefined;
  /** What the last KeyValue or AnyValue read was: its key, its plain value, its OTLP/JSON size. */
  key = "";
  /** Which store site (0–7) the key's cache slot picks (see `store`). */
  keySite = 0;
  value: unknown = null;
  size = 0;
  /**
   * What the scrub walk will find, counted while decoding (see ParsedBody.checked): KeyValues read
   * (each is at most one field), the deepest ArrayValue or KeyValueList (by its depth argument),
   * and whether no key was `__proto__`, `constructor` or `prototype`. Reset per resource, then per
   * record from the resource's, whose attributes every record's event copies.
   */
  fields = 0;
  deepest = 0;
  clean = true;
  resourceFields = 0;
  resourceDeepest = 0;
  resourceClean = true;
  /** ArrayValues and KeyValueLists read so far (see keyValue). */
  containers = 0;
  /** The largest bounds over the events kept, and whether all of them were clean. */
  checkedFields = 0;
  checkedDepth = 1;
  allClean = true;
  /**
   * Light events (ParsedBody.light): the fields they hold, or null for whole events. Then, by
   * request index, each kept record's bytes [start, end) and its group, for `whole`.
   */
  light: OtlpLightEvent | null = null;
  starts: number[] = [];
  ends: number[] = [];
  groups: RecordGroup[] = [];
  group: RecordGroup | null = null;
  /** Decoding one record again for `whole`: logRecord returns its event instead of collecting it. */
  whole = false;
  /** The one OtlpAttributes light records use, in turn. */
  lightAttrs = new OtlpAttributes();

  constructor(
    readonly r: WireReader,
    readonly out: OtlpCollector,
    /** AnyValue nesting allowed (INGEST_MAX_DEPTH), so a hostile body cannot exhaust the stack. */
    readonly maxDepth: number,
    readonly maxRecords: number,
  ) {}
}

/**
 * Decodes an ExportLogsServiceRequest into wide events. A malformed body is a 400 INVALID_OTLP
 * naming the problem and its byte offset; more log records than INGEST_MAX_EVENTS is the usual 413
 * TOO_MANY_EVENTS; records over INGEST_MAX_EVENT_BYTES are rejected by index, and the request is
 * refused whole when the records kept pass INGEST_MAX_EXPANDED_BYTES. The result carries what the
 * decoder counted (ParsedBody.checked) when every event is within the limits.
 */
export function decodeOtlpLogsProtobuf(bytes: Uint8Array, limits: IngestLimits, lightKeys?: readonly string[]): OtlpMapResult | BodyError {
  // A light event holds no `attributes`: a sampler rule reading them gets whole events.
  if (lightKeys === undefined || lightKeys.includes("attributes")) return decode(bytes, limits, null);
  const decoded = decode(bytes, limits, lightKeys);
  // Light events need the certificate (the walk would read the whole events): without one, the body is read whole.
  return decoded.ok && decoded.checked === undefined ? decode(bytes, limits, null) : decoded;
}

/**
 * With `lightKeys`, each record's event is its light event, and the attribute values no light
 * field reads are measured and checked but not built; `whole` decodes one record again in full.
 */
function decode(bytes: Uint8Array, limits: IngestLimits, lightKeys: readonly string[] | null): OtlpMapResult | BodyError {
  const r = new WireReader(bytes);
  nextGeneration(bytes);
  const d = new Decoding(r, new OtlpCollector(limits), limits.maxDepth, limits.maxEvents);
  if (lightKeys !== null) d.light = otlpLightEvents(lightKeys);
  try {
    while (r.pos < r.end) {
      const tag = r.tag("ExportLogsServiceRequest");
      if (tag === ((1 << 3) | LEN)) {
        const outer = r.enter();
        resourceLogsMessage(d);
        r.leave(outer);
      } else skip(r, tag, 1, "resource_logs");
    }
    const result: OtlpMapResult = d.out.result();
    // Only a body whose every event is within the limits is vouched for: otherwise the walk finds and names the problem.
    if (d.allClean && d.checkedFields <= limits.maxFields && d.checkedDepth <= limits.maxDepth) {
      result.checked = { maxFields: d.checkedFields, maxDepth: d.checkedDepth };
      if (lightKeys !== null) result.light = lightEvents(bytes, limits, d, lightKeys);
    }
    return result;
  } catch (error) {
    if (error instanceof Refused) return error.error;
    if (!(error instanceof MalformedProtobuf)) throw error;
    return bodyError(
      400,
      "INVALID_OTLP",
      `the body is not an OTLP protobuf ExportLogsServiceRequest (${error.message.slice(0, 200)}); send opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest as application/x-protobuf, or OTLP/JSON as application/json`,
    );
  }
}

function lightEvents(bytes: Uint8Array, limits: IngestLimits, d: Decoding, keys: readonly string[]): LightEvents {
  const { starts, ends, groups } = d;
  // One reader and decoding for all of the body's `whole` calls: made on the first.
  let again: Decoding | null = null;
  return {
    keys,
    whole(index) {
      const group = groups[index];
      if (group === undefined) throw new RangeError(`no light event at index ${index}`);
      if (again === null) {
        again = new Decoding(new WireReader(bytes), new OtlpCollector(limits), limits.maxDepth, limits.maxEvents);
        again.whole = true;
      }
      again.r.pos = starts[index] as number;
      again.r.end = ends[index] as number;
      // Other bodies may have been decoded since, through the same caches: then a new generation.
      if (generationBody !== bytes) nextGeneration(bytes);
      again.resource = group.resource;
      again.scope = group.scope;
      return logRecord(again) as Record<string, unknown>;
    },
  };
}

/**
 * A field this decoder does not read: skipped as protobuf requires (newer senders add fields),
 * unless it is a known field (`known` lists their numbers) sent with the wrong wire type.
 */
function skip(r: WireReader, tag: number, known: number | readonly number[], name: string | readonly string[]): void {
  const field = tag >>> 3;
  const at = typeof known === "number" ? (known === field ? 0 : -1) : known.indexOf(field);
  if (at !== -1) {
    const fieldName = typeof name === "string" ? name : name[at];
    throw new MalformedProtobuf(`field ${fieldName} has wire type ${tag & 7} at byte ${r.pos}`);
  }
  r.skip(tag & 7);
}

/**
 * Where the last field `field` (a sub-message) of the message being read lies, [-1, -1] if absent;
 * checks every tag, skips everything, and comes back to where it started.
 */
function findLast(r: WireReader, message: string, field: number, other: number, names: readonly string[]): [number, number] {
  const start = r.pos;
  let at = -1;
  let end = -1;
  while (r.pos < r.end) {
    const tag = r.tag(message);
    if (tag === ((field << 3) | LEN)) {
      end = r.length("a message");
      at = r.pos;
      r.pos = end;
    } else if (tag === ((other << 3) | LEN)) r.pos = r.length("a message");
    else skip(r, tag, [field, other], names);
  }
  r.pos = start;
  return [at, end];
}

/** Reads the sub-message at [at, end) with `read`, then comes back. */
function readAt(d: Decoding, at: number, end: number, read: (d: Decoding) => void): void {
  const r = d.r;
  const pos = r.pos;
  const outer = r.end;
  r.pos = at;
  r.end = end;
  read(d);
  r.pos = pos;
  r.end = outer;
}

// A sender may put a resource after its scope_logs, or a scope after its records: each level finds
// its header first (one pass over its tags, skipping the records), then reads the records.
function resourceLogsMessage(d: Decoding): void {
  const r = d.r;
  const [at, end] = findLast(r, "ResourceLogs", 1, 2, ["resource", "scope_logs"]);
  const resource = new OtlpAttributes();
  d.resource = resource;
  d.fields = 0;
  d.deepest = 0;
  d.clean = true;
  if (at !== -1) readAt(d, at, end, resourceMessage);
  d.resourceFields = d.fields;
  d.resourceDeepest = d.deepest;
  d.resourceClean = d.clean;
  const resourceBytes = jsonBytes(resource.toObject(), Number.POSITIVE_INFINITY);
  while (r.pos < r.end) {
    const tag = r.uint32();
    if (tag === ((2 << 3) | LEN)) {
      d.resource = resource;
      d.fixedBytes = resourceBytes;
      const outer = r.enter();
      scopeLogsMessage(d);
      r.leave(outer);
    } else r.skip(tag & 7);
  }
}

function resourceMessage(d: Decoding): void {
  const r = d.r;
  const resource = d.resource;
  while (r.pos < r.end) {
    const tag = r.tag("Resource");
    if (tag === ((1 << 3) | LEN)) {
      keyValue(d, 1, WHOLE);
      if (d.key !== "") resource.set(d.key, d.value);
    } else skip(r, tag, 1, "attributes");
  }
}

function scopeLogsMessage(d: Decoding): void {
  const r = d.r;
  const [at, end] = findLast(r, "ScopeLogs", 1, 2, ["scope", "log_records"]);
  d.scope = undefined;
  if (at !== -1) readAt(d, at, end, scopeMessage);
  if (d.light !== null) d.group = { resource: d.resource, scope: d.scope };
  const resourceBytes = d.fixedBytes;
  const fixedBytes = resourceBytes + (d.scope === undefined ? 0 : utf8Length(d.scope));
  while (r.pos < r.end) {
    const tag = r.uint32();
    if (tag === ((2 << 3) | LEN)) {
      if (++d.records > d.maxRecords) throw new Refused(tooManyEvents(d.maxRecords));
      d.fixedBytes = fixedBytes;
      const outer = r.enter();
      logRecord(d);
      r.leave(outer);
    } else r.skip(tag & 7);
  }
  d.fixedBytes = resourceBytes;
}

function scopeMessage(d: Decoding): void {
  const r = d.r;
  while (r.pos < r.end) {
    const tag = r.tag("InstrumentationScope");
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

// OTLP/JSON sizes of a record's field names: `"name":` before each value.
const TIME_KEY = 15; // "timeUnixNano":
const OBSERVED_KEY = 23; // "observedTimeUnixNano":
const SEVERITY_NUMBER_KEY = 17;
const SEVERITY_TEXT_KEY = 15;
const BODY_KEY = 7;
const ATTRIBUTES_KEY = 13;
const TRACE_ID_KEY = 10;
const SPAN_ID_KEY = 9;
const EVENT_NAME_KEY = 12;

/** Collects the record's event (or its rejection); with `d.whole`, returns the event instead. */
function logRecord(d: Decoding): Record<string, unknown> | undefined {
  const r = d.r;
  const start = r.pos;
  const light = d.light !== null;
  const attrs = light ? d.lightAttrs.resetTo(d.resource) : new OtlpAttributes(d.resource);
  d.fields = d.resourceFields;
  d.deepest = d.resourceDeepest;
  d.clean = d.resourceClean;
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
  while (r.pos < r.end) {
    const tag = r.tag("LogRecord");
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
        severityNumber = r.uint32() | 0;
        severityNumberSize = integerSize(severityNumber);
        break;
      case (3 << 3) | LEN:
        severityText = string(r);
        severityTextSize = stringSize;
        break;
      case (5 << 3) | LEN:
        message = anyValue(d, 1);
        bodySize = d.size;
        break;
      case (6 << 3) | LEN:
        keyValue(d, 1, light ? LIGHT : WHOLE);
        if (d.key !== "" && d.value !== SKIMMED) attrs.set(d.key, d.value);
        attributeCount++;
        attributeSizes += d.size;
        break;
      case (9 << 3) | LEN:
        traceId = hex(r.bytes());
        traceIdSize = traceId.length + 2;
        break;
      case (10 << 3) | LEN:
        spanId = hex(r.bytes());
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
  if (timeSize >= 0) {
    fields++;
    size += TIME_KEY + timeSize;
  }
  if (observedSize >= 0) {
    fields++;
    size += OBSERVED_KEY + observedSize;
  }
  if (severityNumberSize >= 0) {
    fields++;
    size += SEVERITY_NUMBER_KEY + severityNumberSize;
  }
  if (severityTextSize >= 0) {
    fields++;
    size += SEVERITY_TEXT_KEY + severityTextSize;
  }
  if (bodySize >= 0) {
    fields++;
    size += BODY_KEY + bodySize;
  }
  if (attributeCount > 0) {
    fields++;
    size += ATTRIBUTES_KEY + 1 + attributeSizes + attributeCount;
  }
  if (traceIdSize >= 0) {
    fields++;
    size += TRACE_ID_KEY + traceIdSize;
  }
  if (spanIdSize >= 0) {
    fields++;
    size += SPAN_ID_KEY + spanIdSize;
  }
  if (eventNameSize >= 0) {
    fields++;
    size += EVENT_NAME_KEY + eventNameSize;
  }
  if (fields > 1) size += fields - 1;
  const record = { timestamp: time ?? observed, severityNumber, severityText, message, traceId, spanId };
  if (d.whole) return otlpRecordEvent(attrs, record, d.scope);
  const out = d.out;
  const verdict = out.admit(d.fixedBytes + size);
  if (verdict === true) return;
  if (verdict !== null) throw new Refused(verdict);
  if (d.light === null) out.keep(otlpRecordEvent(attrs, record, d.scope));
  else {
    d.starts[out.index] = start;
    d.ends[out.index] = r.end;
    d.groups[out.index] = d.group as RecordGroup;
    out.keep(d.light(attrs, record, d.scope));
  }
  // A container decoded at depth p lies at most at p + 1 in the event (attribute values sit in
  // `attributes`, depth 2); `attributes` and `error` are at 2.
  const eventFields = d.fields + EVENT_FIELDS;
  const eventDepth = d.deepest < 2 ? 2 : d.deepest + 1;
  if (eventFields > d.checkedFields) d.checkedFields = eventFields;
  if (eventDepth > d.checkedDepth) d.checkedDepth = eventDepth;
  if (!d.clean) d.allClean = false;
}

/** How keyValue reads the value: built, or measured only (SKIMMED) unless its key is a mapped name. */
const WHOLE = 0;
const LIGHT = 1;

/**
 * The KeyValue whose length comes next → d.key, d.value (plain; null without a value, SKIMMED when
 * `mode` let it be only measured) and d.size, its OTLP/JSON size (`{"key":…,"value":…}`).
 */
function keyValue(d: Decoding, depth: number, mode: number): void {
  const r = d.r;
  const outer = r.enter();
  const start = r.pos;
  const length = r.end - start;
  // A KeyValue read whole before in this body ("plan": "free" in every record) is taken from
  // the KeyValue cache (kvMeta): one compare of its bytes instead of reading its key and value. Only where its value
  // cannot be too deep or mapped to null, which depend on where it sits rather than on its bytes.
  // A skimmed one (no value kept alive) is taken with its ArrayValues and KeyValueLists too, where it
  // sits as deep as when read, and may be longer.
  let slot = -1;
  if (length > 2 && length <= (mode === WHOLE ? MAX_KV : MAX_SKIMMED_KV) && depth <= d.maxDepth && depth <= MAPPED_DEPTH) {
    slot = kvSlot(r.buf, start, r.end);
    if (
      cachedHere(r, slot, start, length, depth) &&
      // A skimmed one that read its key (site ≠ -1) was read LIGHT: its key is no mapped name.
      (kvValue[slot] !== SKIMMED || (mode === LIGHT && kvSite[slot] !== -1))
    ) {
      r.leave(outer);
      countCached(d, slot);
      d.key = kvKey[slot] as string;
      d.value = kvValue[slot];
      d.keySite = kvSite[slot] as number;
      return;
    }
  }
  const containers = d.containers;
  const fields = d.fields;
  const deepest = d.deepest;
  d.deepest = 0;
  let key = "";
  let keySize = 2;
  let value: unknown = null;
  let valueSize = -1;
  let valueAt = -1;
  let skimmedFor = "";
  while (r.pos < r.end) {
    const tag = r.tag("KeyValue");
    if (tag === ((1 << 3) | LEN)) {
      if (mode === LIGHT && !mappedNameLength(r.buf[r.pos] ?? 0)) {
        // No mapped name is this long in bytes: only its size and whether it is hostile are
        // needed, no string. keySite -2: such a key (-1: one skimKeyValue did not read).
        if (forbiddenKey(r.buf, skimString(r), r.pos)) d.clean = false;
        keySize = stringSize;
        key = UNREAD_KEY;
        d.keySite = -2;
        continue;
      }
      key = string(r);
      keySize = stringSize;
      d.keySite = stringSlot & 7;
      if ((key.length === 9 || key.length === 11) && (key === "__proto__" || key === "prototype" || key === "constructor")) d.clean = false;
    } else if (tag === ((2 << 3) | LEN)) {
      if (mode === LIGHT && key !== "" && !isMappedAttribute(key)) {
        valueAt = r.pos;
        skimmedFor = key;
        skimValue(d, depth);
        value = SKIMMED;
      } else value = anyValue(d, depth);
      valueSize = d.size;
    } else skip(r, tag, [1, 2], ["key", "value"]);
  }
  // A key sent again after the value, now a mapped name: its value is read again, built this time
  // (it read without error before), and counted once.
  if (value === SKIMMED && mode === LIGHT && key !== skimmedFor && isMappedAttribute(key)) value = valueAgain(d, valueAt, depth);
  r.leave(outer);
  const inner = d.deepest;
  if (deepest > inner) d.deepest = deepest;
  const nested = d.fields - fields;
  d.fields++;
  d.key = key;
  d.value = value;
  d.size = valueSize < 0 ? 8 + keySize : 17 + keySize + valueSize;
  // Kept with a plain value (no ArrayValue or KeyValueList read: an object must not be shared
  // between events) under a key read as a string, or a skimmed one, and only when clean (a hit
  // skips the key checks).
  const read = d.containers - containers;
  if (slot >= 0 && d.clean && (value === SKIMMED || (read === 0 && length <= MAX_KV && key !== UNREAD_KEY))) {
    const m = slot * 3;
    kvMeta[m] = length;
    kvMeta[m + 1] = start;
    kvMeta[m + 2] = generation;
    kvKey[slot] = key;
    kvValue[slot] = value;
    kvSize[slot] = d.size;
    kvSite[slot] = d.keySite;
    kvNested[slot] = nested;
    kvContainers[slot] = read;
    kvDeepest[slot] = inner;
    kvDepth[slot] = read === 0 ? -1 : depth;
  }
}

/**
 * keyValue inside a skimmed value: only d.size and the counts (d.fields, d.deepest, d.containers,
 * d.clean), from the cache (any entry: its counts are those of its bytes) or read; no key is read
 * as a string. Cached as skimmed (site -1).
 */
function skimKeyValue(d: Decoding, depth: number): void {
  const r = d.r;
  const outer = r.enter();
  const start = r.pos;
  const length = r.end - start;
  let slot = -1;
  if (length > 2 && length <= MAX_SKIMMED_KV && depth <= d.maxDepth && depth <= MAPPED_DEPTH) {
    slot = kvSlot(r.buf, start, r.end);
    if (cachedHere(r, slot, start, length, depth)) {
      r.leave(outer);
      countCached(d, slot);
      return;
    }
  }
  const containers = d.containers;
  const fields = d.fields;
  const deepest = d.deepest;
  d.deepest = 0;
  let keySize = 2;
  let valueSize = -1;
  while (r.pos < r.end) {
    const tag = r.tag("KeyValue");
    if (tag === ((1 << 3) | LEN)) {
      if (forbiddenKey(r.buf, skimString(r), r.pos)) d.clean = false;
      keySize = stringSize;
    } else if (tag === ((2 << 3) | LEN)) {
      skimValue(d, depth);
      valueSize = d.size;
    } else skip(r, tag, [1, 2], ["key", "value"]);
  }
  r.leave(outer);
  const inner = d.deepest;
  if (deepest > inner) d.deepest = deepest;
  const nested = d.fields - fields;
  d.fields++;
  d.size = valueSize < 0 ? 8 + keySize : 17 + keySize + valueSize;
  if (slot >= 0 && d.clean) {
    const m = slot * 3;
    const read = d.containers - containers;
    kvMeta[m] = length;
    kvMeta[m + 1] = start;
    kvMeta[m + 2] = generation;
    kvKey[slot] = "";
    kvValue[slot] = SKIMMED;
    kvSize[slot] = d.size;
    kvSite[slot] = -1;
    kvNested[slot] = nested;
    kvContainers[slot] = read;
    kvDeepest[slot] = inner;
    kvDepth[slot] = read === 0 ? -1 : depth;
  }
}

/** A LIGHT key not read as a string: not empty, so its value is skimmed, and no mapped name. */
const UNREAD_KEY = "\u0000";

/** Whether the `end - start` bytes at `start` are `__proto__`, `prototype` or `constructor`. */
function forbiddenKey(b: Uint8Array, start: number, end: number): boolean {
  const n = end - start;
  if (n !== 9 && n !== 11) return false;
  const names = n === 9 ? NINE : ELEVEN;
  for (const name of names) {
    let i = 0;
    while (i < n && b[start + i] === name.charCodeAt(i)) i++;
    if (i === n) return true;
  }
  return false;
}
const NINE = ["__proto__", "prototype"];
const ELEVEN = ["constructor"];

function valueAgain(d: Decoding, at: number, depth: number): unknown {
  const r = d.r;
  const pos = r.pos;
  const { fields, deepest, clean, containers, size } = d;
  r.pos = at;
  const value = anyValue(d, depth);
  r.pos = pos;
  d.fields = fields;
  d.deepest = deepest;
  d.clean = clean;
  d.containers = containers;
  d.size = size;
  return value;
}

/** Whether cache slot `slot` holds the KeyValue at [start, start + length), as read in this body at this depth. */
function cachedHere(r: WireReader, slot: number, start: number, length: number, depth: number): boolean {
  const m = slot * 3;
  return (
    kvMeta[m] === length &&
    kvMeta[m + 2] === generation &&
    (kvDepth[slot] === -1 || kvDepth[slot] === depth) &&
    r.sameRuns(kvMeta[m + 1] as number, start, length)
  );
}

/** A cached KeyValue's fields, containers, depth and size, counted as if it had been read again. */
function countCached(d: Decoding, slot: number): void {
  d.fields += 1 + (kvNested[slot] as number);
  d.containers += kvContainers[slot] as number;
  if ((kvDeepest[slot] as number) > d.deepest) d.deepest = kvDeepest[slot] as number;
  d.size = kvSize[slot] as number;
}

/**
 * KeyValues read whole, by slot: at 3·slot in kvMeta their length, where their bytes lie in the body
 * being decoded and that decode's generation (an entry of another generation is void), then what
 * they read as. A body does not change while it is decoded, so the same bytes read the same.
 */
const KV_BITS = 12;
const KV_SIZE = 1 << KV_BITS;
/** Longer KeyValues are read apart: the cache keeps what they read as, and a large value must not stay alive here. */
const MAX_KV = 128;
const kvMeta = new Int32Array(KV_SIZE * 3).fill(-1);
const kvKey: string[] = new Array<string>(KV_SIZE).fill("");
const kvValue: unknown[] = new Array<unknown>(KV_SIZE).fill(null);
const kvSize = new Int32Array(KV_SIZE);
const kvSite = new Int32Array(KV_SIZE);
/**
 * Of a skimmed one with ArrayValues or KeyValueLists: the KeyValues inside it, the containers, the
 * deepest container's depth and the depth it was read at (-1: a plain value, read at any depth).
 */
const kvNested = new Int32Array(KV_SIZE);
const kvContainers = new Int32Array(KV_SIZE);
const kvDeepest = new Int32Array(KV_SIZE);
const kvDepth = new Int32Array(KV_SIZE);
/** Skimmed ones hold no value, so longer ones may be kept: their bytes are compared, not kept. */
const MAX_SKIMMED_KV = 1024;

/**
 * A KeyValue's slot, from its length and six of its bytes: the key's first and (when its length
 * is one byte) last, the value's last two, and two between. Keys and values that differ only in
 * their last characters (k1, k2; u_123, u_124) must not share a slot.
 */
function kvSlot(b: Uint8Array, start: number, end: number): number {
  const length = end - start;
  const keyEnd = start + 1 + (b[start + 1] as number);
  return (
    (Math.imul(length, 0x9e3779b1) ^
      Math.imul(keyEnd < end ? (b[keyEnd] as number) : 0, 0x2545f491) ^
      Math.imul(b[start + 2] as number, 0x85ebca6b) ^
      Math.imul(b[end - 1] as number, 0xc2b2ae35) ^
      Math.imul(b[end - 2] as number, 0x27d4eb2f) ^
      Math.imul(b[start + (length >> 1)] as number, 0x165667b1) ^
      Math.imul(b[start + (length >> 2)] as number, 0x61c88647)) >>>
    (32 - KV_BITS)
  );
}

const ANY_VALUE_FIELDS = [1, 2, 3, 4, 5, 6, 7] as const;
const ANY_VALUE_NAMES = ["string_value", "bool_value", "int_value", "double_value", "array_value", "kvlist_value", "bytes_value"] as const;

/**
 * The AnyValue whose length comes next → its plain value (null when unset), and d.size, its
 * OTLP/JSON size (`{"stringValue":…}`, int64 as a number).
 */
function anyValue(d: Decoding, depth: number): unknown {
  if (depth > d.maxDepth) throw new MalformedProtobuf(`values nested deeper than ${d.maxDepth} levels (INGEST_MAX_DEPTH)`);
  const r = d.r;
  const outer = r.enter();
  let value: unknown = null;
  let size = 2; // {}
  while (r.pos < r.end) {
    const tag = r.tag("AnyValue");
    switch (tag) {
      case (1 << 3) | LEN:
        value = string(r);
        size = 16 + stringSize;
        break;
      case (2 << 3) | VARINT:
        value = r.int64() !== 0;
        size = value ? 18 : 19;
        break;
      case (3 << 3) | VARINT: {
        const n = r.int64();
        value = n;
        size = 13 + integerSize(n);
        break;
      }
      case (4 << 3) | I64: {
        const n = r.double();
        value = n;
        size = 16 + jsonNumberBytes(n);
        break;
      }
      case (5 << 3) | LEN:
        value = arrayValues(d, depth + 1);
        size = 26 + d.size; // {"arrayValue":{"values":[…]}}
        break;
      case (6 << 3) | LEN:
        value = kvlistValues(d, depth + 1);
        size = 27 + d.size; // {"kvlistValue":{"values":[…]}}
        break;
      case (7 << 3) | LEN: {
        const base64 = toBase64(r.bytes());
        value = base64;
        size = 17 + base64.length;
        break;
      }
      default:
        skip(r, tag, ANY_VALUE_FIELDS, ANY_VALUE_NAMES);
    }
  }
  r.leave(outer);
  d.size = size;
  return depth > MAPPED_DEPTH ? null : value;
}

/** The ArrayValue whose length comes next; d.size: its values as a JSON array. */
function arrayValues(d: Decoding, depth: number): unknown[] {
  const r = d.r;
  const outer = r.enter();
  const values: unknown[] = [];
  let size = 1;
  if (depth > d.deepest) d.deepest = depth;
  d.containers++;
  while (r.pos < r.end) {
    const tag = r.tag("ArrayValue");
    if (tag === ((1 << 3) | LEN)) {
      values.push(anyValue(d, depth));
      size += d.size + 1;
    } else skip(r, tag, 1, "values");
  }
  r.leave(outer);
  d.size = values.length === 0 ? 2 : size;
  return values;
}

/** The KeyValueList whose length comes next, as a plain object; d.size: its values as a JSON array. */
function kvlistValues(d: Decoding, depth: number): Attributes {
  const r = d.r;
  const outer = r.enter();
  const out: Attributes = {};
  let count = 0;
  let size = 1;
  if (depth > d.deepest) d.deepest = depth;
  d.containers++;
  while (r.pos < r.end) {
    const tag = r.tag("KeyValueList");
    if (tag === ((1 << 3) | LEN)) {
      keyValue(d, depth, WHOLE);
      // `out.__proto__ = v` would set the prototype: an own field, for the scrub walk to reject by index.
      if (d.key === "__proto__")
        Object.defineProperty(out, d.key, { value: d.value, enumerable: true, writable: true, configurable: true });
      else if (d.key !== "") store(out, d.key, d.value, d.keySite);
      count++;
      size += d.size + 1;
    } else skip(r, tag, 1, "values");
  }
  r.leave(outer);
  d.size = count === 0 ? 2 : size;
  return out;
}

/**
 * anyValue without its value: the same reads, checks, errors, counts (d.fields, d.deepest,
 * d.containers, d.clean) and d.size, but no string, object or array is made.
 */
function skimValue(d: Decoding, depth: number): void {
  if (depth > d.maxDepth) throw new MalformedProtobuf(`values nested deeper than ${d.maxDepth} levels (INGEST_MAX_DEPTH)`);
  const r = d.r;
  const outer = r.enter();
  let size = 2;
  while (r.pos < r.end) {
    const tag = r.tag("AnyValue");
    switch (tag) {
      case (1 << 3) | LEN:
        skimString(r);
        size = 16 + stringSize;
        break;
      case (2 << 3) | VARINT:
        size = r.int64() !== 0 ? 18 : 19;
        break;
      case (3 << 3) | VARINT:
        size = 13 + integerSize(r.int64());
        break;
      case (4 << 3) | I64:
        size = 16 + jsonNumberBytes(r.double());
        break;
      case (5 << 3) | LEN:
        skimList(d, depth + 1, false);
        size = 26 + d.size;
        break;
      case (6 << 3) | LEN:
        skimList(d, depth + 1, true);
        size = 27 + d.size;
        break;
      case (7 << 3) | LEN: {
        const stop = r.length("a bytes field");
        size = 17 + 4 * Math.ceil((stop - r.pos) / 3); // its base64
        r.pos = stop;
        break;
      }
      default:
        skip(r, tag, ANY_VALUE_FIELDS, ANY_VALUE_NAMES);
    }
  }
  r.leave(outer);
  d.size = size;
}

/** An ArrayValue's or KeyValueList's values, measured and checked (see skimValue). */
function skimList(d: Decoding, depth: number, kvlist: boolean): void {
  const r = d.r;
  const outer = r.enter();
  let count = 0;
  let size = 1;
  if (depth > d.deepest) d.deepest = depth;
  d.containers++;
  while (r.pos < r.end) {
    const tag = r.tag(kvlist ? "KeyValueList" : "ArrayValue");
    if (tag === ((1 << 3) | LEN)) {
      if (kvlist) skimKeyValue(d, depth);
      else skimValue(d, depth);
      count++;
      size += d.size + 1;
    } else skip(r, tag, 1, "values");
  }
  r.leave(outer);
  d.size = count === 0 ? 2 : size;
}

/**
 * `out[key] = value` from one of eight places picked by the key's cache slot: one store site seeing
 * every attribute name of every kvlist shape goes megamorphic (a slow generic store each time),
 * while eight sites each see few names and keep their inline caches.
 */
function store(out: Attributes, key: string, value: unknown, site: number): void {
  switch (site) {
    case 0:
      out[key] = value;
      return;
    case 1:
      out[key] = value;
      return;
    case 2:
      out[key] = value;
      return;
    case 3:
      out[key] = value;
      return;
    case 4:
      out[key] = value;
      return;
    case 5:
      out[key] = value;
      return;
    case 6:
      out[key] = value;
      return;
    default:
      out[key] = value;
  }
}

/** JSON.stringify(n).length for an integer below 2⁶⁴ in magnitude (never in exponent form). */
function integerSize(n: number): number {
  return n < 0 ? 1 + digits(-n) : digits(n);
}

const utf8 = new TextDecoder();

/**
 * Short ASCII strings seen lately, by a hash of their length and three of their bytes, with their
 * JSON sizes. Attribute keys and many values repeat across the records of a batch ("http.route",
 * "GET", a service name); a hit costs one compare loop and no allocation.
 */
const CACHE_BITS = 14;
const CACHE_SIZE = 1 << CACHE_BITS;
/** Longer strings (user agents, messages) repeat too, but less often than they cost to compare. */
const MAX_CACHED = 64;
/** Argument arrays for String.fromCharCode by length, reused. */
const CHAR_ARGS: number[][] = Array.from({ length: MAX_CACHED + 1 }, (_, n) => new Array<number>(n).fill(0));
const cache: (string | undefined)[] = new Array(CACHE_SIZE);
/**
 * Per slot, at 4·slot: the string's length (-1: none), its JSON size, and where in the body being
 * decoded its bytes were last read, with that decode's generation. While the generation is the
 * current one, those bytes are the string's (they were compared with it, or it was made from
 * them; a body does not change while it is decoded), so a hit compares body bytes with body bytes,
 * four at a time, instead of each character with each byte.
 */
const meta = new Int32Array(CACHE_SIZE * 4).fill(-1);
/** The decode under way (see meta); never 0 or a stale slot's generation. */
let generation = 0;

/**
 * The body the current generation reads: `whole` decoding a record of it again may keep the
 * generation (the same bytes at the same offsets). Held only until the next decode.
 */
let generationBody: Uint8Array | null = null;

function nextGeneration(body: Uint8Array): void {
  generationBody = body;
  generation++;
  if (generation < 0x7fffffff) return;
  // After 2³¹ decodes, older generations would come round again: forget every offset first.
  for (let m = 3; m < meta.length; m += 4) meta[m] = 0;
  for (let m = 2; m < kvMeta.length; m += 3) kvMeta[m] = 0;
  generation = 1;
}

/** JSON.stringify of the last string read, in UTF-8 bytes; its cache slot (0 when not cached). */
let stringSize = 0;
let stringSlot = 0;

/**
 * The cached string of `slot` when it holds the bytes at `start` (compared with where they were last
 * read in this body, else with the string itself); it then remembers this place. Sets stringSize.
 */
function cachedAt(r: WireReader, slot: number, start: number, length: number): string | undefined {
  const m = slot << 2;
  if (meta[m] !== length) return undefined;
  const same = meta[m + 3] === generation ? r.sameRuns(meta[m + 2] as number, start, length) : sameBytes(cache[slot], r.buf, start, length);
  if (!same) return undefined;
  meta[m + 2] = start;
  meta[m + 3] = generation;
  stringSize = meta[m + 1] as number;
  return cache[slot] as string;
}

/** A string field; invalid UTF-8 becomes U+FFFD, as the JSON path's reader does. Sets stringSize. */
function string(r: WireReader): string {
  const end = r.length("a string");
  const start = r.pos;
  r.pos = end;
  const length = end - start;
  const b = r.buf;
  if (length === 0) {
    stringSize = 2;
    return "";
  }
  if (length > MAX_CACHED) return decoded(b, start, end);
  // Five of its bytes: ids that differ in one digit (u_123, u_124) must not share a slot pair.
  const slot =
    (Math.imul(length, 0x9e3779b1) ^
      Math.imul(b[start] as number, 0x85ebca6b) ^
      Math.imul(b[end - 1] as number, 0xc2b2ae35) ^
      Math.imul(length > 1 ? (b[end - 2] as number) : 0, 0x27d4eb2f) ^
      Math.imul(b[start + (length >> 1)] as number, 0x165667b1) ^
      Math.imul(b[start + (length >> 2)] as number, 0x61c88647)) >>>
    (32 - CACHE_BITS);
  // Two ways: a value that shares its slot with another (a hash collision) does not evict it.
  stringSlot = slot;
  const hit = cachedAt(r, slot, start, length) ?? cachedAt(r, slot ^ 1, start, length);
  if (hit !== undefined) return hit;
  // Escapes JSON.stringify would add: \" \\ and \b \t \n \f \r are one more byte, other controls five.
  let escapes = 0;
  const args = CHAR_ARGS[length] as number[];
  for (let i = 0; i < length; i++) {
    const c = b[start + i] as number;
    if (c >= 0x80) return decoded(b, start, end);
    if (c < 0x20 || c === 34 || c === 92) escapes += c === 34 || c === 92 || (c >= 8 && c <= 13 && c !== 11) ? 1 : 5;
    args[i] = c;
  }
  // One native call over reused arguments: cheaper per short string than a TextDecoder call (with
  // its typed-array view) in the server's profiles, and a flat string, unlike `+=` per character.
  const fresh = String.fromCharCode.apply(null, args);
  stringSize = length + 2 + escapes;
  // The new string takes the slot; what it held moves to the other way.
  const m = slot << 2;
  const other = slot ^ 1;
  const o = other << 2;
  cache[other] = cache[slot];
  meta[o] = meta[m] as number;
  meta[o + 1] = meta[m + 1] as number;
  meta[o + 2] = meta[m + 2] as number;
  meta[o + 3] = meta[m + 3] as number;
  cache[slot] = fresh;
  meta[m] = length;
  meta[m + 1] = stringSize;
  meta[m + 2] = start;
  meta[m + 3] = generation;
  return fresh;
}

/** string() without the string: sets stringSize only (a non-ASCII one is decoded to be measured); returns where it starts. */
function skimString(r: WireReader): number {
  const end = r.length("a string");
  const start = r.pos;
  r.pos = end;
  const b = r.buf;
  let escapes = 0;
  for (let i = start; i < end; i++) {
    const c = b[i] as number;
    if (c >= 0x80) {
      decoded(b, start, end);
      return start;
    }
    if (c < 0x20 || c === 34 || c === 92) escapes += c === 34 || c === 92 || (c >= 8 && c <= 13 && c !== 11) ? 1 : 5;
  }
  stringSize = end - start + 2 + escapes;
  return start;
}

function sameBytes(text: string | undefined, b: Uint8Array, start: number, length: number): boolean {
  if (text === undefined || text.length !== length) return false;
  for (let i = 0; i < length; i++) if (text.charCodeAt(i) !== b[start + i]) return false;
  return true;
}

function decoded(b: Uint8Array, start: number, end: number): string {
  const text = utf8.decode(b.subarray(start, end));
  stringSize = jsonStringBytes(text);
  return text;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function hex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i] as number];
  return out;
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Standard base64 with padding, as OTLP/JSON writes bytesValue. */
function toBase64(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += BASE64.charAt(n >>> 18) + BASE64.charAt((n >>> 12) & 63) + BASE64.charAt((n >>> 6) & 63) + BASE64.charAt(n & 63);
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] as number) << 16;
    out += `${BASE64.charAt(n >>> 18)}${BASE64.charAt((n >>> 12) & 63)}==`;
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += `${BASE64.charAt(n >>> 18)}${BASE64.charAt((n >>> 12) & 63)}${BASE64.charAt((n >>> 6) & 63)}=`;
  }
  return out;
}

/** JSON size of the last fixed64 read as a decimal string (with quotes). */
let decimalSize = 0;

/**
 * A fixed64 of nanoseconds → epoch ms (undefined for 0, as for "0" in OTLP/JSON), without BigInt:
 * hi·2³² + lo splits as hi·4294·10⁶ + (hi·967296 + lo), whose parts stay below 2⁵³. Sets
 * decimalSize to the size of its decimal string.
 */
function fixed64Ms(r: WireReader): number | undefined {
  const at = r.fixed(8);
  const lo = r.uint32At(at);
  const hi = r.uint32At(at + 4);
  if (hi === 0) {
    decimalSize = digits(lo) + 2;
    return lo === 0 ? undefined : Math.floor(lo / 1e6);
  }
  const millis = hi * 4294 + Math.floor((hi * 967296 + lo) / 1e6);
  decimalSize = digits(millis) + 8;
  return millis;
}
