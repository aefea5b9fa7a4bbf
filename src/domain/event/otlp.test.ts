import { describe, expect, test } from "bun:test";
import { mapOtlpLogs } from "./otlp.ts";

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
    if ("error" in result) throw new Error(result.error);
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
    if ("error" in result) throw new Error(result.error);
    expect(result.items[1]?.value).toMatchObject({
      requestId: "req-42",
      error: { code: "GATEWAY_TIMEOUT", message: "upstream timed out", type: "UpstreamError" },
    });
  });

  test("a body that is not an ExportLogsServiceRequest is an error", () => {
    expect(mapOtlpLogs({ logs: [] })).toEqual({ error: "body must be an OTLP ExportLogsServiceRequest: {resourceLogs: [...]}" });
    expect("error" in mapOtlpLogs([1, 2])).toBe(true);
  });

  test("a record that is not an object is rejected by its index and the rest are kept", () => {
    const result = mapOtlpLogs({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: str("a") }, 42, { body: str("b") }] }] }] });
    if ("error" in result) throw new Error(result.error);
    expect(result.items.map((i) => i.index)).toEqual([0, 2]);
    expect(result.rejected).toEqual([{ index: 1, code: "INVALID_EVENT", error: "log record must be an object" }]);
  });
});
