/** Requests sent unchanged to the gateway on Bun and on workerd; both must answer the same. */
import { deflateSync, gzipSync } from "node:zlib";
import protobuf from "protobufjs";
import { OTLP_LOGS_PROTO } from "../../src/ingest/otlp-protobuf.ts";

export const PARITY_ENV: Record<string, string> = {
  PUBLISHER: "memory",
  SAMPLING_NORMAL_RATE: "0.1",
  SAMPLING_SLOW_MS: "1500",
  SAMPLING_CRITICAL_ROUTES: "/api/checkout,/api/pay/**",
  SAMPLING_RULES: JSON.stringify([
    { name: "drop-health", rate: 0, when: [{ field: "route", op: "eq", value: "/health" }] },
    { name: "enterprise", rate: 1, when: [{ field: "user.plan", op: "in", value: ["enterprise"] }] },
    {
      name: "search-half",
      rate: 0.5,
      when: [
        { field: "service", op: "eq", value: "search" },
        { field: "method", op: "neq", value: "POST" },
      ],
    },
  ]),
  INGEST_API_KEYS: "test-key:acme",
  INGEST_MAX_EVENTS: "2000",
  INGEST_MAX_EVENT_BYTES: "8192",
  INGEST_MAX_FIELDS: "64",
  INGEST_MAX_BODY_BYTES: "1048576",
};

export const AUTH = { authorization: "Bearer test-key" };
const JSON_HEADERS = { ...AUTH, "content-type": "application/json" };

export interface IngestCase {
  name: string;
  path?: string;
  headers?: Record<string, string>;
  /** Text, or bytes for protobuf bodies. */
  body: string | Uint8Array;
  status: number;
  /** Compress the body and send the matching Content-Encoding; `truncated-gzip` cuts the gzip in half. */
  compress?: "gzip" | "deflate" | "truncated-gzip";
}

const T = "2026-11-26T03:00:00.000Z";
const event = (i: number, extra: Record<string, unknown> = {}) => ({
  requestId: `req-parity-${i}`,
  timestamp: T,
  service: "payment",
  route: "/api/payments",
  method: "GET",
  statusCode: 200,
  durationMs: 12.5,
  ...extra,
});

/** An OTLP/HTTP JSON export with a normal and an error record, as an OpenTelemetry SDK sends it. */
function otlp() {
  const kv = (key: string, value: unknown) => ({ key, value });
  const record = (i: number, status: number) => ({
    timeUnixNano: `${1764126000000 + i}000000`,
    severityNumber: status >= 500 ? 17 : 9,
    body: { stringValue: `request ${i}` },
    attributes: [
      kv("request.id", { stringValue: `otlp-${i}` }),
      kv("http.route", { stringValue: "/api/payments" }),
      kv("http.response.status_code", { intValue: String(status) }),
    ],
  });
  return {
    resourceLogs: [
      {
        resource: { attributes: [kv("service.name", { stringValue: "payment" })] },
        scopeLogs: [{ logRecords: [record(1, 200), record(2, 503), record(3, 200)] }],
      },
    ],
  };
}

// Test-side encoder: protobufjs' full build compiles the gateway's own .proto text by reflection.
const ExportLogsServiceRequest = protobuf.parse(OTLP_LOGS_PROTO).root.lookupType("opentelemetry.proto.ExportLogsServiceRequest");

/** The OTLP/JSON export of otlp() as OTLP/HTTP protobuf (ids as bytes), as an SDK's protobuf exporter sends it. */
function otlpProtobuf(json: unknown = otlp()): Uint8Array {
  const withBytes = JSON.parse(JSON.stringify(json), (key, value) =>
    (key === "traceId" || key === "spanId") && typeof value === "string" ? Buffer.from(value, "hex") : value,
  );
  return ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(withBytes)).finish();
}

const PROTOBUF_HEADERS = { ...AUTH, "content-type": "application/x-protobuf" };

const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

export const INGEST_CASES: IngestCase[] = [
  { name: "one event", body: JSON.stringify(event(1)), status: 202 },
  { name: "a batch, explained", path: "/v1/events?explain=1", body: JSON.stringify([1, 2, 3, 4, 5].map((i) => event(i))), status: 202 },
  {
    name: "every reason",
    path: "/v1/events?explain=true",
    body: JSON.stringify([
      event(10, { statusCode: 503 }),
      event(11, { error: { code: "CARD_DECLINED", message: "declined" } }),
      event(12, { durationMs: 4000 }),
      event(13, { route: "/api/checkout" }),
      event(14, { route: "/api/pay/v2/refund" }),
      event(15, { route: "/health" }),
      event(16, { user: { plan: "enterprise" } }),
      event(17, { service: "search" }),
      event(18, { service: "search", method: "POST" }),
    ]),
    status: 202,
  },
  {
    name: "NDJSON with a bad line keeps the good ones",
    path: "/v1/events?explain=1",
    headers: { ...AUTH, "content-type": "application/x-ndjson" },
    body: [JSON.stringify(event(20, { statusCode: 500 })), "{not json", JSON.stringify(event(21, { statusCode: 500 })), ""].join("\n"),
    status: 202,
  },
  {
    name: "mixed batch reports bad events by index",
    body: JSON.stringify([
      event(30, { statusCode: 500 }),
      { route: "/x" },
      event(31, { statusCode: "500" }),
      event(32, { durationMs: -1 }),
    ]),
    status: 202,
  },
  { name: "epoch-ms timestamp", path: "/v1/events?explain=1", body: JSON.stringify(event(40, { timestamp: 1764126000000 })), status: 202 },
  { name: "redaction happens before sampling", body: JSON.stringify(event(41, { password: "hunter2", statusCode: 500 })), status: 202 },
  { name: "empty array", body: "[]", status: 202 },
  // Hostile or malformed input: a 4xx JSON error, never a crash.
  { name: "invalid JSON", body: '{"service": "payment",', status: 400 },
  { name: "truncated array", body: "[{}, {", status: 400 },
  { name: "empty body", body: "", status: 400 },
  { name: "whitespace body", body: "   \n ", status: 400 },
  { name: "top-level number", body: "42", status: 400 },
  { name: "top-level string", body: '"hello"', status: 400 },
  { name: "10k-deep object nesting", body: nested(10_000), status: 400 },
  { name: "10k-deep array nesting", body: `${"[".repeat(10_000)}${"]".repeat(10_000)}`, status: 400 },
  // Within one event's size, POST /v1/events parses first and its walk refuses the depth.
  {
    name: "3,000-deep arrays inside a small valid event",
    body: JSON.stringify(event(53)).replace("{", `{"deep":${"[".repeat(3000)}${"]".repeat(3000)},`),
    status: 400,
  },
  { name: "one level too deep in the second event of a small batch", body: `[${JSON.stringify(event(54))},${nested(33)}]`, status: 400 },
  { name: "__proto__ key", body: JSON.stringify(event(50)).replace("{", '{"__proto__":{"polluted":true},'), status: 400 },
  { name: "nested constructor key", body: JSON.stringify(event(51, { meta: { constructor: { prototype: { x: 1 } } } })), status: 400 },
  { name: "wrong types", body: JSON.stringify({ service: 42, statusCode: "oops", durationMs: "slow" }), status: 400 },
  { name: "missing service", body: JSON.stringify({ route: "/x" }), status: 400 },
  { name: "timestamp in seconds", body: JSON.stringify(event(52, { timestamp: 1764126000 })), status: 400 },
  { name: "wrong content type", headers: { ...AUTH, "content-type": "text/html" }, body: "<html>", status: 415 },
  { name: "form content type", headers: { ...AUTH, "content-type": "application/x-www-form-urlencoded" }, body: "a=1", status: 415 },
  {
    name: "too many events",
    body: JSON.stringify(Array.from({ length: 2001 }, (_, i) => ({ service: "s", requestId: `r${i}` }))),
    status: 413,
  },
  {
    name: "one event over the size limit",
    body: JSON.stringify([event(60, { statusCode: 500 }), event(61, { blob: "x".repeat(9000) })]),
    status: 202,
  },
  {
    name: "an event over the field limit",
    body: JSON.stringify([event(62, Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`f${i}`, i])))]),
    status: 400,
  },
  { name: "body over the byte limit", body: JSON.stringify([event(63, { blob: "y".repeat(1_100_000) })]), status: 413 },
  { name: "OTLP logs", path: "/v1/logs?explain=1", body: JSON.stringify(otlp()), status: 202 },
  { name: "OTLP logs that are not OTLP", path: "/v1/logs", body: JSON.stringify({ service: "payment" }), status: 400 },
  {
    name: "OTLP logs as NDJSON",
    path: "/v1/logs",
    headers: { ...AUTH, "content-type": "application/x-ndjson" },
    body: "{}\n{}",
    status: 400,
  },
  {
    name: "a timestamp decades ahead is rejected by its index",
    path: "/v1/events?explain=1",
    body: JSON.stringify([event(90, { statusCode: 500 }), event(91, { timestamp: "2098-01-01T00:00:00Z" })]),
    status: 202,
  },
  { name: "a lone far-future event", body: JSON.stringify(event(92, { timestamp: "2098-01-01T00:00:00Z" })), status: 400 },
  {
    name: "gzip JSON batch",
    path: "/v1/events?explain=1",
    body: JSON.stringify([80, 81, 82].map((i) => event(i))),
    status: 202,
    compress: "gzip",
  },
  {
    name: "gzip NDJSON",
    headers: { ...AUTH, "content-type": "application/x-ndjson" },
    body: [83, 84].map((i) => JSON.stringify(event(i, { statusCode: 500 }))).join("\n"),
    status: 202,
    compress: "gzip",
  },
  { name: "deflate JSON", body: JSON.stringify(event(85, { statusCode: 503 })), status: 202, compress: "deflate" },
  { name: "gzip OTLP logs", path: "/v1/logs?explain=1", body: JSON.stringify(otlp()), status: 202, compress: "gzip" },
  // 16 MiB of spaces inflate from about 16 KiB: refused once the 1 MiB cap of inflated bytes is passed.
  { name: "gzip bomb", body: `[${" ".repeat(16 * 1024 * 1024)}]`, status: 413, compress: "gzip" },
  {
    name: "gzip bomb as NDJSON",
    headers: { ...AUTH, "content-type": "application/x-ndjson" },
    body: "\n".repeat(16 * 1024 * 1024),
    status: 413,
    compress: "gzip",
  },
  { name: "truncated gzip", body: JSON.stringify([86, 87].map((i) => event(i))), status: 400, compress: "truncated-gzip" },
  {
    name: "Content-Encoding gzip on a body that is not gzip",
    headers: { ...JSON_HEADERS, "content-encoding": "gzip" },
    body: JSON.stringify(event(88)),
    status: 400,
  },
  { name: "Content-Encoding br", headers: { ...JSON_HEADERS, "content-encoding": "br" }, body: JSON.stringify(event(89)), status: 415 },
  { name: "OTLP protobuf logs", path: "/v1/logs?explain=1", headers: PROTOBUF_HEADERS, body: otlpProtobuf(), status: 202 },
  {
    name: "gzip OTLP protobuf logs",
    path: "/v1/logs?explain=1",
    headers: PROTOBUF_HEADERS,
    body: otlpProtobuf(),
    status: 202,
    compress: "gzip",
  },
  {
    name: "OTLP protobuf cut short",
    path: "/v1/logs",
    headers: PROTOBUF_HEADERS,
    body: otlpProtobuf().subarray(0, 40),
    status: 400,
  },
  { name: "OTLP/JSON sent as protobuf", path: "/v1/logs", headers: PROTOBUF_HEADERS, body: JSON.stringify(otlp()), status: 400 },
  { name: "protobuf on /v1/events", headers: PROTOBUF_HEADERS, body: otlpProtobuf(), status: 415 },
  { name: "no API key", headers: { "content-type": "application/json" }, body: JSON.stringify(event(70)), status: 401 },
  {
    name: "wrong API key",
    headers: { authorization: "Bearer nope", "content-type": "application/json" },
    body: JSON.stringify(event(71)),
    status: 401,
  },
  {
    name: "X-API-Key header",
    headers: { "x-api-key": "test-key", "content-type": "application/json" },
    body: JSON.stringify(event(72)),
    status: 202,
  },
];

export function requestFor(base: string, c: IngestCase): Request {
  const headers = new Headers(c.headers ?? JSON_HEADERS);
  // A server that refuses a body unread closes the connection; a client must not reuse it for the next request.
  if (c.status === 413) headers.set("connection", "close");
  if (!c.compress)
    return new Request(`${base}${c.path ?? "/v1/events"}`, {
      method: "POST",
      headers,
      body: typeof c.body === "string" ? c.body : new Uint8Array(c.body),
    });
  const bytes = c.compress === "deflate" ? deflateSync(c.body) : gzipSync(c.body);
  headers.set("content-encoding", c.compress === "deflate" ? "deflate" : "gzip");
  const body = c.compress === "truncated-gzip" ? bytes.subarray(0, Math.floor(bytes.length / 2)) : bytes;
  return new Request(`${base}${c.path ?? "/v1/events"}`, { method: "POST", headers, body: new Uint8Array(body) });
}

/** Every reason PARITY_ENV's sampler gives to some event of samplingBatch(). */
export const SAMPLING_BATCH_REASONS = [
  "HAS_ERROR",
  "SLOW_REQUEST",
  "CRITICAL_ROUTE",
  "RULE:drop-health",
  "RULE:enterprise",
  "RULE:search-half",
  "SAMPLED_NORMAL",
] as const;

/** 2,000 events of one shape with counter ids: the sampling decision of each must match across runtimes. */
export function samplingBatch(): string {
  const services = ["payment", "search", "catalog", "auth"];
  const routes = ["/api/payments", "/api/search", "/api/checkout", "/health", "/api/pay/v1/charge", "/api/items"];
  return JSON.stringify(
    Array.from({ length: 2000 }, (_, i) => ({
      requestId: `req-2026-11-26-${i}`,
      timestamp: 1764126000000 + i,
      service: services[i % services.length],
      route: routes[i % routes.length],
      method: i % 3 === 0 ? "POST" : "GET",
      statusCode: i % 97 === 0 ? 502 : 200,
      durationMs: (i * 37) % 2500,
      user: { id: `u${i % 50}`, plan: i % 11 === 0 ? "enterprise" : "free" },
    })),
  );
}
