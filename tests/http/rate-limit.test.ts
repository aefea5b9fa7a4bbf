import { describe, expect, test } from "bun:test";
import { parseConfig } from "../../src/config/schema.ts";
import type { EventSink } from "../../src/delivery/sink.ts";
import { createAdapters } from "../../src/factory/create-adapters.ts";
import { createApp } from "../../src/http/create-app.ts";
import { MetricsRegistry } from "../../src/metrics/registry.ts";

const sink: EventSink = { submit: () => ({ ok: true }), drain: async () => {} };

async function gateway(env: Record<string, string>) {
  const config = parseConfig({
    EVENT_STORE: "memory",
    INGEST_API_KEYS: "ik1:acme,ik2:acme,ik3:globex",
    QUERY_API_KEYS: "qk1:acme,qk2:acme,qk3:globex",
    ...env,
  });
  const metrics = new MetricsRegistry();
  const adapters = await createAdapters(config, { runtime: "bun" }, { metrics });
  return { app: createApp({ config, adapters, sink, metrics }), metrics };
}

const ingest = (key: string, path = "/v1/events") =>
  new Request(`http://gateway.test${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ service: "api", statusCode: 200 }),
  });
const read = (key: string, query = "") => new Request(`http://gateway.test/v1/events${query}`, { headers: { "x-api-key": key } });

describe("RATE_LIMIT_INGEST", () => {
  test("past the burst a key gets 429 RATE_LIMITED with Retry-After, counted in the metrics", async () => {
    const { app, metrics } = await gateway({ RATE_LIMIT_INGEST: "2/1m" });
    expect((await app.request(ingest("ik1"))).status).toBe(202);
    expect((await app.request(ingest("ik1", "/v1/logs"))).status).not.toBe(429);
    const refused = await app.request(ingest("ik1"));
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("30");
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMITED");
    expect(metrics.value("widegate_rate_limited_total", { scope: "ingest", bucket: "key" })).toBe(1);
  });

  test("each key has its own bucket, even within one tenant", async () => {
    const { app } = await gateway({ RATE_LIMIT_INGEST: "1/1m" });
    expect((await app.request(ingest("ik1"))).status).toBe(202);
    expect((await app.request(ingest("ik1"))).status).toBe(429);
    expect((await app.request(ingest("ik2"))).status).toBe(202);
    expect((await app.request(ingest("ik3"))).status).toBe(202);
  });

  test("an unknown key is 401 however often it comes, and takes no bucket", async () => {
    const { app } = await gateway({ RATE_LIMIT_INGEST: "1/1m" });
    for (let i = 0; i < 3; i++) expect((await app.request(ingest("nope"))).status).toBe(401);
  });

  test("unset means no limit", async () => {
    const { app } = await gateway({});
    for (let i = 0; i < 20; i++) expect((await app.request(ingest("ik1"))).status).toBe(202);
  });

  test("the query limit does not touch ingest", async () => {
    const { app } = await gateway({ RATE_LIMIT_QUERY: "1/1m" });
    for (let i = 0; i < 3; i++) expect((await app.request(ingest("ik1"))).status).toBe(202);
  });
});

describe("RATE_LIMIT_QUERY", () => {
  test("a key past its burst on GET /v1/events gets 429 with Retry-After", async () => {
    const { app } = await gateway({ RATE_LIMIT_QUERY: "2/10s" });
    expect((await app.request(read("qk1"))).status).toBe(200);
    expect((await app.request(read("qk1"))).status).toBe(200);
    const refused = await app.request(read("qk1"));
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("5");
  });

  test("text searches also share one bucket per tenant: a second key of the tenant is refused, another tenant is not", async () => {
    const { app, metrics } = await gateway({ RATE_LIMIT_QUERY: "2/1m" });
    expect((await app.request(read("qk1", "?q=timeout"))).status).toBe(200);
    expect((await app.request(read("qk1", "?q=timeout"))).status).toBe(200);
    expect((await app.request(read("qk2", "?q=timeout"))).status).toBe(429);
    expect((await app.request(read("qk2"))).status).toBe(200); // not a text search: its own key's bucket only
    expect((await app.request(read("qk3", "?q=timeout"))).status).toBe(200);
    expect(metrics.value("widegate_rate_limited_total", { scope: "query", bucket: "tenant" })).toBe(1);
  });

  test("POST /v1/query and /v1/search draw from the same key's bucket", async () => {
    const { app } = await gateway({ RATE_LIMIT_QUERY: "2/1m" });
    const post = (path: string, body: unknown) =>
      app.request(`http://gateway.test${path}`, {
        method: "POST",
        headers: { "x-api-key": "qk1", "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await post("/v1/query", { metric: "count" })).status).toBe(200);
    expect((await post("/v1/search", { question: "how many errors in the last hour" })).status).toBe(200);
    expect((await post("/v1/query", { metric: "count" })).status).toBe(429);
  });
});
