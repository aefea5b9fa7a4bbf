import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { DEFAULT_LIMITS } from "./limits.ts";
import { createNormalizeContext, normalizeBody } from "./normalize.ts";
import { isPlainDecodedJson, isPlainJsonText, mapOtlpLogs, parseOtlpLogs } from "./otlp.ts";

const str = (stringValue: string) => ({ stringValue });
const kv = (key: string, value: unknown) => ({ key, value });

export const OTLP_SAMPLE = {
  resourceLogs: [
    {
      resource: { attributes: [kv("service.name", str("payment")), kv("deployment.environment", str("prod"))] },
      scopeLogs: [
        {
          scope: { name: "payment-api" },
          logRecords: [
            {
              timeUnixNano: "1764126000123456789",
              severityNumber: 9,
              severityText: "INFO",
              body: str("payment accepted"),
              traceId: "5b8efff798038103d269b633813fc60c",
              spanId: "eee19b7ec3c1b174",
              attributes: [
                kv("http.route", str("/api/payments")),
                kv("http.request.method", str("POST")),
                kv("http.response.status_code", { intValue: "200" }),
                kv("duration_ms", { doubleValue: 12.5 }),
                kv("user", { kvlistValue: { values: [kv("id", str("u_1")), kv("plan", str("pro"))] } }),
              ],
            },
            {
              timeUnixNano: "1764126001000000000",
              severityNumber: 17,
              body: str("upstream timed out"),
              attributes: [
                kv("request.id", str("req-42")),
                kv("exception.type", str("UpstreamError")),
                kv("error.code", str("GATEWAY_TIMEOUT")),
              ],
            },
          ],
        },
      ],
    },
  ],
};

describe("mapOtlpLogs", () => {
  test("maps semantic-convention attributes onto wide-event fields", () => {
    const result = mapOtlpLogs(OTLP_SAMPLE);
    if (!result.ok) throw new Error(result.message);
    expect(result.rejected).toEqual([]);
    expect(result.items[0]).toEqual({
      index: 0,
      value: {
        service: "payment",
        requestId: "5b8efff798038103d269b633813fc60c",
        timestamp: 1764126000123,
        route: "/api/payments",
        method: "POST",
        statusCode: 200,
        durationMs: 12.5,
        message: "payment accepted",
        severity: "INFO",
        traceId: "5b8efff798038103d269b633813fc60c",
        spanId: "eee19b7ec3c1b174",
        scope: "payment-api",
        attributes: { "deployment.environment": "prod", user: { id: "u_1", plan: "pro" } },
      },
    });
  });

  test("an ERROR record, an exception or an error code becomes the event's error", () => {
    const result = mapOtlpLogs(OTLP_SAMPLE);
    if (!result.ok) throw new Error(result.message);
    expect(result.items[1]?.value).toMatchObject({
      requestId: "req-42",
      error: { code: "GATEWAY_TIMEOUT", message: "upstream timed out", type: "UpstreamError" },
    });
  });

  test("a body that is not an ExportLogsServiceRequest is an error", () => {
    expect(mapOtlpLogs({ logs: [] })).toMatchObject({ ok: false, status: 400, code: "INVALID_OTLP" });
    expect(mapOtlpLogs([1, 2]).ok).toBe(false);
  });

  test("a record that is not an object is rejected by its index and the rest are kept", () => {
    const result = mapOtlpLogs({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: str("a") }, 42, { body: str("b") }] }] }] });
    if (!result.ok) throw new Error(result.message);
    expect(result.items.map((i) => i.index)).toEqual([0, 2]);
    expect(result.rejected).toEqual([{ index: 1, code: "INVALID_EVENT", error: "log record must be an object" }]);
  });

  test("a resource attribute copied into many records is measured in each: records over the event limit are rejected by index", () => {
    const limits = { ...DEFAULT_LIMITS, maxEventBytes: 1000 };
    const body = {
      resourceLogs: [
        {
          resource: { attributes: [kv("service.name", str("svc")), kv("blob", str("x".repeat(2000)))] },
          scopeLogs: [{ logRecords: [{}, {}, {}] }],
        },
      ],
    };
    const result = mapOtlpLogs(body, limits);
    if (!result.ok) throw new Error(result.message);
    expect(result.items).toEqual([]);
    expect(result.rejected.map((r) => [r.index, r.code])).toEqual([
      [0, "EVENT_TOO_LARGE"],
      [1, "EVENT_TOO_LARGE"],
      [2, "EVENT_TOO_LARGE"],
    ]);
  });

  test("a record is measured in UTF-8 bytes, not UTF-16 code units", () => {
    // 400 × "€" is 400 code units but 1,200 bytes: over a 1,000-byte limit only when counted as UTF-8.
    const limits = { ...DEFAULT_LIMITS, maxEventBytes: 1000 };
    const body = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: str("€".repeat(400)) }] }] }] };
    const result = mapOtlpLogs(body, limits);
    if (!result.ok) throw new Error(result.message);
    expect(result.rejected.map((r) => r.code)).toEqual(["EVENT_TOO_LARGE"]);
  });

  test("records whose mapped total passes INGEST_MAX_EXPANDED_BYTES refuse the request whole with 413", () => {
    // The shape: a 50 KB resource attribute and 10,000 empty records (~80 KB sent, ~500 MB mapped).
    const body = {
      resourceLogs: [
        {
          resource: { attributes: [kv("service.name", str("svc")), kv("blob", str("x".repeat(50_000)))] },
          scopeLogs: [{ logRecords: Array.from({ length: 10_000 }, () => ({})) }],
        },
      ],
    };
    const result = mapOtlpLogs(body);
    expect(result).toMatchObject({ ok: false, status: 413, code: "EXPANSION_TOO_LARGE" });
    expect(!result.ok && result.message).toContain("INGEST_MAX_EXPANDED_BYTES");
  });

  test("more records than INGEST_MAX_EVENTS is 413 TOO_MANY_EVENTS", () => {
    const body = { resourceLogs: [{ scopeLogs: [{ logRecords: [{}, {}, {}] }] }] };
    expect(mapOtlpLogs(body, { ...DEFAULT_LIMITS, maxEvents: 2 })).toMatchObject({ ok: false, status: 413, code: "TOO_MANY_EVENTS" });
  });

  test("a body over the event limit but within the body limit is parsed and its records mapped", () => {
    const record = (i: number) => ({ body: str(`line ${i} ${"y".repeat(200)}`), attributes: [kv("service.name", str("svc"))] });
    const text = JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: Array.from({ length: 50 }, (_, i) => record(i)) }] }] });
    const result = parseOtlpLogs(text, { ...DEFAULT_LIMITS, maxEventBytes: 1024 });
    if (!result.ok) throw new Error(result.message);
    expect(result.items).toHaveLength(50);
  });

  for (const key of ["__proto__", "constructor", "prototype"]) {
    test(`an attribute named ${key} is rejected by its record's index, never swallowed or assigned to a prototype`, () => {
      const body = {
        resourceLogs: [
          {
            scopeLogs: [
              {
                logRecords: [
                  { attributes: [kv("service.name", str("svc"))] },
                  { attributes: [kv("service.name", str("svc")), kv(key, { kvlistValue: { values: [kv("polluted", str("yes"))] } })] },
                ],
              },
            ],
          },
        ],
      };
      const mapped = mapOtlpLogs(JSON.parse(JSON.stringify(body)));
      if (!mapped.ok) throw new Error(mapped.message);
      const batch = normalizeBody(mapped, createNormalizeContext({ tenant: "t" }));
      if (!batch.ok) throw new Error(batch.message);
      expect(batch.events.map((e) => e.index)).toEqual([0]);
      expect(batch.rejected).toEqual([{ index: 1, code: "FORBIDDEN_KEY", error: expect.stringContaining(`"${key}"`) }]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }
});

describe("mapOtlpLogs: depth and size as mapped", () => {
  test("AnyValues nested past the mapped depth become null instead of being refused or recursed into", () => {
    let value: unknown = str("leaf");
    for (let i = 0; i < 10_000; i++) value = { arrayValue: { values: [value] } };
    const result = mapOtlpLogs({
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ attributes: [kv("service.name", str("svc")), kv("deep", value)] }] }] }],
    });
    if (!result.ok) throw new Error(result.message);
    let depth = 0;
    const event = result.items[0]?.value as { attributes: Record<string, unknown> };
    let cursor: unknown = event.attributes.deep;
    while (Array.isArray(cursor)) {
      cursor = cursor[0];
      depth++;
    }
    expect([depth, cursor]).toEqual([9, null]);
  });

  test("a value kept as sent that nests past INGEST_MAX_DEPTH refuses the request with 400 TOO_DEEP", () => {
    let junk: unknown = "leaf";
    for (let i = 0; i < 40; i++) junk = { x: junk };
    const result = mapOtlpLogs({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: junk } }] }] }] });
    expect(result).toMatchObject({ ok: false, status: 400, code: "TOO_DEEP" });
    expect(!result.ok && result.message).toContain("log record at index 0");
  });

  test("a plain body and the same body measured string by string give the same sizes", () => {
    const body = JSON.parse(JSON.stringify(OTLP_SAMPLE));
    const limits = { ...DEFAULT_LIMITS, maxEventBytes: 100 };
    const plain = mapOtlpLogs(body, limits, true);
    const careful = mapOtlpLogs(body, limits, false);
    // The rejections name each record's size in bytes.
    expect(plain).toEqual(careful);
    expect(plain.ok && plain.rejected.map((r) => r.code)).toEqual(["EVENT_TOO_LARGE", "EVENT_TOO_LARGE"]);
  });

  test("parseOtlpLogs refuses a body that is not JSON, as before", () => {
    expect(parseOtlpLogs('{"resourceLogs": [')).toMatchObject({ ok: false, status: 400, code: "INVALID_JSON" });
  });
});

describe("isPlainDecodedJson", () => {
  const encode = (text: string) => new TextEncoder().encode(text);
  const plainOf = (bytes: Uint8Array) => isPlainDecodedJson(bytes, new TextDecoder().decode(bytes));
  const textOf = (bytes: Uint8Array) => isPlainJsonText(new TextDecoder().decode(bytes));

  test("agrees with isPlainJsonText on the decoded text", () => {
    const texts = ['{"a":"b"}', "é", "\\", '{"k":"\\u0041"}', "x".repeat(15), `${"x".repeat(16)}é`, "\u{1F600}", "\uFFFD", "\uFEFF{}"];
    for (const text of texts) expect([text, plainOf(encode(text))]).toEqual([text, isPlainJsonText(text)]);
  });

  test("agrees with isPlainJsonText for any bytes", () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      fc.uint8Array({ maxLength: 40 }).map((b) => b.map((x) => x & 0x7f)),
      fc.string({ unit: "binary", maxLength: 20 }).map(encode),
    );
    fc.assert(
      fc.property(bytes, (b) => {
        expect(plainOf(b)).toBe(textOf(b));
      }),
      { numRuns: 20000 },
    );
  });

  test("a stray byte past ASCII, alone or in a run, makes a body not plain, as its U+FFFD does the text", () => {
    const bytes = encode(`{"a":"${"x".repeat(20)}"}`);
    for (let at = 0; at < bytes.length; at++) {
      for (const bad of [[0xff], [0x80], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xed, 0xa0, 0x80]]) {
        const body = new Uint8Array([...bytes.subarray(0, at), ...bad, ...bytes.subarray(at)]);
        expect(plainOf(body)).toBe(false);
        expect(textOf(body)).toBe(false);
      }
    }
  });
});
