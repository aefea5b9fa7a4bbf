import { afterAll, beforeAll, expect, test } from "bun:test";
import { createTopic, deleteTopics, type ReadMessage, readMessages, waitFor } from "../support/kafka-pipeline.ts";
import { BAIT_ENV, baitEvents, baitLogs, baitsIn } from "../support/redaction-bait.ts";
import { describeWithServices, uniqueName } from "../support/services.ts";
import { type RunningServer, spawnServer } from "../support/spawn-server.ts";

/**
 * What leaves a Bun gateway for real Kafka: the records on the topic (kept events, rollup deltas)
 * and the dead-letter stub of an event too large for KAFKA_MAX_MESSAGE_BYTES. Every byte of each
 * record (key, value, headers) is searched for the baits of every redaction rule.
 */

const everything = (m: ReadMessage) => [m.key ?? "", m.value, ...Object.entries(m.headers).flat()].join("\n");

await describeWithServices(["kafka"], "redacted values never reach Kafka: topic and dead-letter topic", () => {
  const topic = uniqueName("redact-topic");
  const dlq = uniqueName("redact-dlq");
  const tag = uniqueName("kafka-bait");
  let gateway: RunningServer | undefined;
  let onTopic: ReadMessage[] = [];
  let dead: ReadMessage[] = [];

  beforeAll(async () => {
    await Promise.all([createTopic(topic, 1), createTopic(dlq, 1)]);
    gateway = await spawnServer("edge/bun-server.ts", {
      ...BAIT_ENV,
      INGEST_API_KEYS: "bait-ingest:acme",
      PUBLISHER: "kafka",
      KAFKA_TOPIC: topic,
      KAFKA_DLQ_TOPIC: dlq,
      // The bait-laden event is over it once redacted and stamped: it becomes a dead-letter stub.
      KAFKA_MAX_MESSAGE_BYTES: "3000",
      BUFFER: "memory",
      EVENT_STORE: "memory",
      ROLLUP_FLUSH_MS: "100",
    });
    const [big, ...rest] = baitEvents(tag);
    const post = async (path: string, body: unknown) => {
      const response = await fetch(`${gateway?.url}${path}`, {
        method: "POST",
        headers: { authorization: "Bearer bait-ingest", "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(202);
    };
    await post("/v1/events", [{ ...big, padding: "p".repeat(4000) }, ...rest]);
    await post("/v1/logs", baitLogs(tag));
    await waitFor("the small kept event and rollup deltas on the topic", async () => {
      onTopic = await readMessages(topic, 1000, 3000);
      return onTopic.some((m) => m.value.includes(`${tag}-2`)) && onTopic.some((m) => !m.value.includes('"eventId"'));
    });
    await waitFor("the stub on the dead-letter topic", async () => {
      dead = await readMessages(dlq, 100, 3000);
      return dead.some((m) => m.value.includes(`${tag}-0`));
    });
  }, 90_000);

  afterAll(async () => {
    await gateway?.stop("SIGKILL");
    await deleteTopics([topic, dlq]);
  });

  test("no bait in any record on the topic (kept events and rollup deltas)", () => {
    expect(onTopic.flatMap((m) => baitsIn(everything(m)))).toEqual([]);
  });

  test("no bait in the dead-letter stub of the oversized event, its headers included", () => {
    expect(dead.length).toBeGreaterThan(0);
    expect(dead.flatMap((m) => baitsIn(everything(m)))).toEqual([]);
  });
});
