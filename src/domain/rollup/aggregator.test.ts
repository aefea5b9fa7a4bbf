import { describe, expect, test } from "bun:test";
import { binOf } from "../query/histogram.ts";
import { type CountableEvent, RollupAggregator } from "./aggregator.ts";
import { OTHER } from "./rollup.ts";

const at = "2026-11-26T03:04:05.678Z";
const ev = (patch: Partial<CountableEvent> = {}): CountableEvent => ({
  tenant: "t1",
  timestamp: at,
  service: "payment",
  route: "/pay",
  ...patch,
});
let ids = 0;
const newAggregator = (maxGroups = 100) => new RollupAggregator({ maxGroups, newId: () => `d${++ids}` });

describe("RollupAggregator", () => {
  test("many groups on one route (more than its index holds) each count exactly, on every later count", () => {
    const agg = newAggregator(1000);
    // 60 statuses × 2 methods × with and without an error code on one route: 240 groups.
    const events: CountableEvent[] = [];
    for (let status = 200; status < 260; status++) {
      for (const method of ["GET", "POST"]) {
        events.push(ev({ statusCode: status, method }), ev({ statusCode: status, method, error: { code: `E${status}` } }));
      }
    }
    for (let round = 0; round < 3; round++) for (const event of events) agg.count({ ...event });
    const rows = agg.drain().flatMap((d) => d.rows);
    expect(rows).toHaveLength(240);
    expect(rows.every((row) => row.count === 3)).toBe(true);
    const keys = new Set(rows.map((r) => `${r.statusCode}|${r.method}|${r.errorCode}`));
    expect(keys.size).toBe(240);
  });

  test("events of one group and minute add up into one row with count, duration sums, min, max and bins", () => {
    const agg = newAggregator();
    for (const d of [10, 20, 30]) agg.count(ev({ durationMs: d }));
    agg.count(ev());
    const [delta] = agg.drain();
    expect(delta?.rows).toHaveLength(1);
    expect(delta?.rows[0]).toMatchObject({
      minute: Date.parse("2026-11-26T03:04:00Z"),
      service: "payment",
      route: "/pay",
      method: null,
      statusCode: null,
      errorCode: null,
      error: 0,
      count: 4,
      durationCount: 3,
      durationSum: 60,
      durationMin: 10,
      durationMax: 30,
    });
    expect(delta?.rows[0]?.bins).toEqual({ [binOf(10)]: 1, [binOf(20)]: 1, [binOf(30)]: 1 });
  });

  test("errors are their own group: an error object, error text, or status ≥ 500", () => {
    const agg = newAggregator();
    agg.count(ev({ error: { code: "X" } }));
    agg.count(ev({ error: "boom" }));
    agg.count(ev({ statusCode: 503 }));
    agg.count(ev({ statusCode: 404 }));
    const rows = agg.drain().flatMap((d) => d.rows);
    expect(rows.map((r) => [r.errorCode, r.statusCode, r.error]).sort()).toEqual(
      [
        ["X", null, 1],
        [null, null, 1],
        [null, 503, 1],
        [null, 404, 0],
      ].sort(),
    );
  });

  test("minutes and tenants split rows; each tenant gets its own delta", () => {
    const agg = newAggregator();
    agg.count(ev());
    agg.count(ev({ timestamp: "2026-11-26T03:05:00.000Z" }));
    agg.count(ev({ tenant: "t2" }));
    const deltas = agg.drain();
    expect(deltas.map((d) => [d.tenant, d.rows.length]).sort()).toEqual([
      ["t1", 2],
      ["t2", 1],
    ]);
    expect(new Set(deltas.map((d) => d.id)).size).toBe(2);
  });

  test("drain empties: a second drain returns nothing, new counts start from zero", () => {
    const agg = newAggregator();
    agg.count(ev());
    expect(agg.drain()).toHaveLength(1);
    expect(agg.drain()).toEqual([]);
    agg.count(ev());
    expect(agg.drain()[0]?.rows[0]?.count).toBe(1);
  });

  test("a large flush is split into deltas of at most maxRowsPerDelta rows", () => {
    const agg = new RollupAggregator({ maxGroups: 1000, maxRowsPerDelta: 10 });
    for (let i = 0; i < 25; i++) agg.count(ev({ route: `/r${i}` }));
    expect(agg.drain().map((d) => d.rows.length)).toEqual([10, 10, 5]);
  });

  test("a flush is cut so that each delta's JSON stays within maxDeltaBytes, every row kept once", () => {
    const agg = new RollupAggregator({ maxGroups: 1000, maxDeltaBytes: 2_000, newId: () => `d${++ids}` });
    for (let i = 0; i < 200; i++) agg.count(ev({ route: `/orders/${"x".repeat(40)}/${i}`, durationMs: i }));
    const deltas = agg.drain();
    expect(deltas.length).toBeGreaterThan(1);
    for (const delta of deltas) expect(new TextEncoder().encode(JSON.stringify(delta.rows)).length).toBeLessThanOrEqual(2_000);
    const routes = deltas.flatMap((d) => d.rows.map((r) => r.route));
    expect(new Set(routes).size).toBe(200);
    expect(routes).toHaveLength(200);
  });

  test("a single row larger than maxDeltaBytes travels alone rather than being dropped", () => {
    const agg = new RollupAggregator({ maxGroups: 1000, maxDeltaBytes: 50, newId: () => `d${++ids}` });
    for (let i = 0; i < 3; i++) agg.count(ev({ route: `/r${i}` }));
    expect(agg.drain().map((d) => d.rows.length)).toEqual([1, 1, 1]);
  });

  test("the same counts cut into the same deltas (a re-posted keyed request matches its first post)", () => {
    const run = () => {
      let n = 0;
      const agg = new RollupAggregator({ maxGroups: 1000, maxDeltaBytes: 1_500, newId: () => `k-${n++}` });
      for (let i = 0; i < 120; i++) agg.count(ev({ route: `/item/${i}`, statusCode: 200 + (i % 3) }));
      return agg.drain().map((d) => [d.id, d.rows.map((r) => r.route)]);
    };
    expect(run()).toEqual(run());
  });

  test("past maxGroups per tenant and minute, new routes fold into __other__ and totals stay exact", () => {
    const folded: string[] = [];
    const agg = new RollupAggregator({ maxGroups: 10, onOverflow: (d) => folded.push(d) });
    for (let i = 0; i < 1000; i++) agg.count(ev({ route: `/users/${i}` }));
    const rows = agg.drain().flatMap((d) => d.rows);
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(1000);
    expect(rows.length).toBeLessThanOrEqual(11);
    expect(rows.find((r) => r.route === OTHER)?.count).toBe(990);
    expect(folded).toHaveLength(990);
    expect(new Set(folded)).toEqual(new Set(["route"]));
  });

  test("the cap holds across flushes within a minute, and a new minute starts a fresh budget", () => {
    const agg = new RollupAggregator({ maxGroups: 5 });
    for (let i = 0; i < 5; i++) agg.count(ev({ route: `/a${i}` }));
    agg.drain();
    agg.count(ev({ route: "/late" }));
    expect(agg.drain()[0]?.rows[0]?.route).toBe(OTHER);
    agg.count(ev({ route: "/late", timestamp: "2026-11-26T03:06:00.000Z" }));
    expect(agg.drain()[0]?.rows[0]?.route).toBe("/late");
  });

  test("kept() marks the group for the rest of the minute and records a few exemplar ids", () => {
    const agg = newAggregator();
    const group = agg.count(ev());
    expect(group.kept).toBe(false);
    agg.kept(group, "e1");
    for (const id of ["e2", "e3", "e4"]) agg.kept(agg.count(ev()), id);
    const [delta] = agg.drain();
    expect(delta?.rows[0]?.exemplars).toEqual(["e1", "e2", "e3"]);
    expect(agg.count(ev()).kept).toBe(true);
  });

  test("memory stays bounded: old minutes are forgotten once too many groups are remembered", () => {
    const agg = new RollupAggregator({ maxGroups: 10, trackedGroups: 100 });
    for (let m = 0; m < 60; m++) {
      for (let r = 0; r < 10; r++) agg.count(ev({ route: `/r${r}`, timestamp: new Date(Date.UTC(2026, 10, 26, 3, m)).toISOString() }));
      agg.drain();
    }
    // 600 groups were seen; the index keeps at most trackedGroups of them after each flush.
    expect(agg.trackedGroups).toBeLessThanOrEqual(100);
  });
});
