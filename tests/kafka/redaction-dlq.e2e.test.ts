import { afterAll, beforeAll, expect, test } from "bun:test";
import {
  createTopic,
  deleteTopics,
  openEvents,
  pipelineNames,
  type ReadMessage,
  readMessages,
  startWorker,
  waitFor,
} from "../support/kafka-pipeline.ts";
import { BAIT_ENV, baitEvents, baitLogs, baitsIn } from "../support/redaction-bait.ts";
import { describeWithServices, uniqueName } from "../support/services.ts";
import { type RunningServer, spawnServer } from "../support/spawn-server.ts";

/**
 * What leaves a Bun gateway for real Kafka: the records on the topic (kept events, rollup deltas),
 * the dead-letter stub of an event too large for KAFKA_MAX_MESSAGE_BYTES, and what the worker
 * dead-letters when the store refuses an event. Every byte of each record (key, value, headers) is
 * searched for the baits of every redaction rule.
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

await describeWithServices(["kafka", "ferretdb"], "redacted values never reach the worker's dead letters", () => {
  const names = pipelineNames("redact-worker-dlq");
  const tag = uniqueName("worker-bait");
  let gateway: RunningServer | undefined;
  let worker: RunningServer | undefined;
  let letters: ReadMessage[] = [];

  beforeAll(async () => {
    await Promise.all([createTopic(names.topic, 1), createTopic(names.dlq, 1)]);
    [gateway, worker] = await Promise.all([
      spawnServer("edge/bun-server.ts", {
        ...BAIT_ENV,
        INGEST_API_KEYS: "bait-ingest:acme",
        PUBLISHER: "kafka",
        KAFKA_TOPIC: names.topic,
        BUFFER: "memory",
        EVENT_STORE: "memory",
        ROLLUP_FLUSH_MS: "100",
      }),
      startWorker(names),
    ]);
    // The store refuses a key holding a NUL byte, so the worker dead-letters these kept events whole.
    const poisoned = baitEvents(tag).map((event) => ({ ...event, "nul\u0000key": 1 }));
    const response = await fetch(`${gateway.url}/v1/events`, {
      method: "POST",
      headers: { authorization: "Bearer bait-ingest", "content-type": "application/json" },
      body: JSON.stringify(poisoned),
    });
    expect(response.status).toBe(202);
    await waitFor("both kept events dead-lettered by the worker", async () => {
      letters = await readMessages(names.dlq, 100, 3000);
      return [`${tag}-0`, `${tag}-2`].every((id) => letters.some((m) => m.value.includes(id)));
    });
  }, 90_000);

  afterAll(async () => {
    await Promise.all([gateway?.stop("SIGKILL"), worker?.stop("SIGKILL")]);
    await (await openEvents(names.db)).drop();
    await deleteTopics([names.topic, names.dlq]);
  });

  test("the letters are the store's refusals, with their reason in the headers", () => {
    expect(letters.every((m) => m.headers["dlq-stage"] === "store")).toBe(true);
  });

  test("no bait in any dead letter, its headers (reason, source) included", () => {
    expect(letters.flatMap((m) => baitsIn(everything(m)))).toEqual([]);
  });
});
