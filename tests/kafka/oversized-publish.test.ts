import { expect, test } from "bun:test";
import { Admin } from "@platformatic/kafka";
import { NativeKafkaPublisher } from "../../src/adapters/kafka/native-kafka-publisher.ts";
import { readTopicToEnd } from "../../src/adapters/kafka/read-topic.ts";
import { UpstashKafkaPublisher } from "../../src/adapters/kafka/upstash-kafka-publisher.ts";
import type { DeadLetterRecord } from "../../src/consumer/dead-letter-record.ts";
import { BatchingSink } from "../../src/delivery/batching-sink.ts";
import type { Logger } from "../../src/log/logger.ts";
import { MetricsRegistry } from "../../src/metrics/registry.ts";
import type { OutboundEvent } from "../../src/ports/publisher.ts";
import { BRIDGE_PASSWORD, BRIDGE_USER, startBridge } from "../support/kafka-pipeline.ts";
import { describeWithServices, serviceEnv, uniqueName } from "../support/services.ts";

const event = (i: number, blobBytes: number, requestId = `r${i}`): OutboundEvent => ({
  eventId: `ev-${i}`,
  requestId,
  tenant: "acme",
  service: "api",
  timestamp: "2026-11-26T03:00:00.000Z",
  receivedAt: "2026-11-26T03:00:00.000Z",
  blob: "x".repeat(blobBytes),
});

const quiet: Logger = { info() {}, warn() {}, error() {} };

async function readAll(brokers: string[], topic: string): Promise<DeadLetterRecord[]> {
  const records: DeadLetterRecord[] = [];
  await readTopicToEnd({
    brokers,
    topic,
    groupId: uniqueName("read"),
    fromCommitted: false,
    idleMs: 5000,
    onRecords: async (r) => void records.push(...r),
  });
  return records;
}

await describeWithServices(
  ["kafka"],
  "kafka publisher: records too large for the topic (real Kafka, broker message.max.bytes default)",
  () => {
    const brokers = serviceEnv.KAFKA_BROKERS.split(",");

    test("an event near 1 MiB plus the gateway's fields is dead-lettered as a stub; the rest of its batch is published; nothing retries", async () => {
      const topic = uniqueName("oversize");
      const dlq = uniqueName("oversize-dlq");
      const admin = new Admin({ clientId: "oversize-admin", bootstrapBrokers: brokers });
      await admin.createTopics({ topics: [topic, dlq], partitions: 1, replicas: 1 });
      const metrics = new MetricsRegistry();
      const publisher = new NativeKafkaPublisher({ brokers, topic, deadLetterTopic: dlq, metrics, log: quiet });
      const sink = new BatchingSink(publisher, { metrics, log: quiet, maxDelayMs: 1 });
      try {
        // 1 MiB of payload passes INGEST_MAX_EVENT_BYTES as sent; with the gateway's fields it is over the broker's limit.
        expect(sink.submit([event(1, 100), event(2, 1024 * 1024 - 200), event(3, 100)]).ok).toBe(true);
        await sink.drain(20_000);
        expect(metrics.value("widegate_publish_failures_total", { publisher: "publisher:kafka" })).toBe(0);
        expect(metrics.value("widegate_publish_oversized_total", { publisher: "publisher:kafka" })).toBe(1);
        const published = await readAll(brokers, topic);
        expect(published.map((r) => (JSON.parse(new TextDecoder().decode(r.value)) as { eventId: string }).eventId)).toEqual([
          "ev-1",
          "ev-3",
        ]);
        const letters = await readAll(brokers, dlq);
        expect(letters).toHaveLength(1);
        const stub = JSON.parse(new TextDecoder().decode(letters[0]?.value)) as Record<string, unknown>;
        expect(stub).toMatchObject({ eventId: "ev-2", tenant: "acme", dropped: "MESSAGE_TOO_LARGE" });
        expect(stub.blob).toBeUndefined();
        expect(letters[0]?.headers.get("dlq-reason")).toContain("MESSAGE_TOO_LARGE");
      } finally {
        await publisher.close().catch(() => {});
        await admin.deleteTopics({ topics: [topic, dlq] }).catch(() => {});
        await admin.close().catch(() => {});
      }
    }, 60_000);

    test("records that fit alone but not together in one partition's batch are split across produce requests", async () => {
      const topic = uniqueName("oversize-split");
      const admin = new Admin({ clientId: "oversize-admin", bootstrapBrokers: brokers });
      await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
      const publisher = new NativeKafkaPublisher({ brokers, topic, log: quiet });
      try {
        // Three 500 KB events with one key: one partition, 1.5 MB together (the broker refused this before).
        await publisher.publish([event(1, 500_000, "same"), event(2, 500_000, "same"), event(3, 500_000, "same")]);
        expect((await readAll(brokers, topic)).length).toBe(3);
      } finally {
        await publisher.close().catch(() => {});
        await admin.deleteTopics({ topics: [topic] }).catch(() => {});
        await admin.close().catch(() => {});
      }
    }, 60_000);

    test("upstash-kafka through the bridge: the oversized event is dead-lettered as a stub and the batch goes through", async () => {
      const topic = uniqueName("oversize-rest");
      const dlq = uniqueName("oversize-rest-dlq");
      const admin = new Admin({ clientId: "oversize-admin", bootstrapBrokers: brokers });
      await admin.createTopics({ topics: [topic, dlq], partitions: 1, replicas: 1 });
      const bridge = await startBridge();
      const metrics = new MetricsRegistry();
      const publisher = new UpstashKafkaPublisher({
        url: bridge.url,
        username: BRIDGE_USER,
        password: BRIDGE_PASSWORD,
        topic,
        deadLetterTopic: dlq,
        metrics,
        log: quiet,
      });
      try {
        await publisher.publish([event(1, 100), event(2, 1024 * 1024 - 200), event(3, 100)]);
        expect(metrics.value("widegate_publish_oversized_total", { publisher: "publisher:upstash-kafka" })).toBe(1);
        const published = await readAll(brokers, topic);
        const ids = published.map((r) => (JSON.parse(new TextDecoder().decode(r.value)) as { eventId: string }).eventId);
        expect(ids).toEqual(["ev-1", "ev-3"]);
        const letters = await readAll(brokers, dlq);
        expect(letters.map((r) => (JSON.parse(new TextDecoder().decode(r.value)) as { eventId: string }).eventId)).toEqual(["ev-2"]);
      } finally {
        await bridge.stop();
        await admin.deleteTopics({ topics: [topic, dlq] }).catch(() => {});
        await admin.close().catch(() => {});
      }
    }, 60_000);
  },
);
