import { afterAll, expect, test } from "bun:test";
import { createServer, type Server } from "node:net";
import { Hono } from "hono";
import { createRedisTcpRateLimiter } from "../../src/adapters/redis/redis-tcp-rate-limit.ts";
import { createUpstashRateLimiter } from "../../src/adapters/redis/upstash-rate-limit.ts";
import { parseConfig } from "../../src/config/schema.ts";
import type { EventSink } from "../../src/delivery/sink.ts";
import { createAdapters } from "../../src/factory/create-adapters.ts";
import { createApp } from "../../src/http/create-app.ts";
import { rateLimit } from "../../src/http/middleware/rate-limit.ts";
import { capturingLogger } from "../../src/log/logger.ts";
import { MetricsRegistry } from "../../src/metrics/registry.ts";
import type { RateLimiter } from "../../src/ports/rate-limit.ts";
import { bunModules } from "../../src/runtime/bun/modules.ts";
import { refusedUrl } from "../support/refused-port.ts";

/** A store that is down or silent never takes ingest down: requests pass unlimited, counted and logged. */

const sink: EventSink = { submit: () => ({ ok: true }), drain: async () => {} };
const limiters: RateLimiter[] = [];
const servers: Server[] = [];

afterAll(async () => {
  for (const limiter of limiters) await limiter.close();
  for (const server of servers) server.close();
});

const post = (key = "ik1") =>
  new Request("http://gateway.test/v1/events", {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ service: "api", statusCode: 200 }),
  });

async function gatewayOn(env: Record<string, string>) {
  const config = parseConfig({ EVENT_STORE: "memory", INGEST_API_KEYS: "ik1:acme", RATE_LIMIT_INGEST: "1/1h", ...env });
  const metrics = new MetricsRegistry();
  const adapters = await createAdapters(config, bunModules, { metrics });
  if (adapters.rateLimiter) limiters.push(adapters.rateLimiter);
  return { app: createApp({ config, adapters, sink, metrics }), metrics };
}

/** A port that accepts connections and never answers: a store that hangs. */
async function silentPort(): Promise<number> {
  const server = createServer(() => {});
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return typeof address === "object" && address ? address.port : 0;
}

test("RATE_LIMIT_STORE=redis with Redis down: every request is served and counted as a store error", async () => {
  const { app, metrics } = await gatewayOn({ RATE_LIMIT_STORE: "redis", REDIS_URL: refusedUrl("redis") });
  for (let i = 0; i < 3; i++) expect((await app.request(post())).status).toBe(202);
  expect(metrics.value("widegate_rate_limit_store_errors_total", { store: "rate-limit:redis", scope: "ingest" })).toBe(3);
  expect(metrics.value("widegate_rate_limited_total", { scope: "ingest", bucket: "key" })).toBe(0);
});

test("RATE_LIMIT_STORE=upstash with the REST endpoint down: every request is served", async () => {
  const { app, metrics } = await gatewayOn({
    RATE_LIMIT_STORE: "upstash",
    UPSTASH_REDIS_REST_URL: refusedUrl(),
    UPSTASH_REDIS_REST_TOKEN: "t",
  });
  for (let i = 0; i < 3; i++) expect((await app.request(post())).status).toBe(202);
  expect(metrics.value("widegate_rate_limit_store_errors_total", { store: "rate-limit:upstash", scope: "ingest" })).toBe(3);
});

test("a store that accepts but never answers is given up on after storeTimeoutMs and the request served", async () => {
  const limiter = createUpstashRateLimiter(`http://127.0.0.1:${await silentPort()}`, "t");
  const app = new Hono();
  app.use(rateLimit({ rate: { limit: 1, windowMs: 60_000 }, scope: "ingest", limiter, storeTimeoutMs: 200, log: capturingLogger() }));
  app.post("/v1/events", (c) => c.json({ ok: true }, 202));
  expect((await app.request(post())).status).toBe(202);
});

test("store failures log one warning line per interval, naming the store", async () => {
  let clock = 0;
  const log = capturingLogger();
  const limiter = createRedisTcpRateLimiter(refusedUrl("redis"));
  limiters.push(limiter);
  const app = new Hono();
  app.use(rateLimit({ rate: { limit: 1, windowMs: 60_000 }, scope: "ingest", limiter, log, warnEveryMs: 60_000, now: () => clock }));
  app.post("/v1/events", (c) => c.json({ ok: true }, 202));
  for (let i = 0; i < 5; i++) expect((await app.request(post())).status).toBe(202);
  expect(log.lines.length).toBe(1);
  expect(log.lines[0]?.level).toBe("warn");
  expect(log.lines[0]?.line).toContain("rate-limit:redis unreachable, ingest requests pass unlimited");
  clock = 60_000;
  expect((await app.request(post())).status).toBe(202);
  expect(log.lines.length).toBe(2);
  expect(log.lines[1]?.line).toContain("(5 since the last line)");
});

test("RATE_LIMIT_STORE=redis where there is no TCP client (Workers) stops start-up naming the variable", async () => {
  const config = parseConfig({
    EVENT_STORE: "memory",
    PUBLISHER: "discard",
    RATE_LIMIT_STORE: "redis",
    REDIS_URL: "redis://127.0.0.1:6379",
  });
  await expect(createAdapters(config, { runtime: "workerd" })).rejects.toThrow(
    "invalid configuration: RATE_LIMIT_STORE=redis: the TCP client needs the Bun runtime (this is workerd); use upstash",
  );
});

test("RATE_LIMIT_STORE=redis without REDIS_URL stops start-up naming REDIS_URL", () => {
  expect(() => parseConfig({ RATE_LIMIT_STORE: "redis" })).toThrow(
    "invalid configuration: REDIS_URL: is required when RATE_LIMIT_STORE=redis",
  );
});
