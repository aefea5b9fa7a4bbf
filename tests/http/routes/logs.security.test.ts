import { describe, expect, test } from "bun:test";
import { otlpProtobuf } from "../../../bench/lib/otlp-bodies.ts";
import { parseConfig } from "../../../src/config/schema.ts";
import type { EventSink, SubmitResult } from "../../../src/delivery/sink.ts";
import { isRollupDelta } from "../../../src/domain/rollup/rollup.ts";
import { createAdapters } from "../../../src/factory/create-adapters.ts";
import { createApp } from "../../../src/http/create-app.ts";
import { MetricsRegistry } from "../../../src/metrics/registry.ts";
import type { OutboundEvent, OutboundRecord } from "../../../src/ports/publisher.ts";

/** Keeps what the route hands off, so a test can weigh what would be stored. */
class HandOff implements EventSink {
  readonly submitted: OutboundEvent[] = [];
  submit(records: OutboundRecord[]): SubmitResult {
    for (const record of records) if (!isRollupDelta(record)) this.submitted.push(record);
    return { ok: true };
  }
  async drain(): Promise<void> {}
  get bytes(): number {
    return this.submitted.reduce((n, e) => n + JSON.stringify(e).length, 0);
  }
}

async function gateway(env: Record<string, string> = {}) {
  // Rate 1: every accepted event is kept, so what reaches the sink is what would be stored.
  const config = parseConfig({ EVENT_STORE: "memory", INGEST_API_KEYS: "k:acme", METRICS_API_KEY: "m", SAMPLING_NORMAL_RATE: "1", ...env });
  const metrics = new MetricsRegistry();
  const adapters = await createAdapters(config, { runtime: "bun" }, { metrics });
  const sink = new HandOff();
  return { app: createApp({ config, adapters, sink, metrics }), sink, metrics };
}

const str = (stringValue: string) => ({ stringValue });
const kv = (key: string, value: unknown) => ({ key, value });
const logs = (resource: unknown[], records: unknown[]) => ({
  resourceLogs: [{ resource: { attributes: resource }, scopeLogs: [{ logRecords: records }] }],
});
const post = (body: unknown) =>
  new Request("http://gateway.test/v1/logs", {
    method: "POST",
    headers: { authorization: "Bearer k", "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("POST /v1/logs: bounded expansion", () => {
  test("a 50 KB resource attribute × 10,000 empty records is refused with 413 EXPANSION_TOO_LARGE and nothing is stored", async () => {
    const { app, sink } = await gateway();
    const body = logs(
      [kv("service.name", str("svc")), kv("blob", str("x".repeat(50_000)))],
      Array.from({ length: 10_000 }, () => ({})),
    );
    const response = await app.request(post(body));
    expect(response.status).toBe(413);
    const answer = (await response.json()) as { error: { code: string; message: string } };
    expect(answer.error.code).toBe("EXPANSION_TOO_LARGE");
    expect(answer.error.message).toContain("INGEST_MAX_EXPANDED_BYTES");
    expect(sink.submitted).toHaveLength(0);
  });

  test("a 1 MiB resource attribute makes every record over the event limit: each is rejected by index, none stored", async () => {
    const { app, sink } = await gateway();
    const body = logs(
      [kv("service.name", str("svc")), kv("blob", str("x".repeat(1024 * 1024)))],
      Array.from({ length: 100 }, () => ({})),
    );
    const response = await app.request(post(body));
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { rejected: Array<{ index: number; code: string }> };
    expect(answer.rejected).toHaveLength(100);
    expect(new Set(answer.rejected.map((r) => r.code))).toEqual(new Set(["EVENT_TOO_LARGE"]));
    expect(sink.bytes).toBe(0);
  });

  test("within the expansion limit, records are kept and what is stored stays near the mapped size", async () => {
    const { app, sink } = await gateway();
    const body = logs(
      [kv("service.name", str("svc")), kv("blob", str("x".repeat(1000)))],
      Array.from({ length: 100 }, () => ({})),
    );
    const response = await app.request(post(body));
    expect(response.status).toBe(202);
    expect(sink.submitted).toHaveLength(100);
    expect(sink.bytes).toBeLessThan(100 * 1500);
  });

  test("a 5 MiB OTLP export (over the 1 MiB event limit, under the 10 MiB body limit) is accepted", async () => {
    const { app, sink } = await gateway();
    const records = Array.from({ length: 5000 }, (_, i) => ({ body: str(`record ${i} ${"z".repeat(1100)}`) }));
    const text = JSON.stringify(logs([kv("service.name", str("svc"))], records));
    expect(text.length).toBeGreaterThan(5 * 1024 * 1024);
    const response = await app.request(post(text));
    expect(response.status).toBe(202);
    expect(((await response.json()) as { accepted: number }).accepted).toBe(5000);
    expect(sink.submitted).toHaveLength(5000);
  });

  test("an OTLP body over the body limit is 413 BODY_TOO_LARGE, not INVALID_OTLP", async () => {
    const { app } = await gateway({ INGEST_MAX_BODY_BYTES: "100000" });
    const text = JSON.stringify(logs([kv("service.name", str("svc"))], [{ body: str("q".repeat(200_000)) }]));
    const response = await app.request(post(text));
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("BODY_TOO_LARGE");
  });
});

describe("POST /v1/logs: attribute names", () => {
  test("an attribute named __proto__ rejects its record by index and pollutes nothing", async () => {
    const { app, sink } = await gateway();
    const body = `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}},{"key":"__proto__","value":{"kvlistValue":{"values":[{"key":"isAdmin","value":{"boolValue":true}}]}}}]}]}]}]}`;
    const response = await app.request(post(body));
    expect(response.status).toBe(202);
    const answer = (await response.json()) as { accepted: number; rejected: Array<{ index: number; code: string }> };
    expect(answer.accepted).toBe(1);
    expect(answer.rejected).toEqual([expect.objectContaining({ index: 1, code: "FORBIDDEN_KEY" })]);
    expect(sink.submitted).toHaveLength(1);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });
});

describe("POST /v1/logs: secrets and personal data never reach the sink", () => {
  test("header attributes by OTel convention and personal data in values are redacted; the rules are counted", async () => {
    const { app, sink } = await gateway();
    const secrets = {
      "request.headers.authorization": "Basic dXNlcjpodW50ZXIy",
      "http.request.header.authorization": "Bearer s3cr3t-t0ken-value",
      "http.request.header.cookie": "session=abc123secret",
      "http.response.header.set_cookie": "session=def456secret",
      "customer.contact": "jane.doe@example.com",
      "customer.phone": "+44 20 7946 0958",
      "payment.iban": "DE89370400440532013000",
    };
    const attributes = [kv("service.name", str("svc")), ...Object.entries(secrets).map(([k, v]) => kv(k, str(v)))];
    const response = await app.request(post(logs([], [{ severityNumber: 17, attributes }])));
    expect(response.status).toBe(202);
    const stored = JSON.stringify(sink.submitted);
    expect(sink.submitted).toHaveLength(1);
    for (const value of Object.values(secrets)) expect(stored).not.toContain(value);
    const text = await (await app.request("http://gateway.test/metrics", { headers: { authorization: "Bearer m" } })).text();
    expect(text).toContain('widegate_redactions_total{rule="key"} 4');
    expect(text).toContain('widegate_redactions_total{rule="email"} 1');
    expect(text).toContain('widegate_redactions_total{rule="iban"} 1');
  });
});

describe("POST /v1/logs: structured values in the error fields", () => {
  const hostile = { kvlistValue: { values: [kv("toString", str("x")), kv("valueOf", str("y"))] } };
  const listed = { arrayValue: { values: [str("a"), { kvlistValue: { values: [kv("toString", str("x"))] } }] } };
  const record = {
    severityNumber: 17,
    attributes: [kv("exception.message", hostile), kv("error.code", listed), kv("exception.type", { intValue: "7" })],
  };
  const body = logs([kv("service.name", str("svc"))], [record]);
  const expected = { message: '{"toString":"x","valueOf":"y"}', code: '["a",{"toString":"x"}]', type: "7" };

  test("OTLP/JSON: a kvlist with a toString key is stored as JSON text, never a 500", async () => {
    const { app, sink } = await gateway();
    const response = await app.request(post(body));
    expect(response.status).toBe(202);
    expect(sink.submitted[0]?.error).toEqual(expected);
  });

  test("OTLP protobuf: the same record is stored the same way", async () => {
    const { app, sink } = await gateway();
    const response = await app.request(
      new Request("http://gateway.test/v1/logs", {
        method: "POST",
        headers: { authorization: "Bearer k", "content-type": "application/x-protobuf" },
        body: new Uint8Array(otlpProtobuf(body)),
      }),
    );
    expect(response.status).toBe(202);
    expect(sink.submitted[0]?.error).toEqual(expected);
  });
});
