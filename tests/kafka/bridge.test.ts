import { afterAll, beforeAll, expect, test } from "bun:test";
import { compatibilityPartitioner } from "@platformatic/kafka";
import { Kafka } from "@upstash/kafka";
import { NativeKafkaPublisher } from "../../src/adapters/kafka/native-kafka-publisher.ts";
import { UpstashKafkaPublisher } from "../../src/adapters/kafka/upstash-kafka-publisher.ts";
import {
  BRIDGE_PASSWORD,
  BRIDGE_USER,
  brokers,
  createTopic,
  deleteTopics,
  endOffsets,
  makeEvents,
  readMessages,
  startBridge,
  sum,
} from "../support/kafka-pipeline.ts";
import { describeWithServices, uniqueName } from "../support/services.ts";
import type { RunningServer } from "../support/spawn-server.ts";

/** The partition the Java client (and Upstash) picks for a key on a 3-partition topic. */
const javaPartition = (key: string) => compatibilityPartitioner({ topic: "", key: Buffer.from(key) }, Buffer.from(key)) % 3;

await describeWithServices(["kafka"], "Upstash-compatible bridge and publishers against real Kafka", () => {
  let bridge: RunningServer;
  const topics: string[] = [];
  const topic = () => {
    const name = uniqueName("bridge");
    topics.push(name);
    return name;
  };

  beforeAll(async () => {
    bridge = await startBridge();
  });
  afterAll(async () => {
    await bridge?.stop();
    await deleteTopics(topics);
  });

  test("@upstash/kafka produce and produceMany through the bridge land in Kafka where the answers say", async () => {
    const name = topic();
    await createTopic(name);
    const kafka = new Kafka({ url: bridge.url, username: BRIDGE_USER, password: BRIDGE_PASSWORD });
    const producer = kafka.producer();
    const one = await producer.produce(name, { hello: "world" }, { key: "req-1" });
    const many = await producer.produceMany([
      { topic: name, value: "a", key: "req-1", headers: [{ key: "trace", value: "t1" }] },
      { topic: name, value: "b", key: "req-2" },
      { topic: name, value: "c", partition: 2, timestamp: 1_700_000_000_000 },
    ]);
    expect(one).toMatchObject({ topic: name, partition: javaPartition("req-1"), offset: 0 });
    expect(many.map((m) => m.partition)).toEqual([javaPartition("req-1"), javaPartition("req-2"), 2]);
    expect(many[2]?.timestamp).toBe(1_700_000_000_000);

    const read = await readMessages(name, 4);
    const at = (p: number, o: number) => read.find((m) => m.partition === p && m.offset === BigInt(o));
    expect(at(one.partition, one.offset)).toMatchObject({ key: "req-1", value: '{"hello":"world"}' });
    for (const [i, ack] of many.entries()) {
      expect(at(ack.partition, ack.offset)?.value).toBe(["a", "b", "c"][i] as string);
    }
    expect(at(many[0]?.partition ?? -1, many[0]?.offset ?? -1)?.headers).toEqual({ trace: "t1" });
    expect((await kafka.admin().topics())[name]).toBe(3);
  });

  test("concurrent requests are all written, each once, at the offsets they were told", async () => {
    const name = topic();
    await createTopic(name);
    const producer = new Kafka({ url: bridge.url, username: BRIDGE_USER, password: BRIDGE_PASSWORD }).producer();
    const requests = Array.from({ length: 20 }, (_, r) =>
      producer.produceMany(Array.from({ length: 25 }, (_, i) => ({ topic: name, key: `req-${i % 7}`, value: `${r}:${i}` }))),
    );
    const acks = (await Promise.all(requests)).flat();
    expect(new Set(acks.map((a) => `${a.partition}/${a.offset}`)).size).toBe(500);
    const read = await readMessages(name, 500);
    expect(read).toHaveLength(500);
    const byOffset = new Map(read.map((m) => [`${m.partition}/${m.offset}`, m.value]));
    for (const [n, ack] of acks.entries()) expect(byOffset.get(`${ack.partition}/${ack.offset}`)).toBe(`${Math.floor(n / 25)}:${n % 25}`);
  });

  test("concurrent requests that together pass the broker's 1 MiB message limit are all written, at the offsets they were told", async () => {
    const name = topic();
    await createTopic(name);
    const producer = new Kafka({ url: bridge.url, username: BRIDGE_USER, password: BRIDGE_PASSWORD }).producer();
    const pad = "x".repeat(2000);
    // 40 requests × 50 records × ~2 KB = ~4 MB in flight at once; the bridge merges concurrent requests.
    const requests = Array.from({ length: 40 }, (_, r) =>
      producer.produceMany(Array.from({ length: 50 }, (_, i) => ({ topic: name, key: `req-${i % 3}`, value: `${r}:${i}:${pad}` }))),
    );
    const acks = (await Promise.all(requests)).flat();
    expect(new Set(acks.map((a) => `${a.partition}/${a.offset}`)).size).toBe(2000);
    expect(sum(await endOffsets(name))).toBe(2000n);
  });

  test("errors come back in Upstash's shape: 401 for bad credentials, 400 for a partition out of range", async () => {
    const name = topic();
    await createTopic(name);
    const post = (auth: string, body: unknown) =>
      fetch(`${bridge.url}/produce`, { method: "POST", headers: { authorization: `Basic ${btoa(auth)}` }, body: JSON.stringify(body) });
    const denied = await post(`${BRIDGE_USER}:wrong`, { topic: name, value: "x" });
    expect(denied.status).toBe(401);
    expect(await denied.json()).toEqual({ error: "Unauthorized", status: 401 });
    const outOfRange = await post(`${BRIDGE_USER}:${BRIDGE_PASSWORD}`, { topic: name, value: "x", partition: 7 });
    expect(outOfRange.status).toBe(400);
    expect(await outOfRange.json()).toEqual({ error: `partition 7 out of range: ${name} has 3`, status: 400 });
  });

  for (const kind of ["upstash-kafka", "kafka"] as const) {
    test(`the ${kind} publisher puts each event on Kafka as JSON keyed by requestId; one request's events share a partition`, async () => {
      const name = topic();
      await createTopic(name);
      const publisher =
        kind === "kafka"
          ? new NativeKafkaPublisher({ brokers, topic: name })
          : new UpstashKafkaPublisher({
              url: bridge.url,
              username: BRIDGE_USER,
              password: BRIDGE_PASSWORD,
              topic: name,
              maxRecordsPerRequest: 25,
            });
      try {
        expect((await publisher.health()).ok).toBe(true);
        const events = makeEvents(60);
        await publisher.publish(events);
        const read = await readMessages(name, 60);
        expect(read).toHaveLength(60);
        const byId = new Map(read.map((m) => [JSON.parse(m.value).eventId as string, m]));
        for (const event of events) {
          const message = byId.get(event.eventId);
          expect(message?.key).toBe(event.requestId);
          expect(JSON.parse(message?.value ?? "null")).toEqual(event);
          expect(message?.partition).toBe(javaPartition(event.requestId));
        }
      } finally {
        await publisher.close();
      }
    });
  }

  test("an unreachable bridge makes the upstash-kafka publisher's health fail fast, without the client's retries", async () => {
    const publisher = new UpstashKafkaPublisher({
      url: "http://127.0.0.1:9",
      username: "u",
      password: "p",
      topic: "t",
      healthTimeoutMs: 500,
    });
    const started = Date.now();
    expect((await publisher.health()).ok).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
