// Bun only (TCP): reads a topic up to the end it had when the read began (for the DLQ tools).

import type { DeadLetterRecord } from "../../consumer/dead-letter-record.ts";
import { createConsumer } from "./kafka-clients.ts";

export interface ReadTopicOptions {
  brokers: string[];
  topic: string;
  groupId: string;
  /** Start after the group's committed offsets (replay) instead of at the beginning (list). */
  fromCommitted: boolean;
  limit?: number;
  /** Called per chunk of records; with `commit`, their offsets are committed after it resolves. */
  onRecords: (records: DeadLetterRecord[]) => Promise<void>;
  commit?: boolean;
  /** Gives up when nothing arrives for this long (default 10 s). */
  idleMs?: number;
}

export async function readTopicToEnd(options: ReadTopicOptions): Promise<number> {
  const { topic } = options;
  const consumer = createConsumer({
    brokers: options.brokers,
    clientId: "wide-gate-dlq-tool",
    groupId: options.groupId,
    extra: { maxWaitTime: 500 },
  });
  try {
    const ends = (await consumer.listOffsets({ topics: [topic] })).get(topic) ?? [];
    const starts = options.fromCommitted
      ? ((await consumer.listCommittedOffsets({ topics: [{ topic, partitions: ends.map((_, i) => i) }] })).get(topic) ?? [])
      : [];
    // Partitions with something left to read; each drops out once its snapshot end is reached.
    const pending = new Set<number>();
    ends.forEach((end, partition) => {
      const start = starts[partition] ?? -1n;
      if (end > (start < 0n ? 0n : start)) pending.add(partition);
    });
    if (pending.size === 0) return 0;
    const stream = await consumer.consume({
      topics: [topic],
      mode: options.fromCommitted ? "committed" : "earliest",
      fallbackMode: "earliest",
      autocommit: false,
    });
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    let count = 0;
    let chunk: DeadLetterRecord[] = [];
    const flush = async () => {
      if (chunk.length === 0) return;
      const records = chunk;
      chunk = [];
      await options.onRecords(records);
      if (options.commit) {
        const last = new Map<number, bigint>();
        for (const r of records) last.set(r.partition, r.offset + 1n);
        await consumer.commit({ offsets: [...last].map(([partition, offset]) => ({ topic, partition, offset, leaderEpoch: -1 })) });
      }
    };
    const iterator = stream[Symbol.asyncIterator]();
    while (pending.size > 0 && count < limit) {
      const next = await Promise.race([iterator.next(), Bun.sleep(options.idleMs ?? 10_000).then(() => null)]);
      if (next === null || next.done) break;
      const m = next.value;
      const end = ends[m.partition] ?? 0n;
      if (m.offset >= end) continue; // written after the read began
      chunk.push({ partition: m.partition, offset: m.offset, key: m.key, value: m.value, headers: m.headers });
      count++;
      if (m.offset + 1n >= end) pending.delete(m.partition);
      if (chunk.length >= 500) await flush();
    }
    await flush();
    await stream.close();
    return count;
  } finally {
    try {
      await consumer.close(true);
    } catch {
      // best effort
    }
  }
}
