import { afterAll, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { createRedisTcpSessionCache } from "../../src/adapters/redis/redis-tcp.ts";
import { createUpstashSessionCache } from "../../src/adapters/redis/upstash-redis.ts";
import { describeWithServices, serviceEnv, tcpReachable, uniqueName } from "../support/services.ts";
import { sessionCacheContract } from "./session-cache-contract.ts";

// One key prefix per run: the shared Redis is used by other suites and engineers.
const prefix = uniqueName("wgtest:sessions");

await describeWithServices(["redis"], "session cache contract: redis (TCP, Bun's client)", () => {
  sessionCacheContract((limits) => createRedisTcpSessionCache(serviceEnv.REDIS_URL, { ttlSeconds: 120, ...limits, prefix }));

  test("keys: a list per session and a sorted set per user, both with a TTL; no SCAN needed to list", async () => {
    const cache = createRedisTcpSessionCache(serviceEnv.REDIS_URL, { prefix, ttlSeconds: 300 });
    const tcp = new RedisClient(serviceEnv.REDIS_URL);
    try {
      await cache.append(
        { userId: "acme", sessionId: "layout-1" },
        { at: new Date().toISOString(), question: "q", intent: "SEARCH", answer: "a" },
      );
      expect(await tcp.send("TYPE", [`${prefix}:{acme}:s:layout-1`])).toBe("list");
      expect(await tcp.send("TYPE", [`${prefix}:{acme}:sessions`])).toBe("zset");
      expect(await tcp.ttl(`${prefix}:{acme}:s:layout-1`)).toBeGreaterThan(290);
      expect(await tcp.ttl(`${prefix}:{acme}:sessions`)).toBeGreaterThan(290);
    } finally {
      await cache.close();
      tcp.close();
    }
  });

  test("a corrupted or foreign entry in the list is skipped, not thrown or trusted", async () => {
    const cache = createRedisTcpSessionCache(serviceEnv.REDIS_URL, { prefix });
    const tcp = new RedisClient(serviceEnv.REDIS_URL);
    const ref = { userId: "acme", sessionId: "corrupt-1" };
    try {
      await cache.append(ref, { at: new Date().toISOString(), question: "good", intent: "SEARCH", answer: "a" });
      const key = `${prefix}:{acme}:s:corrupt-1`;
      await tcp.send("RPUSH", [key, "not json", JSON.stringify({ question: "no intent" })]);
      await tcp.send("RPUSH", [
        key,
        JSON.stringify({ at: new Date().toISOString(), question: "q", intent: "SEARCH", answer: "a", query: { $where: "1" } }),
      ]);
      expect((await cache.history(ref)).map((t) => t.question)).toEqual(["good"]);
    } finally {
      await cache.close();
      tcp.close();
    }
  });
});

await describeWithServices(["redis", "upstash-redis"], "session cache contract: upstash (@upstash/redis over REST)", () => {
  sessionCacheContract((limits) =>
    createUpstashSessionCache(serviceEnv.UPSTASH_REDIS_REST_URL, serviceEnv.UPSTASH_REDIS_REST_TOKEN, {
      ttlSeconds: 120,
      ...limits,
      prefix: `${prefix}:rest`,
    }),
  );

  test("what the REST adapter writes, the TCP adapter reads: one layout", async () => {
    const rest = createUpstashSessionCache(serviceEnv.UPSTASH_REDIS_REST_URL, serviceEnv.UPSTASH_REDIS_REST_TOKEN, { prefix });
    const tcp = createRedisTcpSessionCache(serviceEnv.REDIS_URL, { prefix });
    const ref = { userId: "acme", sessionId: "shared-1" };
    try {
      const turn = { at: new Date().toISOString(), question: "어제 결제 에러 몇 건?", intent: "STATISTICAL" as const, answer: "3건" };
      await rest.append(ref, turn);
      expect(await tcp.history(ref)).toEqual([turn]);
      expect((await tcp.listSessions("acme")).map((s) => s.sessionId)).toContain("shared-1");
    } finally {
      await rest.close();
      await tcp.close();
    }
  });

  test("a wrong token fails health (and would degrade, never crash)", async () => {
    const cache = createUpstashSessionCache(serviceEnv.UPSTASH_REDIS_REST_URL, "wrong-token", { prefix });
    expect((await cache.health()).ok).toBe(false);
  });
});

/** This run's fixed-name keys; the contract's keys carry a 2-minute TTL and go on their own. */
afterAll(async () => {
  // Without Redis the suites above were skipped; a client here would wait for a server that is not there.
  if (!(await tcpReachable(serviceEnv.REDIS_URL))) return;
  const tcp = new RedisClient(serviceEnv.REDIS_URL);
  try {
    await tcp.send(
      "DEL",
      ["layout-1", "corrupt-1", "shared-1"].map((id) => `${prefix}:{acme}:s:${id}`).concat(`${prefix}:{acme}:sessions`),
    );
  } catch {
    // Redis not running: the suites were skipped.
  } finally {
    tcp.close();
  }
});
