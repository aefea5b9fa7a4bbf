import { expect, test } from "bun:test";
import { DIMENSION_SETS } from "../../domain/rollup/dimension-sets.ts";
import { HOUR_MS, MINUTE_MS, type RollupDelta, type RollupRow } from "../../domain/rollup/rollup.ts";
import { MemoryEventStore } from "./memory-event-store.ts";
import { MemoryRollups } from "./memory-rollups.ts";

const BASE = Date.UTC(2026, 0, 5, 10);
const row = (minute: number, extra: Partial<RollupRow> = {}): RollupRow => ({
  service: "payment",
  route: "/api/pay",
  method: "POST",
  statusCode: 200,
  errorCode: null,
  error: 0,
  minute,
  count: 1,
  durationCount: 1,
  durationSum: 10,
  durationMin: 10,
  durationMax: 10,
  bins: { "10": 1 },
  exemplars: ["e1"],
  ...extra,
});
const delta = (id: string, rows: RollupRow[], tenant = "acme"): RollupDelta => ({ kind: "rollup", id, tenant, rows });
const all = { tenant: "acme", from: 0, to: BASE + 1000 * HOUR_MS };

test("stored rows share nothing with the delta, and answers share nothing with the store", () => {
  const rollups = new MemoryRollups();
  const sent = delta("d1", [row(BASE)]);
  rollups.applyRollups([sent]);
  const first = sent.rows[0] as RollupRow;
  first.bins["10"] = 99;
  first.exemplars.push("changed");

  const [answer] = rollups.readRollups({ ...all, resolution: "minute" });
  expect(answer?.bins).toEqual([0, 10, 10, 1]);
  expect(answer?.exemplars).toEqual(["e1"]);
  if (answer === undefined) throw new Error("no row");
  answer.count = 1000;
  (answer.bins as number[])[3] = 1000;
  answer.exemplars.length = 0;
  const { minute: _, ...unchanged } = row(BASE);
  expect(rollups.readRollups({ ...all, resolution: "minute" })).toEqual([{ ...unchanged, bins: [0, 10, 10, 1], start: BASE }]);
});

test("a short range steps through its starts, a long one scans: same rows either way", () => {
  const rollups = new MemoryRollups();
  rollups.applyRollups([delta("d1", [row(BASE), row(BASE + MINUTE_MS), row(BASE + 90 * MINUTE_MS)])]);
  const starts = (from: number, to: number) =>
    rollups
      .readRollups({ tenant: "acme", resolution: "minute", from, to })
      .map((r) => r.start)
      .sort((a, b) => a - b);
  expect(starts(BASE + 1, BASE + 2 * MINUTE_MS)).toEqual([BASE + MINUTE_MS]);
  expect(starts(0, Number.MAX_SAFE_INTEGER)).toEqual([BASE, BASE + MINUTE_MS, BASE + 90 * MINUTE_MS]);
  expect(starts(BASE, BASE)).toEqual([]);
  expect(rollups.readRollups({ tenant: "acme", resolution: "hour", from: BASE - 1, to: BASE + 1 }).map((r) => r.start)).toEqual([BASE]);
});

test("pruneRollups drops rows that ended before the cutoff and forgets old delta ids", () => {
  const rollups = new MemoryRollups();
  rollups.applyRollups([delta("old", [row(BASE), row(BASE + 59 * MINUTE_MS)])], BASE);
  rollups.applyRollups([delta("new", [row(BASE + 2 * HOUR_MS)])], BASE + 2 * HOUR_MS);
  // Minutes 0 and 59 ended by BASE + 1h; their hour row too (in each dimension set). The 12:00
  // hour and the day have not ended.
  expect(rollups.pruneRollups(BASE + HOUR_MS)).toBe(3 * DIMENSION_SETS.length);
  expect(rollups.readRollups({ ...all, resolution: "minute" }).map((r) => r.start)).toEqual([BASE + 2 * HOUR_MS]);
  expect(rollups.readRollups({ ...all, resolution: "hour" }).map((r) => r.start)).toEqual([BASE + 2 * HOUR_MS]);
  expect(rollups.applyRollups([delta("new", [row(BASE + 2 * HOUR_MS)])])).toEqual({ applied: 0, duplicates: 1 });
  expect(rollups.applyRollups([delta("old", [row(BASE)])])).toEqual({ applied: 1, duplicates: 0 });
});

test("the memory store starts empty, so its rollups count every event it holds", async () => {
  const store = new MemoryEventStore();
  expect(await store.rollupsSince()).toBe(0);
  expect(await store.applyRollups([delta("d1", [row(BASE)]), delta("d1", [row(BASE)])])).toEqual({ applied: 1, duplicates: 1 });
  expect((await store.readRollups({ ...all, resolution: "hour" }))[0]?.count).toBe(1);
});
