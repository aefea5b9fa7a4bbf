import { describe, expect, test } from "bun:test";
import { chunkRecords, toEventRecord } from "./kafka-record.ts";

describe("toEventRecord", () => {
  test("the key is the requestId and the value the event as JSON", () => {
    const event = { eventId: "e1", requestId: "req-7", service: "payment", sampling: { reason: "HAS_ERROR", rate: 1 } };
    const record = toEventRecord(event);
    expect(record.key).toBe("req-7");
    expect(JSON.parse(record.value)).toEqual(event);
  });
});

describe("chunkRecords", () => {
  const records = (sizes: number[]) => sizes.map((n, i) => ({ id: i, value: "x".repeat(n) }));
  const ids = (chunks: Array<Array<{ id: number }>>) => chunks.map((c) => c.map((r) => r.id));

  test("splits by count, keeping order", () => {
    expect(ids(chunkRecords(records([1, 1, 1, 1, 1]), 2, 1000))).toEqual([[0, 1], [2, 3], [4]]);
  });

  test("splits by bytes; a record larger than the budget travels alone", () => {
    expect(ids(chunkRecords(records([40, 40, 40, 500, 10]), 100, 100))).toEqual([[0, 1], [2], [3], [4]]);
  });

  test("nothing in, nothing out", () => {
    expect(chunkRecords([], 10, 10)).toEqual([]);
  });
});
