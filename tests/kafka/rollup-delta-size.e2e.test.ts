import { afterAll, beforeAll, expect, test } from "bun:test";
import type { RollupDelta } from "../../src/domain/rollup/rollup.ts";
import { createTopic, deleteTopics, type ReadMessage, readMessages, waitFor } from "../support/kafka-pipeline.ts";
import { describeWithServices, uniqueName } from "../support/services.ts";
import { type RunningServer, spawnServer } from "../support/spawn-server.ts";

/**
 * A flush with more rollup rows than one Kafka message holds: the gateway cuts its deltas to fit
 * KAFKA_MAX_MESSAGE_BYTES, so none is dead-lettered (a lost delta is counts lost for good) and the
 * counts on the topic add up to what was posted.
 */

const LIMIT = 8_000;
const ROUTES = 400;

await describeWithServices(["kafka"], "rollup deltas fit KAFKA_MAX_MESSAGE_BYTES", () => {
  const topic = uniqueName("delta-size");
  const dlq = uniqueName("delta-size-dlq");
  let gateway: RunningServer | undefined;
  let deltas: RollupDelta[] = [];
  let onTopic: ReadMessage[] = [];

  beforeAll(async () => {
    await Promise.all([createTopic(topic, 1), createTopic(dlq, 1)]);
    gateway = await spawnServer("edge/bun-server.ts", {
      INGEST_API_KEYS: "size-ingest:acme",
      PUBLISHER: "kafka",
      KAFKA_TOPIC: topic,
      KAFKA_DLQ_TOPIC: dlq,
      KAFKA_MAX_MESSAGE_BYTES: String(LIMIT),
      BUFFER: "memory",
      EVENT_STORE: "memory",
      ROLLUP_FLUSH_MS: "100",
      ROLLUP_MAX_GROUPS: "10000",
    });
    // One minute, 400 groups of 2 events each (one distinct route per group): ~100 KB of rows.
    const now = new Date().toISOString();
    const events = Array.from({ length: ROUTES * 2 }, (_, i) => ({
      requestId: `size-${i}`,
      timestamp: now,
      service: "catalog",
      route: `/catalog/items/${"segment-".repeat(4)}${i % ROUTES}`,
      statusCode: 200,
      durationMs: 5 + (i % 50),
    }));
    const response = await fetch(`${gateway.url}/v1/events`, {
      method: "POST",
      headers: { authorization: "Bearer size-ingest", "content-type": "application/json" },
      body: JSON.stringify(events),
    });
    expect(response.status).toBe(202);
    await waitFor("every posted event counted in a delta on the topic", async () => {
      onTopic = await readMessages(topic, 10_000, 3000);
      deltas = onTopic.map((m) => JSON.parse(m.value) as { kind?: string } & RollupDelta).filter((r) => r.kind === "rollup");
      return deltas.reduce((n, d) => n + d.rows.reduce((m, row) => m + row.count, 0), 0) >= ROUTES * 2;
    });
  }, 90_000);

  afterAll(async () => {
    await gateway?.stop("SIGKILL");
    await deleteTopics([topic, dlq]);
  });

  test("the flush travels as several deltas, each message within the limit", () => {
    expect(deltas.length).toBeGreaterThan(1);
    for (const m of onTopic) expect(new TextEncoder().encode(m.value).length).toBeLessThanOrEqual(LIMIT);
  });

  test("the counts on the topic add up exactly to the events posted, each group once", () => {
    const rows = deltas.flatMap((d) => d.rows);
    expect(rows.reduce((n, row) => n + row.count, 0)).toBe(ROUTES * 2);
    expect(new Set(rows.map((row) => row.route)).size).toBe(ROUTES);
  });

  test("nothing was dead-lettered for its size", async () => {
    expect(await readMessages(dlq, 10, 1500)).toEqual([]);
    const metrics = await (await fetch(`${gateway?.url}/metrics`)).text();
    expect(metrics).not.toMatch(/widegate_publish_oversized_total\{[^}]*\} [1-9]/);
  });
});
