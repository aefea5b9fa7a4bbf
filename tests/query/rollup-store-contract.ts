import { afterAll, beforeAll, test as bunTest, expect } from "bun:test";
import { decodeBins } from "../../src/domain/rollup/encoded-bins.ts";
import {
  dimsKey,
  emptyCell,
  HOUR_MS,
  hourOf,
  MAX_EXEMPLARS,
  MINUTE_MS,
  mergeCell,
  type Resolution,
  type RollupCell,
  type RollupDelta,
  type RollupDims,
  type RollupRecord,
  type RollupRow,
} from "../../src/domain/rollup/rollup.ts";
import type { EventStore } from "../../src/ports/event-store.ts";

/** FerretDB answers each write in milliseconds: give each test room. */
const test = (name: string, body: () => Promise<void>) => bunTest(name, body, 60_000);

/** A whole hour, so BASE + 60 minutes is the next hour's first minute. */
const BASE = Date.UTC(2026, 0, 5, 10);
const minute = (n: number) => BASE + n * MINUTE_MS;

const PAY: RollupDims = { service: "payment", route: "/api/pay", method: "POST", statusCode: 200, errorCode: null, error: 0 };
const PAY_FAIL: RollupDims = { service: "payment", route: "/api/pay", method: "POST", statusCode: 502, errorCode: "DB_DOWN", error: 1 };

/** A row whose durations are `durations` (dyadic fractions, so every store's sums are exact). */
function row(dims: RollupDims, at: number, durations: number[], extra: { count?: number; exemplars?: string[] } = {}): RollupRow {
  const bins: Record<string, number> = {};
  for (const d of durations) bins[String(Math.round(d))] = (bins[String(Math.round(d))] ?? 0) + 1;
  return {
    ...dims,
    minute: at,
    count: extra.count ?? Math.max(durations.length, 1),
    durationCount: durations.length,
    durationSum: durations.reduce((a, b) => a + b, 0),
    durationMin: durations.length > 0 ? Math.min(...durations) : null,
    durationMax: durations.length > 0 ? Math.max(...durations) : null,
    bins,
    exemplars: extra.exemplars ?? [],
  };
}

/** The comparable part of a stored row (a store may return more fields). */
function cellOf(record: RollupCell | RollupRecord): RollupCell {
  const { count, durationCount, durationSum, durationMin, durationMax, bins } = record;
  return {
    count,
    durationCount,
    durationSum,
    durationMin,
    durationMax,
    bins: Array.isArray(bins) || ArrayBuffer.isView(bins) ? decodeBins(bins as ArrayLike<number>) : { ...bins },
  };
}

function sumOf(cells: readonly (RollupCell | RollupRecord)[]): RollupCell {
  const total = emptyCell();
  for (const cell of cells) mergeCell(total, cellOf(cell));
  return total;
}

const dimsOf = (r: RollupDims): RollupDims => ({
  service: r.service,
  route: r.route,
  method: r.method,
  statusCode: r.statusCode,
  errorCode: r.errorCode,
  error: r.error,
});

/**
 * The rollup half of the EventStore port, for any store: `open` gives a fresh, empty store (called
 * once, and again only with `reopens`, which says a second `open` reaches the same data).
 * Only the port is used, and a few hundred rows at most, so it runs in seconds on FerretDB.
 */
export function rollupStoreContract(
  open: () => Promise<EventStore>,
  cleanup: (store: EventStore) => Promise<void>,
  options: { reopens?: boolean } = {},
): void {
  let store: EventStore;
  // Tenants and ids unique to this run: each test reads only what it wrote.
  const run = crypto.randomUUID().slice(0, 8);
  const tenantOf = (name: string) => `rc-${run}-${name}`;
  const deltaOf = (tenant: string, id: string, rows: RollupRow[]): RollupDelta => ({ kind: "rollup", id: `${run}-${id}`, tenant, rows });
  const read = (tenant: string, resolution: Resolution, from = BASE - 24 * HOUR_MS, to = BASE + 24 * HOUR_MS) =>
    store.readRollups({ tenant, resolution, from, to });
  const find = (records: readonly RollupRecord[], dims: RollupDims, start: number): RollupRecord => {
    const hits = records.filter((r) => r.start === start && dimsKey(dimsOf(r)) === dimsKey(dims));
    if (hits.length !== 1) throw new Error(`${hits.length} rows for ${dimsKey(dims)} at ${new Date(start).toISOString()}`);
    return hits[0] as RollupRecord;
  };

  beforeAll(async () => {
    store = await open();
  }, 60_000);
  afterAll(async () => {
    await cleanup(store);
  });

  test("a new store that held no events counts every one: rollupsSince() is 0", async () => {
    expect(await store.rollupsSince()).toBe(0);
    expect(await store.applyRollups([])).toEqual({ applied: 0, duplicates: 0 });
  });

  test("totals of several deltas: counts, duration sums and bins add up; min of mins, max of maxes", async () => {
    const tenant = tenantOf("totals");
    const rows = [
      [row(PAY, minute(3), [], { count: 4 }), row(PAY_FAIL, minute(3), [1000])],
      [row(PAY, minute(3), [12.5, 40.25, 7])],
      [row(PAY, minute(3), [3.5, 90], { count: 5 })],
    ];
    const result = await store.applyRollups(rows.map((r, i) => deltaOf(tenant, `totals-${i}`, r)));
    expect(result).toEqual({ applied: 3, duplicates: 0 });
    const minutes = await read(tenant, "minute");
    expect(minutes.length).toBe(2);
    expect(cellOf(find(minutes, PAY, minute(3)))).toEqual({
      count: 12,
      durationCount: 5,
      durationSum: 153.25,
      durationMin: 3.5,
      durationMax: 90,
      bins: { "13": 1, "40": 1, "7": 1, "4": 1, "90": 1 },
    });
    expect(cellOf(find(minutes, PAY_FAIL, minute(3)))).toEqual(cellOf(row(PAY_FAIL, minute(3), [1000])));
    const hours = await read(tenant, "hour");
    expect(hours.length).toBe(2);
    expect(cellOf(find(hours, PAY, BASE))).toEqual(cellOf(find(minutes, PAY, minute(3))));
  });

  test("re-applying applied deltas reports them as duplicates and changes no total", async () => {
    const tenant = tenantOf("again");
    const deltas = [deltaOf(tenant, "again-1", [row(PAY, minute(1), [10])]), deltaOf(tenant, "again-2", [row(PAY, minute(1), [20, 30])])];
    expect(await store.applyRollups(deltas)).toEqual({ applied: 2, duplicates: 0 });
    const before = { minutes: await read(tenant, "minute"), hours: await read(tenant, "hour") };
    expect(await store.applyRollups(deltas)).toEqual({ applied: 0, duplicates: 2 });
    expect(await store.applyRollups([deltas[1] as RollupDelta])).toEqual({ applied: 0, duplicates: 1 });
    expect(cellOf(find(await read(tenant, "minute"), PAY, minute(1)))).toEqual(cellOf(find(before.minutes, PAY, minute(1))));
    expect(cellOf(find(await read(tenant, "hour"), PAY, BASE))).toEqual(cellOf(find(before.hours, PAY, BASE)));
    expect(find(before.minutes, PAY, minute(1)).count).toBe(3);
  });

  test("a call mixing applied and new deltas applies only the new ones", async () => {
    const tenant = tenantOf("mixed");
    const old = deltaOf(tenant, "mixed-old", [row(PAY, minute(2), [8])]);
    const fresh = deltaOf(tenant, "mixed-new", [row(PAY, minute(2), [16])]);
    expect(await store.applyRollups([old])).toEqual({ applied: 1, duplicates: 0 });
    expect(await store.applyRollups([old, fresh])).toEqual({ applied: 1, duplicates: 1 });
    expect(cellOf(find(await read(tenant, "minute"), PAY, minute(2)))).toEqual(cellOf(sumOf([old.rows[0], fresh.rows[0]] as RollupRow[])));
  });

  test("the same delta twice in one call counts once", async () => {
    const tenant = tenantOf("twice");
    const delta = deltaOf(tenant, "twice", [row(PAY, minute(4), [5])]);
    expect(await store.applyRollups([delta, delta])).toEqual({ applied: 1, duplicates: 1 });
    expect(find(await read(tenant, "minute"), PAY, minute(4)).count).toBe(1);
  });

  test("the same delta id in two tenants is two deltas", async () => {
    const [a, b] = [tenantOf("id-a"), tenantOf("id-b")];
    const rows = [row(PAY, minute(5), [5])];
    expect(await store.applyRollups([deltaOf(a, "shared", rows), deltaOf(b, "shared", rows)])).toEqual({ applied: 2, duplicates: 0 });
    expect(find(await read(b, "minute"), PAY, minute(5)).count).toBe(1);
  });

  test("a delta's rows across two hours land in two hour rows, each the sum of its minute rows", async () => {
    const tenant = tenantOf("hours");
    const rows = [
      row(PAY, minute(58), [1, 2], { exemplars: ["h-1"] }),
      row(PAY, minute(59), [4], { exemplars: ["h-2"] }),
      row(PAY_FAIL, minute(59), [2000]),
      row(PAY, minute(60), [8, 16, 32], { exemplars: ["h-3"] }),
      row(PAY, minute(61), [], { count: 7 }),
      row(PAY_FAIL, minute(61), [500.5]),
    ];
    expect(await store.applyRollups([deltaOf(tenant, "hours", rows)])).toEqual({ applied: 1, duplicates: 0 });
    const minutes = await read(tenant, "minute");
    const hours = await read(tenant, "hour");
    expect(minutes.length).toBe(rows.length);
    expect(hours.map((h) => `${h.start}/${dimsKey(dimsOf(h))}`).sort()).toEqual(
      [BASE, BASE + HOUR_MS].flatMap((start) => [PAY, PAY_FAIL].map((dims) => `${start}/${dimsKey(dims)}`)).sort(),
    );
    for (const hour of hours) {
      const inHour = minutes.filter((m) => hourOf(m.start) === hour.start && dimsKey(dimsOf(m)) === dimsKey(dimsOf(hour)));
      expect(inHour.length).toBeGreaterThan(0);
      expect(cellOf(hour)).toEqual(cellOf(sumOf(inHour)));
      expect([...hour.exemplars].sort()).toEqual(inHour.flatMap((m) => m.exemplars).sort());
    }
    expect(find(hours, PAY, BASE + HOUR_MS).count).toBe(10);
  });

  test("readRollups confines to the tenant, the resolution and starts in [from, to)", async () => {
    const [a, b] = [tenantOf("range-a"), tenantOf("range-b")];
    await store.applyRollups([
      deltaOf(a, "range-a", [row(PAY, minute(0), [1]), row(PAY, minute(1), [2]), row(PAY, minute(2), [4]), row(PAY, minute(60), [8])]),
      deltaOf(b, "range-b", [row(PAY, minute(1), [100])]),
    ]);
    const starts = (records: RollupRecord[]) => records.map((r) => r.start).sort((x, y) => x - y);
    const one = await read(a, "minute", minute(1), minute(2));
    expect(starts(one)).toEqual([minute(1)]);
    expect(one[0]?.durationSum).toBe(2);
    expect(starts(await read(a, "minute", minute(0), minute(60)))).toEqual([minute(0), minute(1), minute(2)]);
    expect(starts(await read(a, "minute", minute(2), minute(61)))).toEqual([minute(2), minute(60)]);
    expect(starts(await read(a, "minute", minute(3), minute(60)))).toEqual([]);
    expect(starts(await read(b, "minute"))).toEqual([minute(1)]);
    expect((await read(b, "minute"))[0]?.durationSum).toBe(100);
    expect(starts(await read(a, "hour"))).toEqual([BASE, BASE + HOUR_MS]);
    expect(starts(await read(a, "hour", BASE, BASE + HOUR_MS))).toEqual([BASE]);
    // An hour row starts at its hour: a range beginning one minute later leaves it out.
    expect(starts(await read(a, "hour", minute(1), BASE + HOUR_MS))).toEqual([]);
    expect(await read(tenantOf("nobody"), "minute")).toEqual([]);
  });

  test("exemplars merge without repeats, up to MAX_EXEMPLARS", async () => {
    const tenant = tenantOf("exemplars");
    const few = [["a", "b"], ["b", "c"], ["a"]].map((ids, i) =>
      deltaOf(tenant, `ex-few-${i}`, [row(PAY, minute(7), [1], { exemplars: ids })]),
    );
    await store.applyRollups(few);
    expect([...find(await read(tenant, "minute"), PAY, minute(7)).exemplars].sort()).toEqual(["a", "b", "c"]);

    const sent = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"];
    const many = [sent.slice(0, 3), sent.slice(1, 4), sent.slice(3)].map((ids, i) =>
      deltaOf(tenant, `ex-many-${i}`, [row(PAY_FAIL, minute(7), [1], { exemplars: ids })]),
    );
    for (const delta of many) await store.applyRollups([delta]);
    for (const record of [find(await read(tenant, "minute"), PAY_FAIL, minute(7)), find(await read(tenant, "hour"), PAY_FAIL, BASE)]) {
      expect(record.exemplars.length).toBe(MAX_EXEMPLARS);
      expect(new Set(record.exemplars).size).toBe(MAX_EXEMPLARS);
      for (const id of record.exemplars) expect(sent).toContain(id);
    }
    const hourPay = find(await read(tenant, "hour"), PAY, BASE);
    expect([...hourPay.exemplars].sort()).toEqual(["a", "b", "c"]);
  });

  test("50 single-delta calls at once, some repeated, give exact totals", async () => {
    const tenant = tenantOf("concurrent");
    const unique = Array.from({ length: 40 }, (_, i) =>
      deltaOf(tenant, `conc-${i}`, [
        row(PAY, minute(10 + (i % 2)), [i + 0.5]),
        row(PAY_FAIL, minute(59 + (i % 3)), [2 * i], { count: 2, exemplars: [`c-${i}`] }),
      ]),
    );
    const calls = [...unique, ...unique.slice(0, 10)];
    const results = await Promise.all(calls.map((delta) => store.applyRollups([delta])));
    expect(results.reduce((n, r) => n + r.applied, 0)).toBe(40);
    expect(results.reduce((n, r) => n + r.duplicates, 0)).toBe(10);
    const minutes = await read(tenant, "minute");
    const hours = await read(tenant, "hour");
    const expected = (dims: RollupDims, start: number, resolution: Resolution) =>
      cellOf(
        sumOf(
          unique
            .flatMap((d) => d.rows)
            .filter((r) => dimsKey(dimsOf(r)) === dimsKey(dims) && (resolution === "minute" ? r.minute : hourOf(r.minute)) === start),
        ),
      );
    for (const start of [minute(10), minute(11)]) expect(cellOf(find(minutes, PAY, start))).toEqual(expected(PAY, start, "minute"));
    for (const start of [minute(59), minute(60), minute(61)]) {
      expect(cellOf(find(minutes, PAY_FAIL, start))).toEqual(expected(PAY_FAIL, start, "minute"));
    }
    expect(cellOf(find(hours, PAY, BASE))).toEqual(expected(PAY, BASE, "hour"));
    expect(cellOf(find(hours, PAY_FAIL, BASE))).toEqual(expected(PAY_FAIL, BASE, "hour"));
    expect(cellOf(find(hours, PAY_FAIL, BASE + HOUR_MS))).toEqual(expected(PAY_FAIL, BASE + HOUR_MS, "hour"));
    expect(find(hours, PAY, BASE).count).toBe(40);
    expect(minutes.length + hours.length).toBe(5 + 3);
  });

  test("null dimensions are a group of their own and read back as null", async () => {
    const tenant = tenantOf("nulls");
    const bare: RollupDims = { service: "worker", route: null, method: null, statusCode: null, errorCode: null, error: 0 };
    // The text "null" is a value like any other, not a missing one.
    const named: RollupDims = { service: "worker", route: "null", method: null, statusCode: null, errorCode: null, error: 0 };
    const failed: RollupDims = { service: "worker", route: null, method: null, statusCode: null, errorCode: "BOOM", error: 1 };
    await store.applyRollups([
      deltaOf(tenant, "nulls-1", [row(bare, minute(20), [1]), row(named, minute(20), [2]), row(failed, minute(20), [4])]),
      deltaOf(tenant, "nulls-2", [row(bare, minute(20), [8])]),
    ]);
    for (const resolution of ["minute", "hour"] as const) {
      const records = await read(tenant, resolution);
      expect(records.length).toBe(3);
      const start = resolution === "minute" ? minute(20) : BASE;
      const got = find(records, bare, start);
      expect(dimsOf(got)).toEqual(bare);
      expect(got.route).toBeNull();
      expect(got.statusCode).toBeNull();
      expect(cellOf(got)).toEqual(cellOf(sumOf([row(bare, 0, [1]), row(bare, 0, [8])])));
      expect(dimsOf(find(records, named, start))).toEqual(named);
      expect(dimsOf(find(records, failed, start))).toEqual(failed);
    }
  });

  test("every dimension set and resolution holds the same totals, summed over the dimensions it leaves out", async () => {
    const tenant = tenantOf("sets");
    const refund: RollupDims = { ...PAY, route: "/api/refund" };
    const checkout: RollupDims = { ...PAY, service: "checkout", route: "/api/cart" };
    const nextDay = BASE + 24 * HOUR_MS;
    const rows = [
      row(PAY, minute(3), [4, 8]),
      row(PAY_FAIL, minute(3), [1000]),
      row(refund, minute(61), [2]),
      row(checkout, minute(5), [16], { count: 3 }),
      row(PAY, nextDay, [32]),
    ];
    await store.applyRollups([deltaOf(tenant, "sets-a", rows.slice(0, 3)), deltaOf(tenant, "sets-b", rows.slice(3))]);
    const day = Date.UTC(2026, 0, 5);
    const everything = { tenant, from: day, to: day + 2 * 24 * HOUR_MS };
    const total = (pick: (r: RollupRow) => boolean) => cellOf(sumOf(rows.filter(pick)));
    for (const resolution of ["minute", "hour", "day"] as const) {
      const [totals, byService, byOutcome, byRoute] = await Promise.all(
        [0, 1, 2, 3].map((set) => store.readRollups({ ...everything, resolution, set })),
      );
      const sum = (records: RollupRecord[] | undefined, pick: (r: RollupRecord) => boolean) => cellOf(sumOf((records ?? []).filter(pick)));
      expect(sum(totals, (r) => r.error === 0)).toEqual(total((r) => r.error === 0));
      expect(sum(totals, (r) => r.error === 1)).toEqual(total((r) => r.error === 1));
      expect(totals?.every((r) => r.service === "" && r.route === null && r.statusCode === null)).toBe(true);
      expect(sum(byService, (r) => r.service === "payment")).toEqual(total((r) => r.service === "payment"));
      expect(byService?.every((r) => r.route === null && r.method === null && r.errorCode === null)).toBe(true);
      expect(sum(byOutcome, (r) => r.errorCode === "DB_DOWN")).toEqual(total((r) => r.errorCode === "DB_DOWN"));
      expect(byOutcome?.every((r) => r.route === null)).toBe(true);
      expect(sum(byRoute, (r) => r.route === "/api/pay")).toEqual(total((r) => r.route === "/api/pay"));
      expect(byRoute?.every((r) => r.statusCode === null && r.errorCode === null)).toBe(true);
    }
    const days = await store.readRollups({ ...everything, resolution: "day", set: 1 });
    expect(days.map((r) => [new Date(r.start).toISOString(), r.service, r.error, r.count]).sort()).toEqual([
      ["2026-01-05T00:00:00.000Z", "checkout", 0, 3],
      ["2026-01-05T00:00:00.000Z", "payment", 0, 3],
      ["2026-01-05T00:00:00.000Z", "payment", 1, 1],
      ["2026-01-06T00:00:00.000Z", "payment", 0, 1],
    ]);
    const lean = await store.readRollups({ ...everything, resolution: "hour", set: 1, bins: false });
    expect(lean.length).toBeGreaterThan(0);
    expect(lean.every((r) => r.bins.length === 0)).toBe(true);
    // Narrowing hints: a store may skip other rows, never a matching one.
    const narrowed = await store.readRollups({ ...everything, resolution: "minute", set: 3, service: "payment", error: 0 });
    const matching = (await store.readRollups({ ...everything, resolution: "minute", set: 3 })).filter(
      (r) => r.service === "payment" && r.error === 0,
    );
    expect(cellOf(sumOf(narrowed.filter((r) => r.service === "payment" && r.error === 0)))).toEqual(cellOf(sumOf(matching)));
    expect(matching.length).toBeGreaterThan(0);
  });

  const reopenTest = options.reopens ? test : (name: string, body: () => Promise<void>) => bunTest.skip(name, body);
  reopenTest("a store reopened on the same data keeps its totals and the deltas it applied", async () => {
    const tenant = tenantOf("reopen");
    const delta = deltaOf(tenant, "reopen", [row(PAY, minute(30), [3, 6]), row(PAY, minute(75), [9])]);
    await store.applyRollups([delta]);
    const before = { minutes: await read(tenant, "minute"), hours: await read(tenant, "hour") };
    const again = await open();
    try {
      const minutes = await again.readRollups({ tenant, resolution: "minute", from: BASE, to: BASE + 2 * HOUR_MS });
      const hours = await again.readRollups({ tenant, resolution: "hour", from: BASE, to: BASE + 2 * HOUR_MS });
      expect(minutes.map(cellOf).sort((x, y) => x.count - y.count)).toEqual(before.minutes.map(cellOf).sort((x, y) => x.count - y.count));
      expect(hours.map(cellOf).sort((x, y) => x.count - y.count)).toEqual(before.hours.map(cellOf).sort((x, y) => x.count - y.count));
      expect(await again.applyRollups([delta])).toEqual({ applied: 0, duplicates: 1 });
      expect(await again.rollupsSince()).toBe(await store.rollupsSince());
    } finally {
      await again.close();
    }
    expect(find(await read(tenant, "hour"), PAY, BASE).count).toBe(2);
  });
}
