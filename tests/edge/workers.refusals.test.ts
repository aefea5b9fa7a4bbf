import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type RunningWorker, startWorkerd } from "../support/workerd.ts";

/**
 * The Worker on workerd refuses what cannot work there, each with one line naming the variable,
 * and refuses ingest and reads apart: a read setting never stops ingest, and no read is ever
 * answered from an isolate's memory.
 */

interface ErrorBody {
  error: { code: string; message: string };
}

const EVENT = JSON.stringify({ service: "payment", route: "/api/pay", statusCode: 502, durationMs: 10 });
const ingest = (worker: RunningWorker) =>
  fetch(`${worker.url}/v1/events`, { method: "POST", headers: { "content-type": "application/json" }, body: EVENT });
const READS: Array<[string, (base: string) => Request]> = [
  [
    "POST /v1/query",
    (base) =>
      new Request(`${base}/v1/query`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ metric: "count", timeRange: { last: "1h" } }),
      }),
  ],
  ["GET /v1/events", (base) => new Request(`${base}/v1/events?service=payment`)],
  [
    "POST /v1/search",
    (base) =>
      new Request(`${base}/v1/search`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ question: "How many requests in the last hour?" }),
      }),
  ],
  ["GET /v1/search/sessions", (base) => new Request(`${base}/v1/search/sessions`)],
];

const workers: Record<string, RunningWorker> = {};
beforeAll(async () => {
  const [shipped, memory, mongo, memoryStore] = await Promise.all([
    startWorkerd({}), // wrangler.toml as shipped, without --env
    startWorkerd({ PUBLISHER: "memory", EVENT_STORE: "memory" }),
    startWorkerd({ PUBLISHER: "discard", EVENT_STORE: "mongo" }), // no MONGODB_URI either: a Worker never uses it
    startWorkerd({ PUBLISHER: "discard", EVENT_STORE: "memory" }),
  ]);
  Object.assign(workers, { shipped, memory, mongo, memoryStore });
}, 120_000);
afterAll(async () => {
  await Promise.all(Object.values(workers).map((w) => w.stop()));
});

describe("PUBLISHER=memory on workerd", () => {
  test("ingest answers 503 with one line naming PUBLISHER", async () => {
    const response = await ingest(workers.memory as RunningWorker);
    expect(response.status).toBe(503);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).toBe("PUBLISHER_UNSUPPORTED");
    expect(body.error.message).toStartWith("invalid configuration: PUBLISHER=memory: nothing drains");
    expect(body.error.message).not.toContain("\n");
  });

  test("/readyz answers 503 and its publisher check names PUBLISHER", async () => {
    const response = await fetch(`${workers.memory?.url}/readyz`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { checks: Record<string, { ok: boolean; detail: string }> };
    expect(body.checks["publisher:memory"]?.ok).toBe(false);
    expect(body.checks["publisher:memory"]?.detail).toContain("PUBLISHER=memory");
  });

  test("/healthz still answers 200", async () => {
    expect((await fetch(`${workers.memory?.url}/healthz`)).status).toBe(200);
  });

  test("the refusal is logged by the Worker", async () => {
    await ingest(workers.memory as RunningWorker);
    expect(workers.memory?.output()).toContain("invalid configuration: PUBLISHER=memory");
  });
});

describe("the shipped wrangler.toml without --env", () => {
  test("refuses ingest with 503 naming PUBLISHER", async () => {
    const response = await ingest(workers.shipped as RunningWorker);
    expect(response.status).toBe(503);
    expect(((await response.json()) as ErrorBody).error.message).toContain("PUBLISHER=memory");
  });
});

describe("EVENT_STORE=mongo on workerd (unreachable there)", () => {
  test("ingest still answers 202", async () => {
    const response = await ingest(workers.mongo as RunningWorker);
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ accepted: 1, kept: 1 });
  });

  for (const [name, request] of READS) {
    test(`${name} answers 501 naming EVENT_STORE=mongo`, async () => {
      const response = await fetch(request(workers.mongo?.url ?? ""));
      expect(response.status).toBe(501);
      const body = (await response.json()) as ErrorBody;
      expect(body.error.code).toBe("READS_NOT_SERVED");
      expect(body.error.message).toStartWith("EVENT_STORE=mongo:");
    });
  }

  test("the read refusal advises the Bun query API, never a store workerd refuses", async () => {
    const body = (await (await fetch(READS[0]?.[1](workers.mongo?.url ?? "") as Request)).json()) as ErrorBody;
    expect(body.error.message).toContain("query API on Bun");
    expect(body.error.message).not.toMatch(/use (mongo|memory|embedded)\b/);
  });

  test("/healthz and /readyz answer 200", async () => {
    expect((await fetch(`${workers.mongo?.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${workers.mongo?.url}/readyz`)).status).toBe(200);
  });
});

describe("EVENT_STORE=memory on workerd", () => {
  test("after an event was ingested, POST /v1/query answers 501, not a count from the isolate", async () => {
    expect((await ingest(workers.memoryStore as RunningWorker)).status).toBe(202);
    const response = await fetch(READS[0]?.[1](workers.memoryStore?.url ?? "") as Request);
    expect(response.status).toBe(501);
    const body = (await response.json()) as ErrorBody & { rows?: unknown };
    expect(body.rows).toBeUndefined();
    expect(body.error.message).toStartWith("EVENT_STORE=memory:");
  });

  test("POST /v1/search answers 501 naming EVENT_STORE, not an answer about zero requests", async () => {
    const response = await fetch(READS[2]?.[1](workers.memoryStore?.url ?? "") as Request);
    expect(response.status).toBe(501);
    expect(((await response.json()) as ErrorBody).error.message).toStartWith("EVENT_STORE=memory:");
  });
});
