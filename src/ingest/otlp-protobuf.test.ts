import { describe, expect, test } from "bun:test";
import { SeverityNumber } from "@opentelemetry/api-logs";
import { JsonLogsSerializer, ProtobufLogsSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs";
import protobuf from "protobufjs";
import { DEFAULT_LIMITS } from "../domain/event/limits.ts";
import { mapOtlpLogs } from "../domain/event/otlp.ts";
import { decodeOtlpLogsProtobuf, OTLP_LOGS_PROTO } from "./otlp-protobuf.ts";

// The reference encoder: protobufjs' full build compiles the same .proto by reflection (Bun allows
// the code generation that Workers forbid, so the gateway itself uses only the minimal reader).
const root = protobuf.parse(OTLP_LOGS_PROTO, { keepCase: false }).root;
const Request = root.lookupType("opentelemetry.proto.ExportLogsServiceRequest");

/** OTLP/JSON → protobuf bytes, as protobufjs' fromObject reads it (hex ids become bytes first). */
function encode(json: unknown): Uint8Array {
  const withBytes = JSON.parse(JSON.stringify(json), (key, value) =>
    (key === "traceId" || key === "spanId") && typeof value === "string" ? Buffer.from(value, "hex") : value,
  );
  return Request.encode(Request.fromObject(withBytes)).finish();
}

const str = (stringValue: string) => ({ stringValue });
const kv = (key: string, value: unknown) => ({ key, value });

/** Every AnyValue kind, ids, times and a scope, as OTLP/JSON writes them. */
const OTLP_SAMPLE = {
  resourceLogs: [
    {
      resource: { attributes: [kv("service.name", str("payment")), kv("deployment.environment", str("prod"))] },
      scopeLogs: [
        {
          scope: { name: "payment-api", version: "1.0.0" },
          logRecords: [
            {
              timeUnixNano: "1764126000123456789",
              observedTimeUnixNano: "1764126000200000000",
              severityNumber: 17,
              severityText: "ERROR",
              body: str("payment failed"),
              traceId: "5b8efff798038103d269b633813fc60c",
              spanId: "eee19b7ec3c1b174",
              attributes: [
                kv("http.route", str("/api/payments")),
                kv("http.request.method", str("POST")),
                kv("http.response.status_code", { intValue: "502" }),
                kv("duration_ms", { doubleValue: 12.5 }),
                kv("retried", { boolValue: true }),
                kv("blob", { bytesValue: "AQID" }),
                kv("tags", { arrayValue: { values: [str("a"), { intValue: "-3" }] } }),
                kv("user", { kvlistValue: { values: [kv("id", str("u_1")), kv("plan", str("pro"))] } }),
              ],
            },
            { timeUnixNano: "1764126000999000000", severityNumber: 9, body: { kvlistValue: { values: [kv("n", { intValue: "1" })] } } },
          ],
        },
      ],
    },
  ],
};

const decode = (bytes: Uint8Array, limits = DEFAULT_LIMITS) => decodeOtlpLogsProtobuf(bytes, limits);

/** A record's size as the decoder counts it: its OTLP/JSON form with int64 values as numbers. */
function jsonSize(record: unknown): number {
  const text = JSON.stringify(record, (key, value) => (key === "intValue" ? Number(value) : value));
  return new TextEncoder().encode(text).length;
}

describe("decodeOtlpLogsProtobuf", () => {
  test("a protobuf export maps to the same events as its OTLP/JSON form", () => {
    expect(decode(encode(OTLP_SAMPLE))).toEqual(mapOtlpLogs(OTLP_SAMPLE));
  });

  test("ids become lowercase hex and times epoch milliseconds", () => {
    const decoded = decode(encode(OTLP_SAMPLE));
    if (!decoded.ok) throw new Error(decoded.message);
    expect(decoded.items[0]?.value).toMatchObject({
      traceId: "5b8efff798038103d269b633813fc60c",
      spanId: "eee19b7ec3c1b174",
      timestamp: 1764126000123,
    });
  });

  test("the OpenTelemetry SDK's protobuf and JSON serializations of the same records map to the same events", async () => {
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ "service.name": "checkout" }),
      processors: [new SimpleLogRecordProcessor({ exporter })],
    });
    const logger = provider.getLogger("checkout-api", "1.2.0");
    logger.emit({
      severityNumber: SeverityNumber.ERROR,
      severityText: "ERROR",
      body: "card declined",
      attributes: {
        "http.route": "/api/pay",
        "http.response.status_code": 402,
        ratio: 0.5,
        ok: false,
        tags: ["a", "b"],
        raw: new Uint8Array([1, 2]),
      },
    });
    logger.emit({ severityNumber: SeverityNumber.INFO, body: { nested: { deeper: 1 } }, attributes: { big: 2 ** 40 } });
    await provider.forceFlush();
    const records = exporter.getFinishedLogRecords();
    const mapped = decode(ProtobufLogsSerializer.serializeRequest(records) as Uint8Array);
    if (!mapped.ok) throw new Error(mapped.message);
    const fromJson = JSON.parse(new TextDecoder().decode(JsonLogsSerializer.serializeRequest(records)));
    expect<unknown>(mapped).toEqual(mapOtlpLogs(fromJson));
    expect(mapped.items[0]?.value).toMatchObject({
      service: "checkout",
      route: "/api/pay",
      statusCode: 402,
      severity: "ERROR",
    });
  });

  test("an unknown field is skipped", () => {
    // Field 15 (varint 1) appended to the request: newer senders add fields.
    const bytes = new Uint8Array([...encode(OTLP_SAMPLE), 0x78, 0x01]);
    expect(decode(bytes)).toEqual(mapOtlpLogs(OTLP_SAMPLE));
  });

  test("a body cut short is 400 INVALID_OTLP naming the problem", () => {
    const bytes = encode(OTLP_SAMPLE);
    const decoded = decode(bytes.subarray(0, bytes.length - 7));
    expect(decoded).toMatchObject({ ok: false, status: 400, code: "INVALID_OTLP" });
    expect(!decoded.ok && decoded.message).toContain("runs past the end of the body");
  });

  test("a field with the wrong wire type is 400 INVALID_OTLP naming the field", () => {
    // resource_logs (field 1) as a varint.
    const decoded = decode(new Uint8Array([0x08, 0x01]));
    expect(decoded).toMatchObject({ ok: false, status: 400, code: "INVALID_OTLP" });
    expect(!decoded.ok && decoded.message).toContain("resource_logs has wire type 0");
  });

  test("JSON sent as protobuf is 400 INVALID_OTLP", () => {
    const decoded = decode(new TextEncoder().encode(JSON.stringify(OTLP_SAMPLE)));
    expect(decoded).toMatchObject({ ok: false, status: 400, code: "INVALID_OTLP" });
  });

  test("values nested past INGEST_MAX_DEPTH are 400 INVALID_OTLP, not a stack overflow", () => {
    let value: unknown = { stringValue: "leaf" };
    for (let i = 0; i < 40; i++) value = { arrayValue: { values: [value] } };
    const body = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: value }] }] }] };
    const decoded = decode(encode(body));
    expect(decoded).toMatchObject({ ok: false, status: 400, code: "INVALID_OTLP" });
    expect(!decoded.ok && decoded.message).toContain("INGEST_MAX_DEPTH");
  });

  test("more records than INGEST_MAX_EVENTS is 413 before mapping", () => {
    const body = { resourceLogs: [{ scopeLogs: [{ logRecords: Array.from({ length: 5 }, () => ({ severityNumber: 9 })) }] }] };
    expect(decode(encode(body), { ...DEFAULT_LIMITS, maxEvents: 4 })).toMatchObject({ ok: false, status: 413, code: "TOO_MANY_EVENTS" });
  });

  test("a time past 2^53 nanoseconds gives its exact milliseconds", () => {
    const body = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: "18446744073709551615" }] }] }] };
    const decoded = decode(encode(body));
    if (!decoded.ok) throw new Error(decoded.message);
    expect(decoded.items[0]?.value).toMatchObject({ timestamp: 18446744073709 });
  });
});
