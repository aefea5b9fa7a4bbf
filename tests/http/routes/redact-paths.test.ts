import { describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { parseConfig } from "../../../src/config/schema.ts";
import { WaitUntilSink } from "../../../src/delivery/wait-until-sink.ts";
import { createAdapters } from "../../../src/factory/create-adapters.ts";
import { createApp } from "../../../src/http/create-app.ts";
import { capturingLogger } from "../../../src/log/logger.ts";
import { MetricsRegistry } from "../../../src/metrics/registry.ts";

const BASE = "http://gateway.test";
const HASH_KEY = "a-key-of-at-least-16-bytes";
const hmac = (value: string) => `hmac:${createHmac("sha256", HASH_KEY).update(value).digest("hex")}`;
const ENV = {
  INGEST_API_KEYS: "ik:acme",
  QUERY_API_KEYS: "qk:acme",
  PUBLISHER: "direct",
  EVENT_STORE: "memory",
  REDACT_DROP_PATHS: "user.email,request.body,route",
  REDACT_HASH_PATHS: "user.id,error.code",
  REDACT_HASH_KEY: HASH_KEY,
};

/** The gateway into the memory store: each request's events and rollup rows land before drain() resolves. */
async function gateway() {
  const config = parseConfig(ENV);
  const metrics = new MetricsRegistry();
  const adapters = await createAdapters(config, { runtime: "bun" }, { metrics });
  const sink = new WaitUntilSink(adapters.publisher, metrics, 3, capturingLogger());
  const app = createApp({ config, adapters, sink, metrics });
  const post = async (events: unknown[]) => {
    const response = await app.request(`${BASE}/v1/events`, {
      method: "POST",
      headers: { authorization: "Bearer ik", "content-type": "application/json" },
      body: JSON.stringify(events),
    });
    await sink.drain();
    return response;
  };
  const postLogs = async (body: unknown) => {
    const response = await app.request(`${BASE}/v1/logs`, {
      method: "POST",
      headers: { authorization: "Bearer ik", "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    await sink.drain();
    return response;
  };
  const read = (path: string, init: RequestInit = {}) =>
    app.request(`${BASE}${path}`, { ...init, headers: { authorization: "Bearer qk", "content-type": "application/json" } });
  return { post, postLogs, read, metrics };
}

const now = Date.now();
const event = (i: number, status: number) => ({
  requestId: `r-${i}`,
  timestamp: new Date(now - 60_000 - i).toISOString(),
  service: "billing",
  route: `/users/jane${i}@example.com`,
  statusCode: status,
  durationMs: 10,
  error: status >= 500 ? { code: "CARD_DECLINED:4111111111111111", message: "declined" } : undefined,
  user: { id: `user-${i % 2}`, email: `jane${i}@example.com`, plan: "pro" },
  request: { body: { password: "hunter2" }, size: 3 },
});

describe("REDACT_DROP_PATHS and REDACT_HASH_PATHS through ingest", () => {
  test("an OTLP record's attributes named by a path are dropped or hashed like an event's fields", async () => {
    const g = await gateway();
    const kv = (key: string, stringValue: string) => ({ key, value: { stringValue } });
    const record = {
      severityNumber: 17,
      attributes: [
        kv("service.name", "billing"),
        kv("user.email", "otlp-jane@example.com"),
        kv("user.id", "user-0"),
        kv("user.plan", "pro"),
      ],
    };
    const response = await g.postLogs({ resourceLogs: [{ scopeLogs: [{ logRecords: [record] }] }] });
    expect(response.status).toBe(202);
    const page = (await (await g.read("/v1/events?limit=10")).json()) as { events: Array<{ attributes?: Record<string, unknown> }> };
    expect(page.events[0]?.attributes).toEqual({ "user.id": hmac("user-0"), "user.plan": "pro" });
  });

  test("kept events reach the store without dropped fields, with hashed ones as hmac:<hex>", async () => {
    const g = await gateway();
    expect((await g.post([event(0, 500), event(1, 503)])).status).toBe(202);
    const page = (await (await g.read("/v1/events?limit=10")).json()) as { events: Array<Record<string, unknown>> };
    expect(page.events.length).toBe(2);
    const text = JSON.stringify(page.events);
    for (const raw of ["jane0@example.com", "jane1@example.com", "hunter2", "user-0", "user-1", "CARD_DECLINED"])
      expect(text).not.toContain(raw);
    const stored = page.events.find((e) => e.requestId === "r-0");
    expect(stored?.user).toEqual({ id: hmac("user-0"), plan: "pro" });
    expect(stored?.request).toEqual({ size: 3 });
    expect(stored).not.toHaveProperty("route");
    expect((stored?.error as { code?: string } | undefined)?.code).toBe(hmac("CARD_DECLINED:4111111111111111"));
  });

  test("rollups, counted for every event, hold the hash for a hashed field and null for a dropped one", async () => {
    const g = await gateway();
    const events = Array.from({ length: 40 }, (_, i) => event(i, i % 4 === 0 ? 500 : 200));
    expect((await g.post(events)).status).toBe(202);
    const answer = (await (
      await g.read("/v1/query", {
        method: "POST",
        body: JSON.stringify({ metric: "count", timeRange: { last: "1h" }, groupBy: ["route", "errorCode"] }),
      })
    ).json()) as { rows: Array<Record<string, unknown>>; source: string };
    expect(answer.source).toBe("rollups");
    expect(answer.rows).toContainEqual(
      expect.objectContaining({ route: null, errorCode: hmac("CARD_DECLINED:4111111111111111"), value: 10 }),
    );
    expect(answer.rows).toContainEqual(expect.objectContaining({ route: null, errorCode: null, value: 30 }));
    expect(JSON.stringify(answer)).not.toContain("@example.com");
  });

  test("drops and hashes are counted per rule in widegate_redactions_total", async () => {
    const g = await gateway();
    await g.post([event(0, 500)]);
    expect(g.metrics.render()).toContain('widegate_redactions_total{rule="drop"} 2');
    expect(g.metrics.render()).toContain('widegate_redactions_total{rule="hash"} 1');
  });
});

describe("configuration", () => {
  test("REDACT_HASH_PATHS without REDACT_HASH_KEY stops start-up with one line naming the key", () => {
    expect(() => parseConfig({ REDACT_HASH_PATHS: "user.id" })).toThrow(
      "invalid configuration: REDACT_HASH_KEY: is required when REDACT_HASH_PATHS is set",
    );
  });

  test("a REDACT_HASH_KEY under 16 bytes stops start-up naming the variable, without echoing the key", () => {
    let message = "";
    try {
      parseConfig({ REDACT_HASH_PATHS: "user.id", REDACT_HASH_KEY: "short-secret" });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe("invalid configuration: REDACT_HASH_KEY: must be at least 16 bytes");
  });

  test("a path at a gateway field is refused naming its variable", () => {
    expect(() => parseConfig({ REDACT_DROP_PATHS: "tenant" })).toThrow("REDACT_DROP_PATHS=tenant:");
  });
});
