import { describe, expect, test } from "bun:test";
import { parseConfig } from "../../../src/config/schema.ts";
import { WaitUntilSink } from "../../../src/delivery/wait-until-sink.ts";
import { createAdapters } from "../../../src/factory/create-adapters.ts";
import { createApp } from "../../../src/http/create-app.ts";
import { capturingLogger } from "../../../src/log/logger.ts";
import { MetricsRegistry } from "../../../src/metrics/registry.ts";

const KEYS = { INGEST_API_KEYS: "ik:acme", QUERY_API_KEYS: "qk:acme" };
const BASE = "http://gateway.test";
const now = Date.now();

/** The gateway with PUBLISHER=direct into the memory store: each request's events and deltas land before drain() resolves. */
async function gateway() {
  const config = parseConfig({ ...KEYS, PUBLISHER: "direct", EVENT_STORE: "memory" });
  const metrics = new MetricsRegistry();
  // The Workers sink (per-request rollups) over adapters a Worker refuses (direct, a readable memory store): built as on Bun.
  const adapters = await createAdapters(config, { runtime: "bun" }, { metrics });
  const sink = new WaitUntilSink(adapters.publisher, metrics, 3, capturingLogger());
  const app = createApp({ config, adapters, sink, metrics });
  const post = async (events: unknown[], headers: Record<string, string> = {}, query = "") => {
    const response = await app.request(`${BASE}/v1/events${query}`, {
      method: "POST",
      headers: { authorization: "Bearer ik", "content-type": "application/json", ...headers },
      body: JSON.stringify(events),
    });
    await sink.drain();
    return response;
  };
  const count = async (query: Record<string, unknown> = {}) => {
    const response = await app.request(`${BASE}/v1/query`, {
      method: "POST",
      headers: { authorization: "Bearer qk", "content-type": "application/json" },
      body: JSON.stringify({ metric: "count", timeRange: { last: "1h" }, ...query }),
    });
    return (await response.json()) as {
      rows: Array<{ value: number; exemplars?: string[] }>;
      estimated: boolean;
      source: string;
      range: { from: string };
    };
  };
  return { post, count };
}

const batch = (n: number, label = "b") =>
  Array.from({ length: n }, (_, i) => ({
    requestId: `${label}-${i}`,
    timestamp: new Date(now - 60_000 - i).toISOString(),
    service: "payment",
    route: "/pay",
    statusCode: i % 10 === 0 ? 502 : 200,
    durationMs: 20 + i,
  }));

describe("ingest → rollups → POST /v1/query", () => {
  test("every accepted event is counted exactly, kept or dropped, and the answer says it came from rollups", async () => {
    const g = await gateway();
    expect((await g.post(batch(500))).status).toBe(202);
    const answer = await g.count();
    expect(answer.rows.map((r) => r.value)).toEqual([500]);
    expect(answer.estimated).toBe(false);
    expect(answer.source).toBe("rollups");
    expect(Date.parse(answer.range.from) % 60_000).toBe(0);
  });

  test("rows link to stored events through exemplars", async () => {
    const g = await gateway();
    await g.post(batch(200));
    const answer = await g.count({ groupBy: ["statusCode"] });
    for (const row of answer.rows) expect(row.exemplars?.length).toBeGreaterThan(0);
  });

  test("a re-posted batch without an Idempotency-Key counts twice (events themselves deduplicate by eventId)", async () => {
    const g = await gateway();
    await g.post(batch(100));
    await g.post(batch(100));
    expect((await g.count()).rows.map((r) => r.value)).toEqual([200]);
  });

  test("a re-posted batch with the same Idempotency-Key counts once", async () => {
    const g = await gateway();
    await g.post(batch(100), { "idempotency-key": "batch-0001" });
    await g.post(batch(100), { "idempotency-key": "batch-0001" });
    await g.post(batch(50, "other"), { "idempotency-key": "batch-0002" });
    expect((await g.count()).rows.map((r) => r.value)).toEqual([150]);
  });

  test("keyed batches keep one exemplar per group and minute between them, not one each", async () => {
    const g = await gateway();
    const exemplars = async (response: Response) =>
      ((await response.json()) as { decisions: Array<{ reason: string }> }).decisions.filter((d) => d.reason === "EXEMPLAR").length;
    expect(await exemplars(await g.post(batch(100, "first"), { "idempotency-key": "k-1" }, "?explain=true"))).toBeGreaterThan(0);
    expect(await exemplars(await g.post(batch(100, "second"), { "idempotency-key": "k-2" }, "?explain=true"))).toBe(0);
    const answer = await g.count({ groupBy: ["statusCode"] });
    expect(answer.rows.map((r) => r.value).sort((a, b) => a - b)).toEqual([20, 180]);
    for (const row of answer.rows) expect(row.exemplars?.length).toBeGreaterThan(0);
  });

  test("a keyed batch posted again keeps the same events as its first post", async () => {
    const g = await gateway();
    const kept = async (response: Response) => ((await response.json()) as { kept: number }).kept;
    const first = await kept(await g.post(batch(100), { "idempotency-key": "k-1" }));
    await g.post(batch(100, "other"), { "idempotency-key": "k-2" });
    expect(await kept(await g.post(batch(100), { "idempotency-key": "k-1" }))).toBe(first);
  });

  test("a malformed Idempotency-Key is refused with 400 before anything is counted", async () => {
    const g = await gateway();
    const response = await g.post(batch(10), { "idempotency-key": "has space" });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("INVALID_IDEMPOTENCY_KEY");
    expect((await g.count()).rows.map((r) => r.value)).toEqual([0]);
  });

  test("an attr: query is answered from kept events, marked estimated", async () => {
    const g = await gateway();
    await g.post(batch(100).map((e) => ({ ...e, user: { plan: "pro" } })));
    const answer = await g.count({ groupBy: ["attr:user.plan"] });
    expect(answer.source).toBe("events");
  });
});
