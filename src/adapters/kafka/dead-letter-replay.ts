// Bun only (TCP): puts dead letters' original bytes back on the topic they came from (npm run dlq:replay).
import { DLQ_HEADER } from "../../consumer/messages.ts";
import { createBytesProducer } from "./kafka-clients.ts";
import { readTopicToEnd } from "./read-topic.ts";

export interface ReplayOptions {
  brokers: string[];
  dlqTopic: string;
  /** Where a dead letter without a source-topic header goes. */
  defaultTopic: string;
  /** Commits as it goes, so each dead letter is replayed once across runs. */
  groupId: string;
  limit?: number;
  /** Reports what would be replayed; changes nothing. */
  dryRun?: boolean;
  onDryRun?: (line: string) => void;
  /** Progress: called with how many were just replayed (or, dry, inspected). */
  onReplayed?: (count: number) => void;
}

/** Replays the DLQ from the group's committed position to the end it had when the run began; returns how many. */
export async function replayDeadLetters(options: ReplayOptions): Promise<number> {
  const producer = createBytesProducer({ brokers: options.brokers, clientId: "wide-gate-dlq-replay" });
  try {
    return await readTopicToEnd({
      brokers: options.brokers,
      topic: options.dlqTopic,
      groupId: options.groupId,
      fromCommitted: true,
      commit: !options.dryRun,
      ...(options.limit ? { limit: options.limit } : {}),
      onRecords: async (records) => {
        const messages = records.map((r) => ({
          topic: r.headers.get(DLQ_HEADER.topic) ?? options.defaultTopic,
          ...(r.key === undefined ? {} : { key: r.key }),
          value: Buffer.from(r.value ?? new Uint8Array(0)),
          headers: { "dlq-replayed-from": `${options.dlqTopic}/${r.partition}/${r.offset}` },
        }));
        if (options.dryRun) {
          for (const m of messages) options.onDryRun?.(`would replay to ${m.topic}: key=${m.key ?? "-"} (${m.value.length} bytes)`);
        } else {
          // One send at a time (the idempotent producer needs it), committed by readTopicToEnd after it resolves.
          await producer.send({ messages });
        }
        options.onReplayed?.(messages.length);
      },
    });
  } finally {
    await producer.close();
  }
}
