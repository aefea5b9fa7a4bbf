import { afterAll, beforeAll, expect, test } from "bun:test";
import { parseConfig } from "../../src/config/schema.ts";
import type { EventSink } from "../../src/delivery/sink.ts";
import { createAdapters } from "../../src/factory/create-adapters.ts";
import { createApp } from "../../src/http/create-app.ts";
import { MetricsRegistry } from "../../src/metrics/registry.ts";
import type { Adapters } from "../../src/ports/adapters.ts";
import { bunModules } from "../../src/runtime/bun/modules.ts";
import { type PrivateUpstashRedis, startPrivateUpstashRedis } from "../edge/private-upstash-redis.ts";
import { describeWithServices, serviceEnv, uniqueName } from "../support/services.ts";
import { type RunningWorker, startWorkerd } from "../support/workerd.ts";

/**
 * RATE_LIMIT_STORE=redis|upstash against the real Redis: gateways that share the store share
 * each key's bucket (two Bun apps over TCP, two over REST, and Bun with workerd over REST).
 * Each test uses a fresh API key, so its buckets start full whatever earlier runs left.
 */

const sink: EventSink = { submit: () => ({ ok: true }), drain: async () => {} };
const TOKEN = "rate-limit-store-token";
const opened: Adapters[] = [];

async function gateway(env: Record<string, string>) {
  const config = parseConfig({ EVENT_STORE: "memory", PUBLISHER: "memory", ...env });
  const metrics = new MetricsRegistry();
  const adapters = await createAdapters(config, bunModules, { metrics });
  opened.push(adapters);
  const app = createApp({ config, adapters, sink, metrics });
  return (key: string) =>
    app.request(
      new Request("http://gateway.test/v1/events", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ service: "api", statusCode: 200 }),
      }),
    );
}

afterAll(async () => {
  for (const adapters of opened) await adapters.rateLimiter?.close();
});

await describeWithServices(["redis"], "RATE_LIMIT_STORE shares buckets through the real Redis", () => {
  let upstash: PrivateUpstashRedis;
  let worker: RunningWorker | undefined;

  beforeAll(async () => {
    upstash = await startPrivateUpstashRedis(TOKEN);
  }, 30_000);

  afterAll(async () => {
    await worker?.stop();
    await upstash?.stop();
  });

  const keyed = (key: string, extra: Record<string, string>) => ({ INGEST_API_KEYS: `${key}:acme`, RATE_LIMIT_INGEST: "3/1h", ...extra });

  test("redis: two gateways on one Redis draw from one bucket per key", async () => {
    const key = uniqueName("rl-redis");
    const env = keyed(key, { RATE_LIMIT_STORE: "redis", REDIS_URL: serviceEnv.REDIS_URL });
    const [a, b] = [await gateway(env), await gateway(env)];
    expect((await a(key)).status).toBe(202);
    expect((await b(key)).status).toBe(202);
    expect((await a(key)).status).toBe(202);
    const refused = await b(key);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1200");
  });

  test("redis: concurrent requests from two gateways never take more than the bucket holds", async () => {
    const key = uniqueName("rl-race");
    const env = keyed(key, { RATE_LIMIT_STORE: "redis", REDIS_URL: serviceEnv.REDIS_URL, RATE_LIMIT_INGEST: "10/1h" });
    const [a, b] = [await gateway(env), await gateway(env)];
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b)(key)));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 202).length).toBe(10);
    expect(statuses.filter((s) => s === 429).length).toBe(30);
  });

  test("upstash: two gateways on one REST endpoint draw from one bucket per key", async () => {
    const key = uniqueName("rl-upstash");
    const env = keyed(key, { RATE_LIMIT_STORE: "upstash", UPSTASH_REDIS_REST_URL: upstash.url, UPSTASH_REDIS_REST_TOKEN: TOKEN });
    const [a, b] = [await gateway(env), await gateway(env)];
    expect((await a(key)).status).toBe(202);
    expect((await b(key)).status).toBe(202);
    expect((await b(key)).status).toBe(202);
    expect((await a(key)).status).toBe(429);
  });

  test("upstash: a Worker on workerd and a Bun gateway share one bucket", async () => {
    const key = uniqueName("rl-workerd");
    const env = keyed(key, {
      PUBLISHER: "discard", // a Worker publishes to upstash-kafka or discard only
      RATE_LIMIT_STORE: "upstash",
      UPSTASH_REDIS_REST_URL: upstash.url,
      UPSTASH_REDIS_REST_TOKEN: TOKEN,
    });
    worker = await startWorkerd(env);
    const bun = await gateway(env);
    const edge = () =>
      fetch(`${worker?.url}/v1/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ service: "api", statusCode: 200 }),
      });
    expect((await edge()).status).toBe(202);
    expect((await bun(key)).status).toBe(202);
    expect((await edge()).status).toBe(202);
    const refused = await edge();
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1200");
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMITED");
    expect((await bun(key)).status).toBe(429);
  }, 90_000);
});
