import { afterEach, describe, expect, test } from "bun:test";
import { parseConfig } from "../../src/config/schema.ts";
import { BatchingSink } from "../../src/delivery/batching-sink.ts";
import { createAdapters } from "../../src/factory/create-adapters.ts";
import { createApp } from "../../src/http/create-app.ts";
import { capturingLogger } from "../../src/log/logger.ts";
import { MetricsRegistry } from "../../src/metrics/registry.ts";
import type { Adapters } from "../../src/ports/adapters.ts";
import { bunModules } from "../../src/runtime/bun/modules.ts";
import { DegradingSessionCache } from "../../src/search/degrading-session-cache.ts";
import { seedStore } from "../support/seed-rollups.ts";

/** The factory's session and LLM branches, and POST /v1/search inside the real app. */

let opened: Adapters[] = [];
afterEach(async () => {
  for (const adapters of opened) for (const c of adapters.all) await c.close().catch(() => {});
  opened = [];
});
async function build(env: Record<string, string>, modules = bunModules): Promise<Adapters> {
  const adapters = await createAdapters(parseConfig({ EVENT_STORE: "memory", ...env }), modules, { log: capturingLogger() });
  opened.push(adapters);
  return adapters;
}

describe("factory", () => {
  test("defaults: memory sessions and the rules planner; only the cache is a readiness check", async () => {
    const adapters = await build({});
    expect(adapters.sessionCache.name).toBe("session-cache:memory");
    expect(adapters.llm.provider).toBe("rules");
    expect(adapters.all.map((c) => c.name)).toContain("session-cache:memory");
    expect(adapters.all.map((c) => c.name)).not.toContain("llm:rules");
  });

  test("redis and upstash are wrapped so they degrade to memory; nothing connects at build time", async () => {
    const redis = await build({ SESSION_CACHE_TYPE: "redis", REDIS_URL: "redis://127.0.0.1:1" });
    expect(redis.sessionCache).toBeInstanceOf(DegradingSessionCache);
    expect(redis.sessionCache.name).toBe("session-cache:redis");
    const upstash = await build({
      SESSION_CACHE_TYPE: "upstash",
      UPSTASH_REDIS_REST_URL: "http://127.0.0.1:1",
      UPSTASH_REDIS_REST_TOKEN: "t",
    });
    expect(upstash.sessionCache.name).toBe("session-cache:upstash");
  });

  test("redis (TCP) on workerd does not stop ingest: a Worker serves no search, its reads are refused naming EVENT_STORE", async () => {
    const config = parseConfig({
      PUBLISHER: "discard",
      EVENT_STORE: "memory",
      SESSION_CACHE_TYPE: "redis",
      REDIS_URL: "redis://127.0.0.1:6379",
    });
    const adapters = await createAdapters(config, { runtime: "workerd" });
    expect(adapters.refused?.ingest).toBeUndefined();
    expect(adapters.refused?.reads).toStartWith("EVENT_STORE=memory:");
  });

  test("openai needs its key; its timeout and the session limits have defaults", async () => {
    expect(() => parseConfig({ LLM_PROVIDER: "openai" })).toThrow("OPENAI_API_KEY");
    const config = parseConfig({});
    expect([config.LLM_TIMEOUT_MS, config.SESSION_TTL_SECONDS, config.SESSION_MAX_TURNS, config.SEARCH_TZ_OFFSET_MINUTES]).toEqual([
      8000, 86_400, 20, 0,
    ]);
    const adapters = await build({ LLM_PROVIDER: "openai", OPENAI_API_KEY: "sk-x", OPENAI_BASE_URL: "http://127.0.0.1:1/v1" });
    expect(adapters.llm.provider).toBe("openai");
  });
});

describe("POST /v1/search in createApp", () => {
  async function app(env: Record<string, string> = {}) {
    const config = parseConfig({ EVENT_STORE: "memory", ...env });
    const adapters = await createAdapters(config, bunModules, { log: capturingLogger() });
    opened.push(adapters);
    const metrics = new MetricsRegistry();
    return { adapters, app: createApp({ config, adapters, metrics, sink: new BatchingSink(adapters.publisher, { metrics }) }) };
  }
  const ask = (a: { request: (path: string, init: RequestInit) => Response | Promise<Response> }, question: string) =>
    a.request("/v1/search", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ question }) });

  test("answers in open dev mode as tenant default, counted in /metrics", async () => {
    const { adapters, app: a } = await app();
    await seedStore(adapters.eventStore, [
      { eventId: "w1", requestId: "r1", tenant: "default", service: "payment", statusCode: 502, timestamp: new Date().toISOString() },
    ]);
    const response = await ask(a, "How many errors did payment have in the last hour?");
    expect(response.status).toBe(200);
    const body = (await response.json()) as { sessionId: string; intent: string; answer: string };
    expect(body.intent).toBe("STATISTICAL");
    expect(body.answer).toBe(
      "There was 1 error for service payment in the last hour. [Answered: count of service payment, errors only, in the last hour, exact (rollups).]",
    );
    expect(body.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await (await a.request("/metrics")).text()).toContain("widegate_search_questions_total 1");
  });

  test("Redis unreachable from the start: answers still come, degraded and said so", async () => {
    const { app: a } = await app({ SESSION_CACHE_TYPE: "redis", REDIS_URL: "redis://127.0.0.1:1" });
    const started = Date.now();
    const response = await ask(a, "slowest routes");
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2500);
    const body = (await response.json()) as { warnings: { code: string }[] };
    expect(body.warnings.map((w) => w.code)).toEqual(["SESSION_CACHE_DEGRADED"]);
    const ready = (await (await a.request("/readyz")).json()) as { checks: Record<string, { detail: string }> };
    expect(ready.checks["session-cache:redis"]?.detail).toContain("DEGRADED");
  });
});
