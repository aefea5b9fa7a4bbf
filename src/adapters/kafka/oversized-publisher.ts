// Shared by the kafka and upstash-kafka publishers: records too large for the topic are taken out of
// their batch before it is sent, because the broker refuses them on every attempt and a retried batch
// would block every tenant's events behind it forever.
import { utf8Length } from "../../domain/event/utf8.ts";
import { isRollupDelta } from "../../domain/rollup/rollup.ts";
import type { Logger } from "../../log/logger.ts";
import type { MetricsRegistry } from "../../metrics/registry.ts";
import { type OutboundRecord, type RecordTexts, recordText } from "../../ports/publisher.ts";
import { type EventRecord, toEventRecord } from "./kafka-record.ts";

/** Key, headers and batch framing beside the value, counted generously. */
const RECORD_OVERHEAD_BYTES = 512;

export const DEFAULT_MAX_MESSAGE_BYTES = 1_000_000;

export type SizedRecord = EventRecord & { bytes: number };

export interface SplitRecords {
  fitting: SizedRecord[];
  oversized: Array<{ record: OutboundRecord; bytes: number }>;
}

export function splitOversized(records: readonly OutboundRecord[], maxMessageBytes: number, texts?: RecordTexts): SplitRecords {
  const fitting: SizedRecord[] = [];
  const oversized: SplitRecords["oversized"] = [];
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as OutboundRecord;
    const encoded = toEventRecord(record, recordText(record, texts, i));
    const bytes = utf8Length(encoded.value) + utf8Length(encoded.key) + RECORD_OVERHEAD_BYTES;
    if (bytes > maxMessageBytes) oversized.push({ record, bytes });
    else fitting.push({ ...encoded, bytes });
  }
  return { fitting, oversized };
}

/** Runs of at most `maxCount` records and `maxBytes` bytes, in order; every record fits alone. */
export function chunkBySize<T extends { bytes: number }>(records: readonly T[], maxCount: number, maxBytes: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const record of records) {
    if (current.length > 0 && (current.length >= maxCount || bytes + record.bytes > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += record.bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

export interface DeadLetterStub {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/**
 * Logs and counts the oversized records and returns what goes to the dead-letter topic for each: a
 * stub an operator can find the sender by (ids, tenant, time, size), never the payload.
 */
export function oversizedStubs(
  oversized: SplitRecords["oversized"],
  context: { publisher: string; sourceTopic: string; maxMessageBytes: number; log: Logger; metrics?: MetricsRegistry | undefined },
): DeadLetterStub[] {
  const reason = `MESSAGE_TOO_LARGE: over KAFKA_MAX_MESSAGE_BYTES=${context.maxMessageBytes}`;
  context.metrics?.inc("widegate_publish_oversized_total", { publisher: context.publisher }, oversized.length);
  const failedAt = new Date().toISOString();
  return oversized.map(({ record, bytes }) => {
    const what = isRollupDelta(record) ? `rollup delta ${record.id}` : `event ${record.eventId}`;
    context.log.warn(
      `publish via ${context.publisher}: ${what} (tenant ${String(record.tenant)}) is ${bytes} bytes, ${reason}; dead-lettered, not published`,
    );
    const stub = isRollupDelta(record)
      ? { kind: "rollup", id: record.id, tenant: record.tenant, rows: record.rows.length, bytes }
      : {
          eventId: record.eventId,
          requestId: record.requestId,
          tenant: record.tenant,
          service: record.service,
          timestamp: record.timestamp,
          receivedAt: record.receivedAt,
          bytes,
          dropped: "MESSAGE_TOO_LARGE",
        };
    return {
      key: toEventRecord(record).key,
      value: JSON.stringify(stub),
      headers: { "dlq-reason": reason, "dlq-stage": "publish", "dlq-source-topic": context.sourceTopic, "dlq-failed-at": failedAt },
    };
  });
}
