import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { UpstashRedisList } from "../../src/adapters/redis/upstash-redis-list.ts";
import {
  BRIDGE_PASSWORD,
  BRIDGE_USER,
  createTopic,
  deleteTopics,
  metric,
  openEvents,
  pipelineNames,
  startBridge,
  startWorker,
  waitFor,
} from "../support/kafka-pipeline.ts";
import { describeWithServices, serviceEnv, uniqueName } from "../support/services.ts";
import { cleanEnv, type RunningServer, spawnServer } from "../support/spawn-server.ts";
import { type RunningWorker, startWorkerd } from "../support/workerd.ts";
import { type PrivateUpstashRedis, startPrivateUpstashRedis } from "./private-upstash-redis.ts";

/**
 * The edge's durable fallback, end to end: a Worker on workerd with a wrong bridge password pushes
 * what it acknowledged to a Redis list over Upstash's REST API (a private upstash-redis-server on
 * the shared Redis); `edge:drain` with the right password moves the list through the real bridge
 * into Kafka; the real worker stores it in FerretDB: every kept event once, rollups exact.
 */

const ROOT = join(import.meta.dir, "../..");
const TOKEN = "edge-fallback-token";
const INGEST = { INGEST_API_KEYS: "ingest-edge:acme", QUERY_API_KEYS: "query-edge:acme", METRICS_API_KEY: "metrics-edge" };
const REQUESTS = 30;
const PER_REQUEST = 100;

/** One sample of `name` whose labels include every pair; 0 when absent. */
async function sample(base: string, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${base}/metrics`, { headers: { authorization: "Bearer metrics-edge" } })).text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
}

const eventIdsOf = (entries: string[]) =>
  entries.map((e) => JSON.parse(e) as { eventId?: string }).flatMap((r) => (typeof r.eventId === "string" ? [r.eventId] : []));

async function drain(env: Record<string, string>): Promise<{ code: number; output: string }> {
  const proc = Bun.spawn([process.execPath, join(ROOT, "worker/edge-drain.ts"), "--once"], {
    cwd: ROOT,
    env: cleanEnv(env),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  return { code, output: out + err };
}

await describeWithServices(["kafka", "ferretdb", "redis"], "the edge fallback: a Redis list over REST, drained into Kafka once", () => {
  const names = pipelineNames("edge-fallback");
  const key = uniqueName("widegate:edge-fallback");
  const smallKey = uniqueName("widegate:edge-fallback-small");
  let redis: PrivateUpstashRedis;
  let bridge: RunningServer;
  let consumer: RunningServer;
  let queryApi: RunningServer;
  let edge: RunningWorker;
  let small: RunningWorker;
  let list: UpstashRedisList;
  let events: Awaited<ReturnType<typeof openEvents>>;
  let drainEnv: Record<string, string>;
  let kept = 0;
  let accepted = 0;
  let listed: string[] = [];

  beforeAll(async () => {
    await createTopic(names.topic);
    redis = await startPrivateUpstashRedis(TOKEN);
    list = new UpstashRedisList({ url: redis.url, token: TOKEN, key });
    [bridge, consumer, queryApi] = await Promise.all([
      startBridge(),
      startWorker(names),
      // The query API next to the store, which the Worker forwards reads to.
      spawnServer("edge/bun-server.ts", { ...INGEST, EVENT_STORE: "mongo", MONGODB_URI: serviceEnv.MONGODB_URI, MONGODB_DB: names.db }),
    ]);
    events = await openEvents(names.db);
    const worker = {
      ...INGEST,
      PUBLISHER: "upstash-kafka",
      UPSTASH_KAFKA_REST_URL: bridge.url,
      UPSTASH_KAFKA_REST_USERNAME: BRIDGE_USER,
      UPSTASH_KAFKA_REST_PASSWORD: "not-the-bridge-password",
      KAFKA_TOPIC: names.topic,
      PUBLISHER_FALLBACK: "upstash-redis",
      UPSTASH_REDIS_REST_URL: redis.url,
      UPSTASH_REDIS_REST_TOKEN: TOKEN,
      QUERY_API_URL: queryApi.url,
    };
    [edge, small] = await Promise.all([
      startWorkerd({ ...worker, UPSTASH_REDIS_FALLBACK_KEY: key }),
      startWorkerd({ ...worker, UPSTASH_REDIS_FALLBACK_KEY: smallKey, UPSTASH_REDIS_FALLBACK_MAX_RECORDS: "5" }),
    ]);
    drainEnv = {
      PUBLISHER: "upstash-kafka",
      UPSTASH_KAFKA_REST_URL: bridge.url,
      UPSTASH_KAFKA_REST_USERNAME: BRIDGE_USER,
      UPSTASH_KAFKA_REST_PASSWORD: BRIDGE_PASSWORD,
      KAFKA_TOPIC: names.topic,
      UPSTASH_REDIS_REST_URL: redis.url,
      UPSTASH_REDIS_REST_TOKEN: TOKEN,
      UPSTASH_REDIS_FALLBACK_KEY: key,
      EDGE_DRAIN_BATCH: "400",
    };
  }, 150_000);

  afterAll(async () => {
    await Promise.all([edge?.stop(), small?.stop(), bridge?.stop("SIGKILL"), consumer?.stop(), queryApi?.stop()]);
    // Trimming past the end deletes a list: nothing is left in the shared Redis.
    for (const k of [key, smallKey])
      await new UpstashRedisList({ url: redis.url, token: TOKEN, key: k }).dropHead(1_000_000_000).catch(() => {});
    await redis?.stop();
    await events?.drop();
    await deleteTopics([names.topic, names.dlq]);
  });

  test("with a wrong bridge password every kept event goes to the Redis list and ingest keeps answering 202", async () => {
    for (let r = 0; r < REQUESTS; r++) {
      const batch = Array.from({ length: PER_REQUEST }, (_, i) => ({
        requestId: `edge-${r}-${i}`,
        service: i % 3 === 0 ? "payment" : "search",
        route: "/api/pay",
        statusCode: i % 4 === 0 ? 502 : 200, // errors kept, the rest sampled
        durationMs: 20 + i,
      }));
      const response = await fetch(`${edge.url}/v1/events`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer ingest-edge" },
        body: JSON.stringify(batch),
      });
      expect(response.status).toBe(202);
      const body = (await response.json()) as { accepted: number; kept: number };
      accepted += body.accepted;
      kept += body.kept;
    }
    await waitFor("every kept event in the list", async () => eventIdsOf(await list.head(1_000_000)).length >= kept);
    listed = await list.head(1_000_000);
    console.log(`edge fallback: ${accepted} posted, ${kept} kept, ${listed.length} records in the list (events and rollup deltas)`);
    expect(new Set(eventIdsOf(listed)).size).toBe(kept);
    expect(accepted).toBe(REQUESTS * PER_REQUEST);
    expect(await sample(edge.url, "widegate_publish_lost_events_total", {})).toBe(0);
    expect(await events.count()).toBe(0); // the bridge refused everything
  }, 60_000);

  test("edge:drain with the right password brings every kept event to the store, once", async () => {
    const drained = await drain(drainEnv);
    expect(drained.output).toContain("the list is empty");
    expect(drained.code).toBe(0);
    console.log(drained.output.trim());
    expect(await list.length()).toBe(0);
    const ids = eventIdsOf(listed);
    await waitFor("every drained event stored", async () => (await events.count()) >= ids.length, 60_000);
    const stored = await events.collection.distinct("eventId");
    expect(stored.length).toBe(ids.length);
    expect(await events.count()).toBe(ids.length);
    expect(new Set(stored)).toEqual(new Set(ids));
  }, 90_000);

  test("a head drained again straight over Kafka's protocol (as after a crash between produce and trim) is stored once", async () => {
    const again = listed.slice(0, 300);
    const repeatedEvents = eventIdsOf(again).length;
    const duplicatesBefore = await metric(consumer.url, 'widegate_worker_messages_total{result="duplicate"}');
    expect(await list.pushBounded(again, 1_000_000)).toBe(300);
    // No PUBLISHER: the drainer produces natively to KAFKA_BROKERS.
    const { PUBLISHER: _rest, UPSTASH_KAFKA_REST_URL: _url, UPSTASH_KAFKA_REST_PASSWORD: _password, ...redisOnly } = drainEnv;
    const drained = await drain({ ...redisOnly, KAFKA_BROKERS: serviceEnv.KAFKA_BROKERS });
    expect(drained.output).toContain(`kafka ${serviceEnv.KAFKA_BROKERS}`);
    expect(drained.code).toBe(0);
    await waitFor(
      "the re-drained events seen as duplicates",
      async () => (await metric(consumer.url, 'widegate_worker_messages_total{result="duplicate"}')) >= duplicatesBefore + repeatedEvents,
      60_000,
    );
    expect(await events.count()).toBe(eventIdsOf(listed).length);
  }, 90_000);

  test("the rollups that went through the list count every posted event once (read through the Worker's QUERY_API_URL)", async () => {
    const count = async () => {
      const response = await fetch(`${edge.url}/v1/query`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer query-edge" },
        body: JSON.stringify({ metric: "count", timeRange: { last: "1h" } }),
      });
      return (await response.json()) as { rows: Array<{ value: number }>; source?: string };
    };
    await waitFor("the rollups of every posted event", async () => ((await count()).rows[0]?.value ?? 0) >= accepted);
    const answer = await count();
    expect(answer.source).toBe("rollups");
    expect(answer.rows[0]?.value).toBe(accepted);
  }, 60_000);

  test("edge:drain left running moves what the Worker pushes later and stops cleanly on SIGTERM", async () => {
    const before = await events.count();
    const proc = Bun.spawn([process.execPath, join(ROOT, "worker/edge-drain.ts")], {
      cwd: ROOT,
      env: cleanEnv({ ...drainEnv, EDGE_DRAIN_INTERVAL_MS: "200" }),
      stdout: "pipe",
      stderr: "pipe",
    });
    const output = Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]).then(([o, e]) => o + e);
    const batch = Array.from({ length: 5 }, (_, i) => ({ requestId: uniqueName(`late-${i}`), service: "payment", statusCode: 503 }));
    const response = await fetch(`${edge.url}/v1/events`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer ingest-edge" },
      body: JSON.stringify(batch),
    });
    expect(response.status).toBe(202);
    await waitFor("the late events stored", async () => (await events.count()) >= before + 5, 30_000);
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    expect(await output).toContain("stopped cleanly");
    expect(await events.count()).toBe(before + 5);
  }, 60_000);

  test("a full list loses the overflow, counted with reason fallback_full and logged", async () => {
    const batch = Array.from({ length: 10 }, (_, i) => ({ requestId: `small-${i}`, service: "payment", statusCode: 500 }));
    const response = await fetch(`${small.url}/v1/events`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer ingest-edge" },
      body: JSON.stringify(batch),
    });
    expect(response.status).toBe(202);
    // 10 kept events and the request's rollup delta: 5 fit.
    const lost = await waitFor("the overflow counted", () =>
      sample(small.url, "widegate_publish_lost_events_total", { publisher: "publisher:upstash-redis", reason: "fallback_full" }),
    );
    expect(lost).toBe(6);
    expect(await new UpstashRedisList({ url: redis.url, token: TOKEN, key: smallKey }).length()).toBe(5);
    expect(small.output()).toContain("fallback_full");
    expect(small.output()).toContain("UPSTASH_REDIS_FALLBACK_MAX_RECORDS=5");
  }, 60_000);
});
