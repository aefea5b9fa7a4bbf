import { describe, expect, test } from "bun:test";
import { BatchProcessor } from "../../src/consumer/batch-processor.ts";
import { MemoryDeadLetterSink } from "../../src/consumer/memory-dead-letter-sink.ts";
import type { DeadLetter, DeadLetterSink, SourceMessage } from "../../src/consumer/messages.ts";
import { FlakyStore, makeEvent } from "../support/flaky-store.ts";

const encode = (value: unknown) => new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));
const message = (offset: number, value: unknown, partition = offset % 3): SourceMessage => ({
  topic: "wide-events",
  partition,
  offset: BigInt(offset),
  key: `r${offset}`,
  value: encode(value),
  timestamp: 0n,
});
const noSleep = { sleep: async () => {} };

describe("BatchProcessor", () => {
  test("valid events are stored, poison goes to the DLQ with its reason and exact bytes, and every offset is committable", async () => {
    const store = new FlakyStore();
    const dlq = new MemoryDeadLetterSink();
    const batch = [message(0, makeEvent(0)), message(1, "{oops"), message(2, makeEvent(2)), message(3, { ...makeEvent(3), eventId: "" })];
    const outcome = await new BatchProcessor(store, dlq, noSleep).process(batch);
    expect(outcome).toMatchObject({ stored: 2, duplicates: 0, deadLettered: 2, aborted: false });
    expect(outcome.offsets).toEqual([
      { topic: "wide-events", partition: 0, offset: 4n },
      { topic: "wide-events", partition: 1, offset: 2n },
      { topic: "wide-events", partition: 2, offset: 3n },
    ]);
    expect(dlq.letters.map((l) => [l.stage, l.message.offset])).toEqual([
      ["decode", 1n],
      ["decode", 3n],
    ]);
    expect(new TextDecoder().decode(dlq.letters[0]?.message.value)).toBe("{oops");
    expect(dlq.letters[1]?.reason).toContain("eventId");
  });

  test("rollup deltas are applied once, even redelivered; a malformed delta goes to the DLQ", async () => {
    const store = new FlakyStore();
    const dlq = new MemoryDeadLetterSink();
    const processor = new BatchProcessor(store, dlq, noSleep);
    const row = {
      minute: Date.parse("2026-11-26T03:00:00Z"),
      service: "payment",
      route: "/pay",
      method: null,
      statusCode: 200,
      errorCode: null,
      error: 0,
      count: 7,
      durationCount: 0,
      durationSum: 0,
      durationMin: null,
      durationMax: null,
      bins: {},
      exemplars: [],
    };
    const delta = { kind: "rollup", id: "d1", tenant: "t1", rows: [row] };
    const batch = [message(0, makeEvent(0)), message(1, delta), message(2, { ...delta, id: "d2", rows: [{ ...row, count: 0 }] })];
    await processor.process(batch);
    await processor.process(batch);
    const rows = await store.readRollups({ tenant: "t1", resolution: "minute", from: 0, to: Date.parse("2027-01-01T00:00:00Z") });
    expect(rows.map((r) => r.count)).toEqual([7]);
    expect(dlq.letters.map((l) => [l.stage, l.message.offset])).toEqual([
      ["decode", 2n],
      ["decode", 2n],
    ]);
  });

  test("a redelivered batch stores nothing twice", async () => {
    const store = new FlakyStore();
    const processor = new BatchProcessor(store, new MemoryDeadLetterSink(), noSleep);
    const batch = [0, 1, 2, 3].map((i) => message(i, makeEvent(i)));
    await processor.process(batch);
    const again = await processor.process(batch);
    expect(again).toMatchObject({ stored: 0, duplicates: 4, deadLettered: 0 });
    expect(await store.count()).toBe(4);
  });

  test("an event the store keeps refusing is dead-lettered at the store stage; its neighbours are stored", async () => {
    const store = new FlakyStore();
    store.refused.add("e1");
    const dlq = new MemoryDeadLetterSink();
    const outcome = await new BatchProcessor(store, dlq, noSleep).process([0, 1, 2].map((i) => message(i, makeEvent(i))));
    expect(outcome).toMatchObject({ deadLettered: 1, aborted: false });
    // The refused write had already stored the neighbours (ordered:false); the halves then count them as duplicates.
    expect(outcome.stored + outcome.duplicates).toBe(2);
    expect(await store.count()).toBe(2);
    expect(dlq.letters[0]).toMatchObject({ stage: "store", message: { offset: 1n } });
  });

  test("the DLQ is retried until it has the letters: nothing is skipped unkept", async () => {
    let failures = 2;
    const kept: DeadLetter[] = [];
    const flakyDlq: DeadLetterSink = {
      send: async (letters) => {
        if (failures-- > 0) throw new Error("broker down");
        kept.push(...letters);
      },
    };
    const retries: number[] = [];
    const processor = new BatchProcessor(new FlakyStore(), flakyDlq, {
      ...noSleep,
      onDeadLetterRetry: ({ backoffMs }) => retries.push(backoffMs),
    });
    const outcome = await processor.process([message(0, "not json")]);
    expect(outcome.deadLettered).toBe(1);
    expect(kept).toHaveLength(1);
    expect(retries).toEqual([100, 200]);
  });

  test("aborted while the store is down: nothing may be committed", async () => {
    const store = new FlakyStore();
    store.down = true;
    let waits = 0;
    const processor = new BatchProcessor(store, new MemoryDeadLetterSink(), {
      shouldAbort: () => waits > 2,
      sleep: async () => void waits++,
    });
    expect(await processor.process([message(0, makeEvent(0))])).toEqual({
      stored: 0,
      duplicates: 0,
      deadLettered: 0,
      offsets: [],
      aborted: true,
    });
  });
});
