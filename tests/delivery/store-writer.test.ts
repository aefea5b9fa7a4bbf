import { describe, expect, test } from "bun:test";
import { StoreWriter } from "../../src/delivery/store-writer.ts";
import { FlakyStore, makeEvent } from "../support/flaky-store.ts";

const events = (n: number) => Array.from({ length: n }, (_, i) => makeEvent(i));

describe("StoreWriter", () => {
  test("a healthy store takes the batch; writing it again counts duplicates", async () => {
    const store = new FlakyStore();
    const writer = new StoreWriter(store);
    expect(await writer.write(events(5))).toEqual({
      inserted: 5,
      duplicates: 0,
      rollupsApplied: 0,
      rollupDuplicates: 0,
      rejected: [],
      aborted: false,
    });
    expect(await writer.write(events(5))).toEqual({
      inserted: 0,
      duplicates: 5,
      rollupsApplied: 0,
      rollupDuplicates: 0,
      rejected: [],
      aborted: false,
    });
  });

  test("an outage is retried with doubling backoff until the store is back, then the batch is written once", async () => {
    const store = new FlakyStore();
    store.down = true;
    const waits: number[] = [];
    const outages: boolean[] = [];
    const writer = new StoreWriter(store, {
      minBackoffMs: 100,
      maxBackoffMs: 400,
      onRetry: ({ outage }) => outages.push(outage),
      sleep: async (ms) => {
        waits.push(ms);
        if (waits.length === 4) store.down = false;
      },
    });
    expect(await writer.write(events(10))).toEqual({
      inserted: 10,
      duplicates: 0,
      rollupsApplied: 0,
      rollupDuplicates: 0,
      rejected: [],
      aborted: false,
    });
    expect(waits).toEqual([100, 200, 400, 400]);
    expect(outages).toEqual([true, true, true, true]);
    expect(await store.count()).toBe(10);
  });

  test("a write the store acknowledges only in part is not durable: it is retried, never taken as done", async () => {
    const store = new FlakyStore();
    store.down = true;
    store.silentWhenDown = true;
    let waits = 0;
    const writer = new StoreWriter(store, {
      sleep: async () => {
        if (++waits === 2) store.down = false;
      },
    });
    expect(await writer.write(events(4))).toEqual({
      inserted: 4,
      duplicates: 0,
      rollupsApplied: 0,
      rollupDuplicates: 0,
      rejected: [],
      aborted: false,
    });
    expect(waits).toBe(2);
  });

  test("events a healthy store refuses are isolated and given up; the rest of the batch is written", async () => {
    const store = new FlakyStore();
    store.refused.add("e3").add("e6");
    const waits: number[] = [];
    const writer = new StoreWriter(store, { singleEventAttempts: 3, sleep: async (ms) => void waits.push(ms) });
    const outcome = await writer.write(events(8));
    expect(outcome.rejected.map((r) => r.index)).toEqual([3, 6]);
    expect(outcome.rejected[0]?.reason).toContain("Document failed validation");
    expect(await store.count()).toBe(6);
    expect(outcome.aborted).toBe(false);
    // Only the lone refused events wait between tries (2 waits each), never the halves.
    expect(waits).toHaveLength(4);
    expect(store.inserts).toBeLessThan(20);
  });

  test("a health probe that never answers counts as an outage", async () => {
    const store = new FlakyStore();
    store.down = true;
    store.hangHealth = true;
    let calls = 0;
    const writer = new StoreWriter(store, {
      healthTimeoutMs: 20,
      shouldAbort: () => calls >= 2,
      onRetry: ({ outage }) => {
        expect(outage).toBe(true);
        calls++;
      },
      sleep: async () => {},
    });
    expect((await writer.write(events(2))).aborted).toBe(true);
  });

  test("an abort during an outage leaves the batch unfinished", async () => {
    const store = new FlakyStore();
    store.down = true;
    let waits = 0;
    const writer = new StoreWriter(store, { shouldAbort: () => waits >= 3, sleep: async () => void waits++ });
    const outcome = await writer.write(events(3));
    expect(outcome.aborted).toBe(true);
    expect(await store.count()).toBe(0);
  });
});

describe("StoreWriter with the records' texts", () => {
  test("each event is stored from its own text when deltas are interleaved", async () => {
    const { MemoryEventStore } = await import("../../src/adapters/memory/memory-event-store.ts");
    const store = new MemoryEventStore();
    const writer = new StoreWriter(store);
    const event = (i: number) => ({
      eventId: `e${i}`,
      requestId: `r${i}`,
      service: `svc${i}`,
      tenant: "t",
      timestamp: new Date(Date.UTC(2026, 10, 26, 3, i)).toISOString(),
    });
    const delta = (i: number) => ({ kind: "rollup" as const, id: `d${i}`, tenant: "t", rows: [] });
    const records = [event(0), delta(0), event(1), event(2), delta(1), event(3)];
    const counts = await writer.writeOnce(
      records,
      records.map((r) => JSON.stringify(r)),
    );
    expect(counts).toMatchObject({ inserted: 4, rollupsApplied: 2 });
    const page = await store.find({ limit: 10 }, { tenant: "t" });
    expect(page.events.map((e) => [e.eventId, e.service]).sort()).toEqual([0, 1, 2, 3].map((i) => [`e${i}`, `svc${i}`]));
  });
});
