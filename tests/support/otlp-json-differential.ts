/**
 * OTLP/JSON bodies for the WebAssembly reader's differential checks (the property test in
 * src/ingest/otlp-json-wasm.test.ts and the `otlp-json-fast` fuzz target): every AnyValue kind,
 * duplicate and `__proto__` keys, mapped names, big and odd ints, doubles that JS writes shorter
 * than sent, empty lists, deep nesting, whitespace, non-plain text, fields out of the usual order
 * and unknown fields; under the default limits and under small ones that records meet.
 */
import fc from "fast-check";
import { otlpLogsRequest } from "../../bench/lib/otlp-bodies.ts";
import { DEFAULT_LIMITS, type IngestLimits } from "../../src/domain/event/limits.ts";
import { parseOtlpLogs } from "../../src/domain/event/otlp.ts";
import { otlpJsonReaderAnswers, readOtlpJsonFast, useOtlpJsonModule } from "../../src/ingest/otlp-json-wasm.ts";
import { OTLP_JSON_WASM_BASE64 } from "../../src/ingest/otlp-json-wasm-bytes.ts";
import { parseOtlpRequestBody } from "../../src/ingest/parse-otlp-request.ts";
import { wasmModuleFromBase64 } from "../../src/ingest/wasm-slot.ts";

const MAPPED = ["service.name", "request.id", "http.request.id", "request_id", "http.route", "url.path", "http.target"];
const MAPPED_MORE = ["http.request.method", "http.method", "http.response.status_code", "http.status_code", "duration_ms"];
const MAPPED_ERROR = ["http.server.duration", "http.duration_ms", "exception.type", "exception.message", "error.code", "error.type"];

const text = fc.oneof(
  { weight: 60, arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom("", "200", "-0", "007", "1e3", " 5", "abc", "\u00e9t\u00e9", 'a"b', "a\\b") },
);
const key = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...MAPPED, ...MAPPED_MORE, ...MAPPED_ERROR) },
  { weight: 4, arbitrary: fc.constantFrom("a", "b", "user", "0", "10", "__proto__", "constructor", "attributes") },
  { weight: 1, arbitrary: text },
);
const intValue = fc.oneof(
  { weight: 30, arbitrary: fc.integer({ min: -1000, max: 100000 }).map(String) },
  { weight: 2, arbitrary: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom("0", "-0", "007", "1e3", "", "1.5", "+5", "12345678901234567890123") },
  { weight: 2, arbitrary: fc.integer({ min: -1000, max: 1000 }) },
);
const doubleValue = fc.oneof(
  { weight: 1, arbitrary: fc.double() },
  { weight: 20, arbitrary: fc.integer({ min: -100, max: 100 }).map((n) => n / 8) },
  { weight: 8, arbitrary: fc.integer({ min: -100000, max: 100000 }).map((n) => n / 100) },
  { weight: 2, arbitrary: fc.constantFrom(-0, 0.1 + 0.2, 1e21, 1.5e-7, 0.000001, 123456789012345680, 12.5 + 7 * 3.1, "NaN") },
);

type Json = unknown;
const anyValue = fc.letrec<{ value: Json; kv: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 40, arbitrary: fc.record({ stringValue: text }) },
    { weight: 12, arbitrary: fc.record({ intValue }) },
    { weight: 12, arbitrary: fc.record({ doubleValue }) },
    { weight: 8, arbitrary: fc.record({ boolValue: fc.boolean() }) },
    { weight: 6, arbitrary: fc.record({ bytesValue: fc.base64String({ maxLength: 12 }) }) },
    { weight: 6, arbitrary: fc.constant({}) },
    { weight: 10, arbitrary: fc.record({ arrayValue: fc.record({ values: fc.array(tie("value"), { maxLength: 3 }) }) }) },
    { weight: 10, arbitrary: fc.record({ kvlistValue: fc.record({ values: fc.array(tie("kv"), { maxLength: 3 }) }) }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        { stringValue: null },
        { arrayValue: {} },
        { kvlistValue: {} },
        { stringValue: "x", intValue: "1" },
        { other: 1 },
      ),
    },
  ),
  kv: fc.oneof(
    { weight: 40, arbitrary: fc.record({ key, value: tie("value") }) },
    { weight: 1, arbitrary: fc.record({ value: tie("value"), key }) },
    { weight: 1, arbitrary: fc.constantFrom({ key: "k" }, { key: 1, value: {} }, { key: "k", value: {}, extra: 1 }, null) },
    { weight: 1, arbitrary: fc.record({ key: fc.constant(""), value: tie("value") }) },
  ),
}));
const kv = fc.record({ key, value: anyValue.value });

/** kvlists nested `depth` times around a string: past the mapped depth (8) the mapping writes null. */
const deep = fc.integer({ min: 6, max: 11 }).map((depth) => {
  let value: Json = { stringValue: "x" };
  for (let i = 0; i < depth; i++) value = { kvlistValue: { values: [{ key: "d", value }] } };
  return { key: "deep", value };
});

const attributes = fc.array(
  fc.oneof({ weight: 30, arbitrary: kv }, { weight: 3, arbitrary: anyValue.kv }, { weight: 1, arbitrary: deep }),
  {
    maxLength: 5,
  },
);
const nanos = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("1795662000000000000", "1795662000123456789") },
  fc.constantFrom(
    "1795662000000000000",
    "1795662000123456789",
    "0",
    "",
    "000",
    "1234567",
    "00000001234567",
    "abc",
    "123456789012345678901",
  ),
  fc.bigInt({ min: 0n, max: 2n ** 64n }).map(String),
  fc.constant(1795662000000000000),
);
const hex = fc.oneof(fc.constantFrom("", "5b8efff798038103d269b633813fc60c"), fc.string({ unit: "grapheme-ascii", maxLength: 6 }));

const record = fc.oneof(
  {
    weight: 40,
    arbitrary: fc.record(
      {
        timeUnixNano: nanos,
        observedTimeUnixNano: nanos,
        severityNumber: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 24 }) }, fc.constantFrom(17.5, "SEVERITY_NUMBER_ERROR")),
        severityText: fc.constantFrom("INFO", "ERROR", ""),
        body: anyValue.value,
        attributes,
        droppedAttributesCount: fc.integer({ min: 0, max: 3 }),
        flags: fc.integer({ min: 0, max: 3 }),
        traceId: hex,
        spanId: hex,
        eventName: text,
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(null, 1, "record", [], { unknownField: 1 }) },
);

const scopeLogs = fc.record(
  {
    scope: fc.record(
      { name: fc.oneof({ weight: 10, arbitrary: text }, fc.constant(1)), version: fc.constant("1.0"), attributes: fc.constant([]) },
      { requiredKeys: [] },
    ),
    logRecords: fc.array(record, { maxLength: 3 }),
    schemaUrl: fc.constant("https://opentelemetry.io/schemas/1.24.0"),
  },
  { requiredKeys: [] },
);
const resourceLogs = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record(
      {
        resource: fc.record({ attributes, droppedAttributesCount: fc.constant(0) }, { requiredKeys: [] }),
        scopeLogs: fc.array(scopeLogs, { maxLength: 2 }),
        schemaUrl: fc.constant(""),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(null, {}, { scopeLogs: {} }) },
);
const request = fc.oneof(
  { weight: 12, arbitrary: fc.record({ resourceLogs: fc.array(resourceLogs, { maxLength: 2 }) }) },
  { weight: 1, arbitrary: fc.constantFrom({}, [], { resourceLogs: {} }, { resourceLogs: [], other: 1 }) },
);

/** Wide events as an OpenTelemetry SDK would send them (bench/lib/otlp-bodies.ts): bodies the reader mostly takes. */
const jsonValue = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    fc.string({ unit: "grapheme-ascii", maxLength: 10 }),
    fc.integer({ min: -5000, max: 5000 }),
    fc.integer({ min: -5000, max: 5000 }).map((n) => n / 4),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("v"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom("a", "b", "0", "__proto__", "id"), tie("v"), { maxKeys: 3 }),
  ),
})).v;
const sdkEvent = fc.record(
  {
    requestId: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 10 }),
    timestamp: fc.integer({ min: 0, max: 4e12 }).map((ms) => new Date(ms).toISOString()),
    service: fc.constantFrom("payment", "checkout", "search"),
    route: fc.constantFrom("/a", "/b/:id"),
    method: fc.constantFrom("GET", "post"),
    statusCode: fc.constantFrom(200, 404, 502),
    durationMs: fc.oneof(
      fc.integer({ min: 0, max: 5000 }),
      fc.integer({ min: 0, max: 500000 }).map((n) => n / 100 + 0.1),
    ),
    error: fc.record({
      code: fc.constantFrom("E1", "TIMEOUT"),
      message: fc.string({ unit: "grapheme-ascii" }),
      type: fc.constantFrom("Err"),
    }),
    extra: jsonValue,
    user: fc.dictionary(fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 4 }), jsonValue, { maxKeys: 4 }),
  },
  { requiredKeys: ["service", "timestamp"] },
);
const sdkBody = fc.array(sdkEvent, { maxLength: 6 }).map((events) => new TextEncoder().encode(JSON.stringify(otlpLogsRequest(events))));

/** A body as bytes: compact, indented, with a leading/trailing space, cut short, or a BOM first. */
const hostileBody: fc.Arbitrary<Uint8Array> = fc
  .tuple(request, fc.constantFrom("compact", "compact", "compact", "compact", "compact", "indent", "spaces", "cut", "bom", "duplicate"))
  .map(([body, form]) => {
    let json = JSON.stringify(body);
    if (form === "indent") json = JSON.stringify(body, null, 1);
    if (form === "spaces") json = ` \n${json}\t `;
    if (form === "cut") json = json.slice(0, Math.max(0, json.length - 3));
    if (form === "bom") json = `\uFEFF${json}`;
    // A field sent twice: JSON.parse keeps the last.
    if (form === "duplicate") json = json.replace('"severityNumber":', '"severityNumber":99,"severityNumber":');
    return new TextEncoder().encode(json);
  });

export const otlpJsonBodies: fc.Arbitrary<Uint8Array> = fc.oneof(hostileBody, sdkBody);

export const otlpJsonLimits: fc.Arbitrary<IngestLimits> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ ...DEFAULT_LIMITS }) },
  fc.record({
    maxBodyBytes: fc.constant(DEFAULT_LIMITS.maxBodyBytes),
    maxEvents: fc.integer({ min: 1, max: 8 }),
    maxEventBytes: fc.integer({ min: 100, max: 3000 }),
    maxDepth: fc.integer({ min: 2, max: 12 }),
    maxFields: fc.constant(DEFAULT_LIMITS.maxFields),
    maxExpandedBytes: fc.integer({ min: 200, max: 12000 }),
  }),
);

let module: WebAssembly.Module | undefined;
/** The embedded reader, compiled once. */
export function readerModule(): WebAssembly.Module {
  module ??= wasmModuleFromBase64(OTLP_JSON_WASM_BASE64);
  return module;
}

/** A result as text that tells apart what toEqual would not: key order, undefined-valued keys, -0, NaN. */
export function exactText(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => {
    if (v === undefined) return "<undefined>";
    if (typeof v === "number" && !Number.isFinite(v)) return `<${v}>`;
    if (Object.is(v, -0)) return "<-0>";
    return v;
  });
}

/** Object keys at all depths (array elements are not keys), as the scrub walk counts them. */
function countFields(value: unknown): number {
  if (typeof value !== "object" || value === null) return 0;
  let n = 0;
  if (Array.isArray(value)) for (const element of value) n += countFields(element);
  else
    for (const key in value) {
      if (Object.hasOwn(value, key)) n += 1 + countFields((value as Record<string, unknown>)[key]);
    }
  return n;
}

/** Containers nested in `value`, itself included (an event alone is 1). */
function nesting(value: unknown): number {
  if (typeof value !== "object" || value === null) return 0;
  let deepest = 0;
  for (const child of Object.values(value)) deepest = Math.max(deepest, nesting(child));
  return 1 + deepest;
}

const HOSTILE = new Set(["__proto__", "constructor", "prototype"]);
function hasHostileKey(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  for (const key of Object.keys(value)) if (HOSTILE.has(key)) return true;
  return Object.values(value).some(hasHostileKey);
}

interface Certified {
  items: { value: unknown }[];
  checked?: { maxFields: number; maxDepth: number };
}

/**
 * Whether the reader's certificate (if it gave one) is true of every event it made, counted on the
 * parsed events themselves: a wrong one would let an event skip the validation walk it would fail.
 */
export function certificateHolds(result: Certified): boolean {
  const checked = result.checked;
  if (checked === undefined) return true;
  return result.items.every(
    (item) => countFields(item.value) <= checked.maxFields && nesting(item.value) <= checked.maxDepth && !hasHostileKey(item.value),
  );
}

/** The most fields any event of the result has (for tests of how tight a certificate is). */
export function mostFields(result: Certified): number {
  return Math.max(0, ...result.items.map((item) => countFields(item.value)));
}

/**
 * A result without the reader's certificate, which the JS mapping does not give, and without the
 * name of the reader that mapped it (the paths differ there by design).
 */
function uncertified(result: object): object {
  if (!("checked" in result) && !("reader" in result)) return result;
  const { checked: _, reader: __, ...rest } = result as { checked?: unknown; reader?: unknown };
  return rest;
}

/** A body framed by Content-Length, as the route hands it over. */
export const asRequest = (bytes: Uint8Array) => ({
  body: null,
  contentType: "application/json",
  contentLength: String(bytes.byteLength),
  readText: async () => new TextDecoder().decode(bytes),
  readBytes: async () => new Uint8Array(bytes).buffer,
});

/** The reader's events for `bytes`, when it answers, against the JS mapping's (synchronous, for the fuzz runner). */
export function readerAgrees(bytes: Uint8Array, limits: IngestLimits): boolean {
  useOtlpJsonModule(readerModule());
  const fast = readOtlpJsonFast(bytes, limits);
  useOtlpJsonModule(null);
  if (fast === null) return true;
  return certificateHolds(fast) && exactText(uncertified(fast)) === exactText(parseOtlpLogs(new TextDecoder().decode(bytes), limits));
}

/**
 * The route's parse of `bytes` without the reader and with it; `fast`: whether the reader answered
 * for this body (else both ran the JS mapping).
 */
/** A gzip body streamed in (no Content-Length), as collectors and SDK exporters often send. */
const asGzipStream = (bytes: Uint8Array) => {
  const gzipped = Bun.gzipSync(new Uint8Array(bytes));
  return {
    body: new ReadableStream<Uint8Array>({
      start(controller) {
        // Two chunks, so the inflater sees a split stream.
        const half = gzipped.byteLength >> 1;
        controller.enqueue(gzipped.slice(0, half));
        controller.enqueue(gzipped.slice(half));
        controller.close();
      },
    }),
    contentType: "application/json",
    contentEncoding: "gzip",
  };
};

export async function bothPaths(
  bytes: Uint8Array,
  limits: IngestLimits,
  sent: "plain" | "gzip" = "plain",
): Promise<{ js: string; wasm: string; fast: boolean; routeTookReader: boolean; certificate: "none" | "holds" | "WRONG" }> {
  const input = sent === "gzip" ? asGzipStream : asRequest;
  useOtlpJsonModule(null);
  const js = exactText(uncertified(await parseOtlpRequestBody(input(bytes), limits)));
  useOtlpJsonModule(readerModule());
  const read = readOtlpJsonFast(bytes, limits);
  const fast = read !== null;
  const certificate = read?.checked === undefined ? "none" : certificateHolds(read) ? "holds" : "WRONG";
  const before = otlpJsonReaderAnswers();
  const wasm = exactText(uncertified(await parseOtlpRequestBody(input(bytes), limits)));
  const routeTookReader = otlpJsonReaderAnswers() > before;
  useOtlpJsonModule(null);
  return { js, wasm, fast, routeTookReader, certificate };
}
