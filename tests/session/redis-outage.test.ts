import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { RedisClient } from "bun";
import { MemorySessionCache } from "../../src/adapters/memory/memory-session-cache.ts";
import { createRedisTcpSessionCache } from "../../src/adapters/redis/redis-tcp.ts";
import { capturingLogger } from "../../src/log/logger.ts";
import { DegradingSessionCache } from "../../src/search/degrading-session-cache.ts";
import { type SearchHarness, startSearchApp, TENANT } from "../search/harness.ts";
import { seedEvents } from "../search/seed.ts";
import { describeWithServices, uniqueName } from "../support/services.ts";

/**
 * Redis goes away mid-conversation: answers keep coming (200, with a warning and a metric), the
 * conversation continues from the memory mirror, and sessions go back to Redis when it returns.
 * Uses a private redis-server on its own port, never the shared one.
 */

const NOW = Date.now();
const SESSION = "outage-session-1";
const prefix = uniqueName("wgtest:outage");

async function freePort(): Promise<number> {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

function startRedis(port: number): Subprocess {
  return Bun.spawn(["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdout: "ignore",
    stderr: "ignore",
  });
}

async function waitForRedis(url: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const client = new RedisClient(url, { connectionTimeout: 200, autoReconnect: false });
    try {
      await client.connect();
      await client.send("PING", []);
      return;
    } catch {
      await Bun.sleep(50);
    } finally {
      client.close();
    }
  }
  throw new Error(`private redis at ${url} did not start`);
}

async function stopRedis(proc: Subprocess | undefined): Promise<void> {
  if (!proc || proc.exitCode !== null) return;
  proc.kill("SIGKILL");
  await proc.exited;
}

await describeWithServices(["redis"], "sessions when Redis goes away mid-conversation", () => {
  let port = 0;
  let url = "";
  let redis: Subprocess | undefined;
  let cache: DegradingSessionCache;
  let h: SearchHarness;

  beforeAll(async () => {
    port = await freePort();
    url = `redis://127.0.0.1:${port}`;
    redis = startRedis(port);
    await waitForRedis(url);
    cache = new DegradingSessionCache(createRedisTcpSessionCache(url, { prefix, connectTimeoutMs: 300 }), new MemorySessionCache(), {
      probeIntervalMs: 300,
      opTimeoutMs: 500,
      log: capturingLogger(),
    });
    h = await startSearchApp({ events: seedEvents(NOW), clock: () => NOW, sessionCache: cache });
  });

  afterAll(async () => {
    await h?.close();
    await stopRedis(redis);
  });

  const storedQuestions = async (): Promise<string[]> => {
    const client = new RedisClient(url);
    try {
      const raw = (await client.send("LRANGE", [`${prefix}:{${TENANT}}:s:${SESSION}`, "0", "-1"])) as string[];
      return raw.map((item) => (JSON.parse(item) as { question: string }).question);
    } finally {
      client.close();
    }
  };
  const metric = async (name: string): Promise<number> => {
    const text = await (await h.request("/metrics")).text();
    const line = text.split("\n").find((l) => l.startsWith(`${name}{`));
    return Number(line?.split(" ").at(-1));
  };
  const codes = (body: Record<string, unknown>) => ((body.warnings as { code: string }[] | undefined) ?? []).map((w) => w.code);

  test("while Redis is up, turns are stored there and no warning is given", async () => {
    const { status, body } = await h.ask("How many errors did payment have in the last hour?", SESSION);
    expect(status).toBe(200);
    expect(body.warnings).toBeUndefined();
    expect(await storedQuestions()).toEqual(["How many errors did payment have in the last hour?"]);
    expect(await metric("widegate_session_cache_degraded")).toBe(0);
  });

  test("Redis dies: the follow-up still works from memory, with a warning and a metric", async () => {
    await stopRedis(redis);
    const started = Date.now();
    const { status, body } = await h.ask("And yesterday?", SESSION);
    expect(status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(body.intent).toBe("STATISTICAL");
    expect(body.query).toMatchObject({ filter: { service: "payment", hasError: true } }); // the earlier turn was still known
    expect(codes(body)).toEqual(["SESSION_CACHE_DEGRADED"]);
    expect(body.answer).toContain("The session store is unreachable");
    expect(await metric("widegate_session_cache_degraded")).toBe(1);
    expect(await metric("widegate_session_cache_failovers_total")).toBe(1);
    expect((await h.request("/v1/search/sessions")).status).toBe(200);
  });

  test("while it is down, the conversation goes on and the warning stays", async () => {
    const { body } = await h.ask("What did I ask before?", SESSION);
    expect(body.intent).toBe("CONVERSATIONAL");
    expect(body.answer).toContain("How many errors did payment have in the last hour?");
    expect(body.answer).toContain("And yesterday?");
    expect(codes(body)).toEqual(["SESSION_CACHE_DEGRADED"]);
  });

  test("Redis returns: the next question is back on Redis, with the outage's turns replayed", async () => {
    redis = startRedis(port); // empty: this private server keeps nothing on disk
    await waitForRedis(url);
    await Bun.sleep(350); // past the re-probe interval
    const { status, body } = await h.ask("지난 1시간 동안 결제 에러율은?", SESSION);
    expect(status).toBe(200);
    expect(body.warnings).toBeUndefined();
    expect(await storedQuestions()).toEqual(["And yesterday?", "What did I ask before?", "지난 1시간 동안 결제 에러율은?"]);
    expect(await metric("widegate_session_cache_degraded")).toBe(0);
    expect(await metric("widegate_session_cache_recoveries_total")).toBe(1);
    const listed = (await (await h.request("/v1/search/sessions")).json()) as { sessions: { sessionId: string }[] };
    expect(listed.sessions.map((s) => s.sessionId)).toEqual([SESSION]);
  });
});
