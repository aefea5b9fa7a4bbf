import { expect, test } from "bun:test";
import { Redis } from "@upstash/redis";
import { RedisClient } from "bun";
import { describeWithServices, serviceEnv, uniqueName } from "../support/services.ts";

await describeWithServices(["redis"], "redis over TCP (Bun's client)", () => {
  test("a value written is read back and expires", async () => {
    const client = new RedisClient(serviceEnv.REDIS_URL);
    const key = uniqueName("smoke");
    try {
      await client.set(key, "hello");
      await client.expire(key, 60);
      expect(await client.get(key)).toBe("hello");
      expect(await client.ttl(key)).toBeGreaterThan(0);
    } finally {
      await client.del(key);
      client.close();
    }
  });
});

await describeWithServices(["redis", "upstash-redis"], "redis via @upstash/redis over REST", () => {
  test("a value written over REST is visible over TCP", async () => {
    const rest = new Redis({ url: serviceEnv.UPSTASH_REDIS_REST_URL, token: serviceEnv.UPSTASH_REDIS_REST_TOKEN });
    const tcp = new RedisClient(serviceEnv.REDIS_URL);
    const key = uniqueName("smoke-rest");
    try {
      await rest.set(key, "via-rest", { ex: 60 });
      expect(await tcp.get(key)).toBe("via-rest");
      await rest.zadd(key.concat(":z"), { score: 2, member: "b" }, { score: 1, member: "a" });
      expect(await rest.zrange(key.concat(":z"), 0, -1)).toEqual(["a", "b"]);
    } finally {
      await rest.del(key, key.concat(":z"));
      tcp.close();
    }
  });

  test("a wrong token is refused", async () => {
    const rest = new Redis({ url: serviceEnv.UPSTASH_REDIS_REST_URL, token: "wrong-token", retry: false });
    await expect(rest.get("anything")).rejects.toThrow();
  });
});
