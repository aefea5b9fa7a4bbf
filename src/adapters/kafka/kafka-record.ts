import { isRollupDelta } from "../../domain/rollup/rollup.ts";
import type { OutboundRecord } from "../../ports/publisher.ts";

/** What goes on the events topic: the OutboundRecord as JSON, keyed by requestId so one request's events share a partition. */
export interface EventRecord {
  key: string;
  value: string;
}

/** `text`: the record's JSON when the caller already has it (see RecordTexts). */
export function toEventRecord(record: OutboundRecord, text: string = JSON.stringify(record)): EventRecord {
  return { key: isRollupDelta(record) ? record.id : record.requestId, value: text };
}

/**
 * Splits records into runs of at most `maxCount` records and about `maxBytes` of values, in order,
 * so one HTTP request or one produce call stays under the server's limits.
 */
export function chunkRecords<T extends { value: string }>(records: readonly T[], maxCount: number, maxBytes: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const record of records) {
    // String length undercounts multi-byte UTF-8 by at most 3x; the budget leaves that room.
    const size = record.value.length;
    if (current.length > 0 && (current.length >= maxCount || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
