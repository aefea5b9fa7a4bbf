import { afterAll, beforeAll, expect, test } from "bun:test";
import { UpstashRedisList } from "../../src/adapters/redis/upstash-redis-list.ts";
import { waitFor } from "../support/kafka-pipeline.ts";
import { BAIT_ENV, baitEvents, baitLogs, baitsIn } from "../support/redaction-bait.ts";
import { refusedUrl } from "../support/refused-port.ts";
import { describeWithServices, uniqueName } from "../support/services.ts";
import { type RunningWorker, startWorkerd } from "../support/workerd.ts";
import { type PrivateUpstashRedis, startPrivateUpstashRedis } from "./private-upstash-redis.ts";

/**
 * On workerd, what a Worker cannot hand to Kafka goes to the Redis list of PUBLISHER_FALLBACK=upstash-redis.
 * Every record pushed there is searched for the baits of every redaction rule, as the bytes Redis holds.
 */

const TOKEN = "redaction-edge-token";

await describeWithServices(["redis"], "redacted values never reach the edge fallback list (workerd)", () => {
  const key = uniqueName("widegate:redaction-fallback");
  const tag = uniqueName("edge-bait");
  let redis: PrivateUpstashRedis;
  let edge: RunningWorker;
  let list: UpstashRedisList;
  let listed: string[] = [];

  beforeAll(async () => {
    redis = await startPrivateUpstashRedis(TOKEN);
    list = new UpstashRedisList({ url: redis.url, token: TOKEN, key });
    // Nothing listens there: every produce fails at once and the batch goes to the list.
    edge = await startWorkerd({
      ...BAIT_ENV,
      INGEST_API_KEYS: "bait-ingest:acme",
      PUBLISHER: "upstash-kafka",
      UPSTASH_KAFKA_REST_URL: refusedUrl(),
      UPSTASH_KAFKA_REST_USERNAME: "nobody",
      UPSTASH_KAFKA_REST_PASSWORD: "nothing",
      PUBLISHER_FALLBACK: "upstash-redis",
      UPSTASH_REDIS_REST_URL: redis.url,
      UPSTASH_REDIS_REST_TOKEN: TOKEN,
      UPSTASH_REDIS_FALLBACK_KEY: key,
    });
    for (const [path, body] of [
      ["/v1/events", baitEvents(tag)],
      ["/v1/logs", baitLogs(tag)],
    ] as const) {
      const response = await fetch(`${edge.url}${path}`, {
        method: "POST",
        headers: { authorization: "Bearer bait-ingest", "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(202);
    }
    await waitFor("the kept events and the OTLP record in the list", async () => {
      listed = await list.head(10_000);
      const events = [`${tag}-0`, `${tag}-2`, `${tag}-otlp`].every((id) => listed.some((entry) => entry.includes(id)));
      // Rollup deltas are the records without an eventId.
      return events && listed.some((entry) => entry.includes("bait-svc") && !entry.includes('"eventId"'));
    });
  }, 120_000);

  afterAll(async () => {
    await edge?.stop();
    // Trimming past the end deletes the list: nothing is left in the shared Redis.
    await list?.dropHead(1_000_000_000).catch(() => {});
    await redis?.stop();
  });

  test("no bait in any record of the fallback list (kept events and rollup deltas)", () => {
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.flatMap((entry) => baitsIn(entry))).toEqual([]);
  });
});
