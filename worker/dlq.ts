// DLQ tools: `bun run dlq:list [-- --json] [--limit N]` prints dead letters with their reasons;
// `bun run dlq:replay [-- --limit N] [--dry-run]` puts their original bytes back on their source topic.

import { parseArgs } from "node:util";
import { replayDeadLetters } from "../src/adapters/kafka/dead-letter-replay.ts";
import { readTopicToEnd } from "../src/adapters/kafka/read-topic.ts";
import { formatDeadLetter, viewDeadLetter } from "../src/consumer/dead-letter-record.ts";
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
  const count = await replayDeadLetters({
    brokers: config.KAFKA_BROKERS,
    dlqTopic: config.KAFKA_DLQ_TOPIC,
    defaultTopic: config.KAFKA_TOPIC,
    groupId: `${config.WORKER_GROUP_ID}-dlq-replay`,
    dryRun,
    onDryRun: (line) => console.log(line),
    ...(limit ? { limit } : {}),
  });
  console.error(`${dryRun ? "would replay" : "replayed"} ${count} dead letter(s) from ${config.KAFKA_DLQ_TOPIC}`);
}
process.exit(0);
