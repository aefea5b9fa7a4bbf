// bench:pipeline starts a fresh gateway per round: nothing one round's gateway accepted may reach the next round's topic.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Admin } from "@platformatic/kafka";
import { makeBatch } from "../../bench/fixtures.ts";
import { type Proc, spawnGateway, workerMetric } from "../../bench/pipeline-procs.ts";
import { describeWithServices, serviceEnv, uniqueName } from "../support/services.ts";

const PUBLISHED = 'widegate_publish_events_total{publisher="publisher:kafka",result="ok"}';
const QUEUED = "widegate_publish_queue_depth";

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}

async function post(gateway: Proc, count: number, from: number): Promise<void> {
  const res = await fetch(`${gateway.url}/v1/events`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: makeBatch(count, from),
  });
  expect(res.status).toBe(202);
}

await describeWithServices(["kafka"], "bench:pipeline gateways", () => {
  const admin = new Admin({ clientId: "bench-gateway-test", bootstrapBrokers: serviceEnv.KAFKA_BROKERS.split(",") });
  const topics = [uniqueName("bench-gw-a"), uniqueName("bench-gw-b")];
  const gateway = (topic: string) =>
    spawnGateway({
      KAFKA_BROKERS: serviceEnv.KAFKA_BROKERS,
      KAFKA_TOPIC: topic,
      KAFKA_DLQ_TOPIC: `${topic}-dlq`,
      PUBLISHER: "kafka",
      PORT: "0",
      EVENT_STORE: "memory",
      SAMPLING_NORMAL_RATE: "1",
      // No rollup flush during the test, so every published record is a posted event.
      ROLLUP_FLUSH_MS: "60000",
    });

  beforeAll(async () => {
    await admin.createTopics({ topics, partitions: 1, replicas: 1 });
  });
  afterAll(async () => {
    await admin.deleteTopics({ topics: [...topics, ...topics.map((t) => `${t}-dlq`)] }).catch(() => {});
    await admin.close().catch(() => {});
  });

  test("a round's gateway publishes nothing that the previous round's SIGKILLed gateway accepted", async () => {
    const [first, second] = topics as [string, string];
    const a = await gateway(first);
    try {
      await post(a, 100, 0);
      await until("the first gateway to publish its 100 events", async () => (await workerMetric(a.url, PUBLISHED)) >= 100);
    } finally {
      a.kill();
    }
    const b = await gateway(second);
    try {
      await post(b, 50, 1000);
      // Whatever an earlier run left in a shared buffer is published before anything new.
      await until(
        "the second gateway to publish its queue",
        async () => (await workerMetric(b.url, QUEUED)) === 0 && (await workerMetric(b.url, PUBLISHED)) >= 50,
      );
      expect(await workerMetric(b.url, PUBLISHED)).toBe(50);
    } finally {
      b.kill();
    }
  }, 60_000);
});
