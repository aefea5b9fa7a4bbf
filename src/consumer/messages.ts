// What the worker handles, independent of the Kafka client: messages in, dead letters out, offsets to commit.

/** One message of the events topic, as the source hands it over. */
export interface SourceMessage {
  topic: string;
  partition: number;
  offset: bigint;
  key: string | undefined;
  /** The original bytes; kept untouched so a dead letter carries exactly what arrived. */
  value: Uint8Array | undefined;
  timestamp: bigint;
}

export type DeadLetterStage = "decode" | "store";

export interface DeadLetter {
  message: SourceMessage;
  stage: DeadLetterStage;
  reason: string;
}

/** Where messages that can never be stored go. `send` resolves once they are durable. */
export interface DeadLetterSink {
  send(letters: readonly DeadLetter[]): Promise<void>;
}

/** Header names on a DLQ record; the value is the original message's bytes, the key its key. */
export const DLQ_HEADER = {
  reason: "dlq-reason",
  stage: "dlq-stage",
  topic: "dlq-source-topic",
  partition: "dlq-source-partition",
  offset: "dlq-source-offset",
  timestamp: "dlq-source-timestamp",
  failedAt: "dlq-failed-at",
} as const;

export function deadLetterHeaders(letter: DeadLetter, now = Date.now()): Record<string, string> {
  const { message } = letter;
  return {
    [DLQ_HEADER.reason]: letter.reason,
    [DLQ_HEADER.stage]: letter.stage,
    [DLQ_HEADER.topic]: message.topic,
    [DLQ_HEADER.partition]: String(message.partition),
    [DLQ_HEADER.offset]: String(message.offset),
    [DLQ_HEADER.timestamp]: String(message.timestamp),
    [DLQ_HEADER.failedAt]: new Date(now).toISOString(),
  };
}

export interface CommitOffset {
  topic: string;
  partition: number;
  /** The next offset to read: last handled + 1, as Kafka expects. */
  offset: bigint;
}

/** Per partition, one past the highest offset in the batch: everything up to it has been handled. */
export function offsetsToCommit(batch: readonly SourceMessage[]): CommitOffset[] {
  const next = new Map<string, CommitOffset>();
  for (const message of batch) {
    const key = `${message.topic}\u0000${message.partition}`;
    const current = next.get(key);
    if (!current || message.offset + 1n > current.offset) {
      next.set(key, { topic: message.topic, partition: message.partition, offset: message.offset + 1n });
    }
  }
  return [...next.values()];
}
