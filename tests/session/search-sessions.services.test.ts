import { afterAll, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { describeWithServices, serviceEnv, uniqueName } from "../support/services.ts";
import { type RunningServer, spawnServer } from "../support/spawn-server.ts";
import { type RunningWorker, startWorkerd } from "../support/workerd.ts";

/**
 * A conversation through POST /v1/search with sessions on real Redis: the all-in-one Bun server
 * with SESSION_CACHE_TYPE=redis and =upstash; a Worker serves no search at all.
 */

const running: Array<{ stop: () => Promise<unknown> }> = [];
afterAll(async () => {
  await Promise.all(running.map((r) => r.stop()));
});

async function ask(url: string, question: string, sessionId: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/v1/search`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ question, sessionId }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Three turns; the third must see the first two, and Redis must hold them. */
async function conversation(url: string): Promise<void> {
  const sessionId = uniqueName("conv");
  const first = await ask(url, "How many errors in the last hour?", sessionId);
  expect(first.status).toBe(200);
  expect(first.body.warnings).toBeUndefined();
  const second = await ask(url, "그럼 어제는?", sessionId);
  expect(second.body.intent).toBe("STATISTICAL"); // a follow-up: the first question's query, for yesterday
  expect(second.body.query).toHaveProperty("timeRange.to");
  const third = await ask(url, "What did I ask before?", sessionId);
  expect(third.body.intent).toBe("CONVERSATIONAL");
  expect(third.body.answer).toContain("How many errors in the last hour?");
  expect(third.body.answer).toContain("그럼 어제는?");
  expect(third.body.warnings).toBeUndefined();
  const tcp = new RedisClient(serviceEnv.REDIS_URL);
  try {
    expect(await tcp.send("LLEN", [`widegate:search:{default}:s:${sessionId}`])).toBe(3);
    expect(await tcp.send("ZSCORE", ["widegate:search:{default}:sessions", sessionId])).not.toBeNull();
  } finally {
    tcp.close();
  }
}

const SHORT_TTL = { SESSION_TTL_SECONDS: "120" }; // the shared Redis forgets these keys soon

await describeWithServices(["redis"], "POST /v1/search with SESSION_CACHE_TYPE=redis (Bun)", () => {
  test("a conversation is remembered in Redis", async () => {
    const server: RunningServer = await spawnServer("edge/bun-server.ts", {
      SESSION_CACHE_TYPE: "redis",
      REDIS_URL: serviceEnv.REDIS_URL,
      ...SHORT_TTL,
    });
    running.push(server);
    await conversation(server.url);
  });
});

await describeWithServices(["redis", "upstash-redis"], "POST /v1/search with SESSION_CACHE_TYPE=upstash", () => {
  const upstash = {
    SESSION_CACHE_TYPE: "upstash",
    UPSTASH_REDIS_REST_URL: serviceEnv.UPSTASH_REDIS_REST_URL,
    UPSTASH_REDIS_REST_TOKEN: serviceEnv.UPSTASH_REDIS_REST_TOKEN,
    ...SHORT_TTL,
  };

  test("on Bun", async () => {
    const server = await spawnServer("edge/bun-server.ts", upstash);
    running.push(server);
    await conversation(server.url);
  });

  // A Worker serves no reads (its isolate holds no store): search answers 501 there and keeps no session.
  test("on workerd, search answers 501 naming EVENT_STORE and writes no session to Redis", async () => {
    const worker: RunningWorker = await startWorkerd({ ...upstash, PUBLISHER: "discard", EVENT_STORE: "memory" });
    running.push(worker);
    const sessionId = uniqueName("conv");
    const answer = await ask(worker.url, "How many errors in the last hour?", sessionId);
    expect(answer.status).toBe(501);
    expect((answer.body.error as { message: string }).message).toStartWith("EVENT_STORE=memory:");
    const tcp = new RedisClient(serviceEnv.REDIS_URL);
    try {
      expect(await tcp.send("EXISTS", [`widegate:search:{default}:s:${sessionId}`])).toBe(0);
    } finally {
      tcp.close();
    }
  }, 90_000);
});
