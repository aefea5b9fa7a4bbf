// Helpers for the Kafka pipeline suites: events, raw produce, worker/bridge processes, Mongo reads, metrics.
import {
  Admin,
  Consumer,
  compatibilityPartitioner,
  Producer,
  stringDeserializers,
  stringSerializer,
  stringSerializers,
} from "@platformatic/kafka";
import { MongoClient } from "mongodb";
import type { OutboundEvent } from "../../src/ports/publisher.ts";
import { serviceEnv, uniqueName } from "./services.ts";
import { type RunningServer, spawnServer } from "./spawn-server.ts";

export const brokers = serviceEnv.KAFKA_BROKERS.split(",");
export const BRIDGE_USER = "bridge-user";
export const BRIDGE_PASSWORD = "bridge-secret";

/** Gateway-shaped events (eventId, tenant, sampling set), one requestId per two events. */
export function makeEvents(count: number, run = uniqueName("run")): OutboundEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    eventId: `${run}-${i}`,
    requestId: `${run}-req-${Math.floor(i / 2)}`,
    service: i % 3 === 0 ? "payment" : "search",
    route: "/api/pay",
    statusCode: i % 5 === 0 ? 502 : 200,
    durationMs: 10 + (i % 100),
    timestamp: new Date(Date.UTC(2026, 10, 26, 3, 0, 0, i)).toISOString(),
    receivedAt: new Date().toISOString(),
    tenant: "acme",
    sampling: i % 5 === 0 ? { reason: "HAS_ERROR", rate: 1 } : { reason: "SAMPLED_NORMAL", rate: 0.05 },
  }));
}

/** Puts raw messages on a topic (creating it on first use), keyed like the gateway's publishers. */
export async function produceRaw(topic: string, messages: Array<{ key?: string; value: string }>, via = brokers): Promise<void> {
  // Idempotent (sends are sequential here): a retry on a fresh topic must not put a message on it twice.
  const producer = new Producer({
    clientId: "test",
    bootstrapBrokers: via,
    serializers: stringSerializers,
    partitioner: compatibilityPartitioner,
    autocreateTopics: true,
    idempotent: true,
  });
  try {
    for (let i = 0; i < messages.length; i += 1000)
      await producer.send({ messages: messages.slice(i, i + 1000).map((m) => ({ topic, ...m })) });
  } finally {
    await producer.close();
  }
}

/** Raw bytes, exactly as given (for messages that are not even UTF-8). */
export async function produceBytes(topic: string, messages: Array<{ key?: string; value: Uint8Array }>): Promise<void> {
  const producer = new Producer({
    clientId: "test-bytes",
    bootstrapBrokers: brokers,
    serializers: { key: stringSerializer },
    partitioner: compatibilityPartitioner,
    autocreateTopics: true,
    idempotent: true,
  });
  try {
    await producer.send({
      messages: messages.map((m) => ({ topic, ...(m.key === undefined ? {} : { key: m.key }), value: Buffer.from(m.value) })),
    });
  } finally {
    await producer.close();
  }
}

export const produceEvents = (topic: string, events: OutboundEvent[], via = brokers) =>
  produceRaw(
    topic,
    events.map((e) => ({ key: e.requestId, value: JSON.stringify(e) })),
    via,
  );

export async function createTopic(topic: string, partitions = 3, via = brokers): Promise<void> {
  const admin = new Admin({ clientId: "test-admin", bootstrapBrokers: via });
  try {
    await admin.createTopics({ topics: [topic], partitions, replicas: 1 });
  } finally {
    await admin.close();
  }
}

export async function deleteTopics(topics: string[]): Promise<void> {
  const admin = new Admin({ clientId: "test-admin", bootstrapBrokers: brokers });
  await admin.deleteTopics({ topics }).catch(() => {});
  await admin.close().catch(() => {});
}

/** Committed offsets of a group, per partition (0 where nothing is committed yet). */
export async function committedOffsets(groupId: string, topic: string, partitions = 3, via = brokers): Promise<bigint[]> {
  const consumer = new Consumer({ clientId: "test-offsets", groupId, bootstrapBrokers: via });
  try {
    const committed = await consumer.listCommittedOffsets({
      topics: [{ topic, partitions: Array.from({ length: partitions }, (_, i) => i) }],
    });
    return Array.from({ length: partitions }, (_, i) => {
      const offset = committed.get(topic)?.[i] ?? -1n;
      return offset < 0n ? 0n : offset;
    });
  } finally {
    await consumer.close(true);
  }
}

export async function endOffsets(topic: string, via = brokers): Promise<bigint[]> {
  const consumer = new Consumer({ clientId: "test-ends", groupId: uniqueName("ends"), bootstrapBrokers: via });
  try {
    return (await consumer.listOffsets({ topics: [topic] })).get(topic) ?? [];
  } finally {
    await consumer.close(true);
  }
}

export interface PipelineNames {
  topic: string;
  dlq: string;
  group: string;
  db: string;
}

export function pipelineNames(prefix: string): PipelineNames {
  const topic = uniqueName(prefix);
  return { topic, dlq: `${topic}-dlq`, group: `${topic}-workers`, db: topic.replace(/[^a-zA-Z0-9]/g, "_") };
}

/** The worker as `bun run worker` starts it, on a free port, against these names. */
export function startWorker(names: PipelineNames, extra: Record<string, string> = {}): Promise<RunningServer> {
  return spawnServer("worker/consumer.ts", {
    KAFKA_BROKERS: serviceEnv.KAFKA_BROKERS,
    KAFKA_TOPIC: names.topic,
    KAFKA_DLQ_TOPIC: names.dlq,
    WORKER_GROUP_ID: names.group,
    WORKER_PORT: "0",
    WORKER_BATCH_MS: "100",
    WORKER_SESSION_TIMEOUT_MS: "6000",
    EVENT_STORE: "mongo",
    MONGODB_URI: serviceEnv.MONGODB_URI,
    MONGODB_DB: names.db,
    ...extra,
  });
}

export function startBridge(extra: Record<string, string> = {}): Promise<RunningServer> {
  return spawnServer("worker/bridge.ts", {
    BRIDGE_PORT: "0",
    KAFKA_BROKERS: serviceEnv.KAFKA_BROKERS,
    UPSTASH_KAFKA_REST_USERNAME: BRIDGE_USER,
    UPSTASH_KAFKA_REST_PASSWORD: BRIDGE_PASSWORD,
    ...extra,
  });
}

/** The events collection of a test database. */
export async function openEvents(db: string, uri = serviceEnv.MONGODB_URI) {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  const collection = client.db(db).collection<{ _id: string; eventId: string } & Record<string, unknown>>("events");
  return {
    collection,
    count: () => collection.countDocuments({}),
    drop: async () => {
      await client
        .db(db)
        .dropDatabase()
        .catch(() => {});
      await client.close();
    },
    close: () => client.close(),
  };
}

/** Polls until `check` returns a truthy value, or fails with the last value seen. */
export async function waitFor<T>(what: string, check: () => Promise<T> | T, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last;
    await Bun.sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`);
}

/** One sample of a Prometheus metric from a /metrics page (labels as written, e.g. `{result="stored"}`). */
export async function metric(baseUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : Number.NaN;
}

export interface ReadMessage {
  partition: number;
  offset: bigint;
  key: string | undefined;
  value: string;
  headers: Record<string, string>;
}

/** Reads `count` messages of a topic from the beginning (a throwaway group, no commits). */
export async function readMessages(topic: string, count: number, timeoutMs = 20_000): Promise<ReadMessage[]> {
  const consumer = new Consumer({
    clientId: "test-reader",
    groupId: uniqueName("reader"),
    bootstrapBrokers: brokers,
    deserializers: stringDeserializers,
    maxWaitTime: 200,
  });
  const out: ReadMessage[] = [];
  try {
    const stream = await consumer.consume({ topics: [topic], mode: "earliest", autocommit: false });
    const deadline = Date.now() + timeoutMs;
    const iterator = stream[Symbol.asyncIterator]();
    while (out.length < count && Date.now() < deadline) {
      const next = await Promise.race([iterator.next(), Bun.sleep(Math.max(1, deadline - Date.now())).then(() => null)]);
      if (!next || next.done) break;
      const m = next.value;
      // A group (re)join makes the stream fetch again from the start: keep each offset once.
      if (out.some((o) => o.partition === m.partition && o.offset === m.offset)) continue;
      out.push({ partition: m.partition, offset: m.offset, key: m.key, value: m.value, headers: Object.fromEntries(m.headers) });
    }
    await stream.close();
    return out;
  } finally {
    await consumer.close(true);
  }
}

/** Moves a (stopped) group's committed offsets back to the start: its next member re-reads everything. */
export async function rewindGroup(groupId: string, topic: string, partitions = 3): Promise<void> {
  const admin = new Admin({ clientId: "test-admin", bootstrapBrokers: brokers });
  try {
    await admin.alterConsumerGroupOffsets({
      groupId,
      topics: [{ name: topic, partitionOffsets: Array.from({ length: partitions }, (_, partition) => ({ partition, offset: 0n })) }],
    });
  } finally {
    await admin.close();
  }
}

export const sum = (values: bigint[]) => values.reduce((a, b) => a + b, 0n);
