import { describe, expect, test } from "bun:test";
import { SeverityNumber } from "@opentelemetry/api-logs";
import { JsonLogsSerializer, ProtobufLogsSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs";
import fc from "fast-check";
import protobuf from "protobufjs";
import { DEFAULT_LIMITS } from "../domain/event/limits.ts";
import { createNormalizeContext, normalizeBody } from "../domain/event/normalize.ts";
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

/** The decoded result as the JSON mapping gives it: `checked` (what the decoder counted) is pinned in otlp-protobuf.checked.test.ts. */
function decode(bytes: Uint8Array, limits = DEFAULT_LIMITS) {
  const decoded = decodeOtlpLogsProtobuf(bytes, limits);
  if (!decoded.ok) return decoded;
  const { checked: _, ...mapped } = decoded;
  return mapped;
}

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

describe("/v1/logs times outside 2000–2099, both encodings", () => {
  /** A record's outcome after the door's mapping and the shared normalize step. */
  function outcome(timeUnixNano: string, encoding: "json" | "protobuf") {
    const body = {
      resourceLogs: [{ resource: { attributes: [kv("service.name", str("payment"))] }, scopeLogs: [{ logRecords: [{ timeUnixNano }] }] }],
    };
    const mapped = encoding === "json" ? mapOtlpLogs(body) : decode(encode(body));
    if (!mapped.ok) throw new Error(mapped.message);
    const batch = normalizeBody(mapped, createNormalizeContext({ tenant: "t", newId: () => "id" }));
    if (!("events" in batch)) throw new Error("body refused");
    return { timestamp: batch.events[0]?.event.timestamp, rejected: batch.rejected };
  }

  for (const encoding of ["json", "protobuf"] as const) {
    test(`${encoding}: the last millisecond of 2099 is kept as its ISO string`, () => {
      expect(outcome("4102444799999000000", encoding)).toEqual({ timestamp: "2099-12-31T23:59:59.999Z", rejected: [] });
    });

    test(`${encoding}: 2100-01-01 is refused naming the epoch milliseconds`, () => {
      expect(outcome("4102444800000000000", encoding).rejected).toEqual([
        { index: 0, code: "INVALID_EVENT", error: "timestamp 4102444800000 is outside the years 2000–2099" },
      ]);
    });

    test(`${encoding}: a time in 1999 is refused naming the epoch milliseconds`, () => {
      expect(outcome("946684799999999999", encoding).rejected).toEqual([
        { index: 0, code: "INVALID_EVENT", error: "timestamp 946684799999 is outside the years 2000–2099" },
      ]);
    });

    test(`${encoding}: a time in the epoch-seconds range is refused with the hint`, () => {
      expect(outcome("1764126000000000", encoding).rejected).toEqual([
        {
          index: 0,
          code: "INVALID_EVENT",
          error: "timestamp 1764126000 looks like epoch seconds; send epoch milliseconds or an ISO-8601 string",
        },
      ]);
    });
  }
});

/** A length-delimited field: tag (field number, wire type 2), length, bytes. */
function field(number: number, bytes: Uint8Array | number[]): number[] {
  const body = [...bytes];
  const length: number[] = [];
  let n = body.length;
  do {
    length.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n >>>= 7;
  } while (n > 0);
  return [(number << 3) | 2, ...length, ...body];
}

const Resource = root.lookupType("opentelemetry.proto.Resource");
const Scope = root.lookupType("opentelemetry.proto.InstrumentationScope");
const LogRecord = root.lookupType("opentelemetry.proto.LogRecord");
const bytesOf = (type: protobuf.Type, json: unknown) => type.encode(type.fromObject(json as Record<string, unknown>)).finish();

describe("decodeOtlpLogsProtobuf: sizes and limits while decoding", () => {
  const resource = OTLP_SAMPLE.resourceLogs[0]?.resource;
  const record = OTLP_SAMPLE.resourceLogs[0]?.scopeLogs[0]?.logRecords[0];
  const single = { resourceLogs: [{ resource, scopeLogs: [{ scope: { name: "payment-api" }, logRecords: [record] }] }] };
  // The resource's attributes as mapped, the record in its OTLP/JSON form (int64 as numbers), the scope name.
  const expected = jsonSize({ "service.name": "payment", "deployment.environment": "prod" }) + jsonSize(record) + "payment-api".length;

  test("a record is measured as its OTLP/JSON form while it is decoded, to the byte", () => {
    const atLimit = decode(encode(single), { ...DEFAULT_LIMITS, maxEventBytes: expected });
    expect(atLimit).toMatchObject({ ok: true, rejected: [] });
    const overLimit = decode(encode(single), { ...DEFAULT_LIMITS, maxEventBytes: expected - 1 });
    if (!overLimit.ok) throw new Error(overLimit.message);
    expect(overLimit.items).toEqual([]);
    expect(overLimit.rejected).toEqual([
      expect.objectContaining({ index: 0, code: "EVENT_TOO_LARGE", error: expect.stringContaining(`(${expected} bytes)`) }),
    ]);
  });

  test("strings that JSON escapes or writes in several bytes are measured as JSON writes them", () => {
    const text = 'a"b\\c\n\u0001é€😀';
    const body = {
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: str(text), attributes: [kv(text, str("x".repeat(40) + text))] }] }] }],
    };
    const size = jsonSize(body.resourceLogs[0]?.scopeLogs[0]?.logRecords[0]) + 2; // + the empty resource, {}
    expect(decode(encode(body), { ...DEFAULT_LIMITS, maxEventBytes: size })).toMatchObject({ ok: true, rejected: [] });
    const over = decode(encode(body), { ...DEFAULT_LIMITS, maxEventBytes: size - 1 });
    expect(over.ok && over.rejected.map((r) => r.code)).toEqual(["EVENT_TOO_LARGE"]);
  });

  test("a record over INGEST_MAX_EVENT_BYTES is rejected by its index and the others are kept", () => {
    const body = {
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: str("a") }, { body: str("x".repeat(2000)) }, { body: str("b") }] }] }],
    };
    const decoded = decode(encode(body), { ...DEFAULT_LIMITS, maxEventBytes: 1000 });
    if (!decoded.ok) throw new Error(decoded.message);
    expect(decoded.items.map((i) => i.index)).toEqual([0, 2]);
    expect(decoded.rejected.map((r) => [r.index, r.code])).toEqual([[1, "EVENT_TOO_LARGE"]]);
  });

  test("records whose total passes INGEST_MAX_EXPANDED_BYTES refuse the request whole with 413", () => {
    const body = {
      resourceLogs: [
        {
          resource: { attributes: [kv("service.name", str("svc")), kv("blob", str("x".repeat(50_000)))] },
          scopeLogs: [{ logRecords: Array.from({ length: 10_000 }, () => ({ severityNumber: 9 })) }],
        },
      ],
    };
    expect(decode(encode(body))).toMatchObject({ ok: false, status: 413, code: "EXPANSION_TOO_LARGE" });
  });

  test("int64 values at both ends map as the JSON encoding maps them", () => {
    const values = ["-9223372036854775808", "9223372036854775807", "-1", "0"];
    const body = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ attributes: values.map((v, i) => kv(`n${i}`, { intValue: v })) }] }] }] };
    expect(decode(encode(body))).toEqual(mapOtlpLogs(body));
  });

  test("a resource sent after its scope_logs and a scope after its records still apply to those records", () => {
    const scopeLogs = [
      ...field(2, bytesOf(LogRecord, { severityNumber: 9, attributes: [kv("http.route", str("/a"))] })),
      ...field(1, bytesOf(Scope, { name: "late-scope" })),
    ];
    const resourceLogs = [...field(2, scopeLogs), ...field(1, bytesOf(Resource, resource))];
    const decoded = decode(new Uint8Array(field(1, resourceLogs)));
    if (!decoded.ok) throw new Error(decoded.message);
    expect(decoded.items[0]?.value).toMatchObject({ service: "payment", route: "/a", scope: "late-scope" });
  });

  test("an attribute named __proto__ inside a kvlist is an own key, rejected by index after mapping", () => {
    const body = {
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                { attributes: [kv("service.name", str("svc"))] },
                { attributes: [kv("service.name", str("svc")), kv("user", { kvlistValue: { values: [kv("__proto__", str("x"))] } })] },
              ],
            },
          ],
        },
      ],
    };
    const mapped = decode(encode(body));
    if (!mapped.ok) throw new Error(mapped.message);
    const batch = normalizeBody(mapped, createNormalizeContext({ tenant: "t" }));
    if (!batch.ok) throw new Error(batch.message);
    expect(batch.events.map((e) => e.index)).toEqual([0]);
    expect(batch.rejected).toEqual([{ index: 1, code: "FORBIDDEN_KEY", error: expect.stringContaining('"__proto__"') }]);
  });
});

describe("decodeOtlpLogsProtobuf: hostile bodies", () => {
  const invalid = (bytes: number[], text: string) => {
    const decoded = decode(new Uint8Array(bytes));
    expect(decoded).toMatchObject({ ok: false, status: 400, code: "INVALID_OTLP" });
    expect(!decoded.ok && decoded.message).toContain(text);
  };

  test("a length of 4 GiB is 400, not an allocation", () => invalid([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f], "runs past the end of the body"));
  test("a varint cut short is 400", () => invalid([0x0a, 0x80], "runs past the end"));
  test("a varint longer than ten bytes is 400", () => invalid([0x78, ...new Array(11).fill(0xff), 0x01], "longer than 10 bytes"));
  test("field number 0 is 400", () => invalid([0x00, 0x01], "field number 0"));
  test("wire types 6 and 7 are 400", () => invalid([0x7e, 0x01], "invalid wire type 6"));
  test("a known LogRecord field with the wrong wire type is 400 naming it", () =>
    invalid(field(1, field(2, field(2, [0x30, 0x01]))), "attributes has wire type 0"));
  test("a string running past its KeyValue is 400", () =>
    invalid(field(1, field(2, field(2, field(6, [0x0a, 0x05, 0x61])))), "runs past the end"));
  test("a fixed64 time cut short is 400", () => invalid(field(1, field(2, field(2, [0x09, 1, 2, 3]))), "runs past the end"));

  test("deeply nested groups in an unknown field are skipped without recursion", () => {
    const groups = [...new Array(100_000).fill(0x7b), ...new Array(100_000).fill(0x7c)]; // field 15: start, end
    expect(decode(new Uint8Array([...groups, ...encode(OTLP_SAMPLE)]))).toEqual(mapOtlpLogs(OTLP_SAMPLE));
  });

  test("an end-group without its start is 400", () => invalid([0x7c], "invalid wire type 4"));

  test("invalid UTF-8 in a string becomes U+FFFD", () => {
    const decoded = decode(new Uint8Array(field(1, field(2, field(2, field(5, field(1, [0x61, 0xff, 0x62])))))));
    if (!decoded.ok) throw new Error(decoded.message);
    expect(decoded.items[0]?.value).toMatchObject({ message: "a\ufffdb" });
  });
});

// The decoder keeps recent strings, and where in the body being decoded their bytes were last
// read, to compare body bytes with body bytes on a repeat. Strings that share a cache slot (same
// length and the same sampled bytes) must still read as themselves, within a body and across bodies.
describe("decodeOtlpLogsProtobuf: repeated strings and KeyValues", () => {
  /** 16 bytes that differ only at index 1, which the slot hash does not read. */
  const X = "aaaaaaaaaaaaaaaa";
  const Y = "abaaaaaaaaaaaaaa";
  const records = (values: string[]) => ({
    resourceLogs: [{ scopeLogs: [{ logRecords: values.map((v) => ({ attributes: [kv("v", str(v))] })) }] }],
  });
  const values = (bytes: Uint8Array) => {
    const decoded = decode(bytes);
    if (!decoded.ok) throw new Error(decoded.message);
    return decoded.items.map((item) => (item.value as { attributes: { v: string } }).attributes.v);
  };

  test("strings sharing a cache slot read as themselves within a body", () => {
    const sent = [X, Y, X, X, Y, Y, X];
    expect(values(encode(records(sent)))).toEqual(sent);
  });

  test("a string where another body held a different string of its slot reads as itself", () => {
    // Same offsets in both bodies: a position remembered from the first must not vouch in the second.
    expect(values(encode(records([X, X])))).toEqual([X, X]);
    expect(values(encode(records([Y, Y])))).toEqual([Y, Y]);
    expect(values(encode(records([X, Y])))).toEqual([X, Y]);
  });

  test("a KeyValue read before nested past INGEST_MAX_DEPTH is still 400", () => {
    const deep = (value: unknown, levels: number): unknown =>
      levels === 0 ? value : { kvlistValue: { values: [kv("n", deep(value, levels - 1))] } };
    const body = records(["x"]);
    const record = body.resourceLogs[0]?.scopeLogs[0]?.logRecords[0] as { attributes: unknown[] };
    record.attributes.push(kv("u", deep({ kvlistValue: { values: [kv("v", str("x"))] } }, 3)));
    expect(decode(encode(body), { ...DEFAULT_LIMITS, maxDepth: 5 })).toMatchObject({ ok: true });
    expect(decode(encode(body), { ...DEFAULT_LIMITS, maxDepth: 4 })).toMatchObject({ ok: false, status: 400, code: "INVALID_OTLP" });
  });

  test("a KeyValue read before nested past the mapped depth reads as null there", () => {
    const deep = (value: unknown, levels: number): unknown =>
      levels === 0 ? value : { kvlistValue: { values: [kv("n", deep(value, levels - 1))] } };
    // The same KeyValue ("n": "x") first as an attribute, then at the end of nine nested kvlists.
    const body = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ attributes: [kv("n", str("x")), kv("u", deep(str("x"), 9))] }] }] }] };
    const mapped = decode(encode(body));
    expect(mapped).toEqual(mapOtlpLogs(body));
    expect(JSON.stringify(mapped)).toContain('"n":null');
  });

  test("equal kvlist and array values are distinct objects in each event", () => {
    const value = { kvlistValue: { values: [kv("id", str("u_1"))] } };
    const list = { arrayValue: { values: [str("a")] } };
    const body = {
      resourceLogs: [{ scopeLogs: [{ logRecords: [0, 1].map(() => ({ attributes: [kv("user", value), kv("tags", list)] })) }] }],
    };
    const decoded = decode(encode(body));
    if (!decoded.ok) throw new Error(decoded.message);
    const [first, second] = decoded.items.map((item) => (item.value as { attributes: Record<string, unknown> }).attributes);
    expect(first?.user).toEqual(second?.user);
    expect(first?.user).not.toBe(second?.user);
    expect(first?.tags).not.toBe(second?.tags);
  });

  test("random strings over a two-letter alphabet map as their OTLP/JSON form, body after body", () => {
    const text = fc.array(fc.constantFrom("a", "b"), { minLength: 0, maxLength: 20 }).map((cs) => cs.join(""));
    fc.assert(
      fc.property(fc.array(fc.tuple(text, text), { minLength: 1, maxLength: 12 }), (pairs) => {
        const body = {
          resourceLogs: [
            { scopeLogs: [{ logRecords: pairs.map(([key, value]) => ({ attributes: [kv(`k${key}`, str(value))], body: str(value) })) }] },
          ],
        };
        expect(decode(encode(body))).toEqual(mapOtlpLogs(body));
      }),
      { numRuns: 2000, seed: 7 },
    );
  });
});
