import { describe, expect, test } from "bun:test";
import { formatDeadLetter, viewDeadLetter } from "./dead-letter-record.ts";
import { DLQ_HEADER, deadLetterHeaders, offsetsToCommit, type SourceMessage } from "./messages.ts";

const message = (partition: number, offset: bigint, topic = "events"): SourceMessage => ({
  topic,
  partition,
  offset,
  key: `k${offset}`,
  value: new TextEncoder().encode("{bad"),
  timestamp: 1_700_000_000_000n,
});

describe("offsetsToCommit", () => {
  test("one past the highest offset per partition, whatever the order", () => {
    const offsets = offsetsToCommit([message(0, 5n), message(1, 2n), message(0, 7n), message(0, 6n), message(1, 9n)]);
    expect(offsets).toEqual([
      { topic: "events", partition: 0, offset: 8n },
      { topic: "events", partition: 1, offset: 10n },
    ]);
  });

  test("partitions of different topics are kept apart; an empty batch commits nothing", () => {
    expect(offsetsToCommit([message(0, 1n, "a"), message(0, 3n, "b")])).toHaveLength(2);
    expect(offsetsToCommit([])).toEqual([]);
  });
});

describe("dead letters", () => {
  test("headers carry the reason, the stage and where the message came from", () => {
    const headers = deadLetterHeaders({ message: message(2, 41n), stage: "decode", reason: "value is not JSON" }, Date.UTC(2026, 0, 1));
    expect(headers).toEqual({
      [DLQ_HEADER.reason]: "value is not JSON",
      [DLQ_HEADER.stage]: "decode",
      [DLQ_HEADER.topic]: "events",
      [DLQ_HEADER.partition]: "2",
      [DLQ_HEADER.offset]: "41",
      [DLQ_HEADER.timestamp]: "1700000000000",
      [DLQ_HEADER.failedAt]: "2026-01-01T00:00:00.000Z",
    });
  });

  test("a record read back shows its reason and keeps its exact bytes in base64", () => {
    const value = new Uint8Array([0x7b, 0xff, 0x00]);
    const headers = new Map(
      Object.entries(deadLetterHeaders({ message: message(0, 3n), stage: "decode", reason: "value is not valid UTF-8" })),
    );
    const view = viewDeadLetter({ partition: 1, offset: 9n, key: "k3", value, headers });
    expect(view).toMatchObject({
      dlq: "1/9",
      stage: "decode",
      reason: "value is not valid UTF-8",
      source: "events/0/3",
      key: "k3",
      bytes: 3,
    });
    expect(Buffer.from(view.base64, "base64")).toEqual(Buffer.from(value));
    expect(formatDeadLetter(view)).toContain("from events/0/3");
  });
});
