// DLQ tools: `bun run dlq:list [-- --json] [--limit N]` prints dead letters with their reasons;
// `bun run dlq:replay [-- --limit N] [--dry-run]` puts their original bytes back on their source topic.

import { parseArgs } from "node:util";
import { compatibilityPartitioner, ProduceAcks, Producer, stringSerializer } from "@platformatic/kafka";
import { readTopicToEnd } from "../src/adapters/kafka/read-topic.ts";
import { formatDeadLetter, viewDeadLetter } from "../src/consumer/dead-letter-record.ts";
import { DLQ_HEADER } from "../src/consumer/messages.ts";
import { loadConfigOrExit } from "../src/runtime/bun/startup.ts";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { json: { type: "boolean", default: false }, limit: { type: "string" }, "dry-run": { type: "boolean", default: false } },
});
const command = positionals[0];
if (command !== "list" && command !== "replay") {
  console.error("usage: bun worker/dlq.ts list [--json] [--limit N] | replay [--limit N] [--dry-run]");
  process.exit(64);
}
const config = loadConfigOrExit();
const limit = values.limit === undefined ? undefined : Number(values.limit);
const base = { brokers: config.KAFKA_BROKERS, topic: config.KAFKA_DLQ_TOPIC, ...(limit ? { limit } : {}) };

if (command === "list") {
  // A throwaway group that never commits: listing changes nothing.
  const groupId = `wide-gate-dlq-list-${crypto.randomUUID()}`;
  const count = await readTopicToEnd({
    ...base,
    groupId,
    fromCommitted: false,
    onRecords: async (records) => {
      for (const record of records) {
        const view = viewDeadLetter(record);
        console.log(values.json ? JSON.stringify(view) : formatDeadLetter(view));
      }
    },
  });
  console.error(`${count} dead letter(s) in ${config.KAFKA_DLQ_TOPIC}`);
} else {
  // A fixed group that commits after each produce: every dead letter is replayed once, across runs.
  const dryRun = values["dry-run"];
  const producer = new Producer({
    clientId: "wide-gate-dlq-replay",
    bootstrapBrokers: config.KAFKA_BROKERS,
    serializers: { key: stringSerializer, headerKey: stringSerializer, headerValue: stringSerializer },
    acks: ProduceAcks.ALL,
    partitioner: compatibilityPartitioner,
    idempotent: true, // sends are sequential
  });
  const count = await readTopicToEnd({
    ...base,
    groupId: `${config.WORKER_GROUP_ID}-dlq-replay`,
    fromCommitted: true,
    commit: !dryRun,
    onRecords: async (records) => {
      const messages = records.map((r) => ({
        topic: r.headers.get(DLQ_HEADER.topic) ?? config.KAFKA_TOPIC,
        ...(r.key === undefined ? {} : { key: r.key }),
        value: Buffer.from(r.value ?? new Uint8Array(0)),
        headers: { "dlq-replayed-from": `${config.KAFKA_DLQ_TOPIC}/${r.partition}/${r.offset}` },
      }));
      if (dryRun) for (const m of messages) console.log(`would replay to ${m.topic}: key=${m.key ?? "-"} (${m.value.length} bytes)`);
      else await producer.send({ messages });
    },
  });
  await producer.close();
  console.error(`${dryRun ? "would replay" : "replayed"} ${count} dead letter(s) from ${config.KAFKA_DLQ_TOPIC}`);
}
process.exit(0);
