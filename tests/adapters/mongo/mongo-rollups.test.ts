import { afterAll, test as bunTest, expect } from "bun:test";
import type { CommandStartedEvent } from "mongodb";
import { MongoEventStore } from "../../../src/adapters/mongo/mongo-event-store.ts";
import { type DimSet, projectDims } from "../../../src/domain/rollup/dimension-sets.ts";
import { decodeBins } from "../../../src/domain/rollup/encoded-bins.ts";
import {
  dimsKey,
  emptyCell,
  HOUR_MS,
  hourOf,
  MAX_EXEMPLARS,
  MINUTE_MS,
  mergeCell,
  type RollupDelta,
  type RollupRecord,
  type RollupRow,
} from "../../../src/domain/rollup/rollup.ts";
import { capturingLogger } from "../../../src/log/logger.ts";
import { describeWithServices, serviceEnv, uniqueName } from "../../support/services.ts";

/** FerretDB scans the whole collection for every find: give each test room. */
const test = (name: string, body: () => Promise<void>) => bunTest(name, body, 60_000);

/** Two hours ago, so every row is inside any retention and whole hours are closed. */
const HOUR = hourOf(Date.now()) - 2 * HOUR_MS;
const DAY_MS = 24 * HOUR_MS;
/** The UTC day of HOUR - 1 h: two days from it hold every row. */
const DAY = Math.floor((HOUR - HOUR_MS) / DAY_MS) * DAY_MS;
const opened: MongoEventStore[] = [];

interface Collections {
  events: string;
  rollups: string;
}

const fresh = (): Collections => ({ events: uniqueName("rollup-events"), rollups: uniqueName("rollups") });

async function open(names: Collections, extra: Partial<ConstructorParameters<typeof MongoEventStore>[0]> = {}): Promise<MongoEventStore> {
  const store = new MongoEventStore({
    log: capturingLogger(),
    uri: serviceEnv.MONGODB_URI,
    db: "widegate_test",
    collection: names.events,
    rollupCollection: names.rollups,
    retentionDays: 30,
    pruneIntervalMs: 0,
    ...extra,
  });
  opened.push(store);
  await store.init();
  return store;
}

function row(minute: number, cell: Partial<RollupRow> = {}): RollupRow {
  return {
    service: "api",
    route: "/pay",
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
    bins: { "116": 1 },
    exemplars: [],
    ...cell,
  };
}

let seq = 0;
const delta = (rows: RollupRow[], tenant = "acme"): RollupDelta => ({
  kind: "rollup",
  id: `delta-${++seq}-${Math.random()}`,
  tenant,
  rows,
});

/** Varied rows: several dims, minutes across one hour, durations and bins that differ. */
function randomDeltas(n: number, hour = HOUR, tenant = "acme"): RollupDelta[] {
  const out: RollupDelta[] = [];
  for (let i = 0; i < n; i++) {
    const rows: RollupRow[] = [];
    for (let j = 0; j < 3; j++) {
      const d = 1 + ((i * 7 + j * 13) % 50);
      rows.push(
        row(hour + ((i + j * 11) % 60) * MINUTE_MS, {
          route: `/r${(i + j) % 3}`,
          statusCode: j === 2 ? 500 : 200,
          error: j === 2 ? 1 : 0,
          count: 1 + (i % 4),
          durationCount: 1,
          durationSum: d,
          durationMin: d,
          durationMax: d,
          bins: { [String(d % 5)]: 1 },
          exemplars: [`e${i}-${j}`],
        }),
      );
    }
    out.push(delta(rows, tenant));
  }
  return out;
}

type Cells = Map<string, Omit<RollupRecord, "exemplars" | "bins"> & { bins: Record<string, number> }>;

/** What the rows must hold: every delta's rows summed once, by resolution, start and dims. */
function expected(deltas: readonly RollupDelta[], resolution: "minute" | "hour"): Cells {
  const out: Cells = new Map();
  for (const d of deltas) {
    for (const r of d.rows) {
      const start = resolution === "hour" ? hourOf(r.minute) : r.minute;
      const key = `${start}|${dimsKey(r)}`;
      let into = out.get(key);
      if (!into) {
        const { service, route, method, statusCode, errorCode, error } = r;
        into = { start, service, route, method, statusCode, errorCode, error, ...emptyCell() };
        out.set(key, into);
      }
      mergeCell(into, r);
    }
  }
  return out;
}

function cells(records: readonly RollupRecord[]): Cells {
  const out: Cells = new Map();
  for (const { exemplars, ...cell } of records) {
    const key = `${cell.start}|${dimsKey(cell)}`;
    expect(out.has(key)).toBe(false);
    expect(exemplars.length).toBeLessThanOrEqual(MAX_EXEMPLARS);
    out.set(key, { ...cell, bins: decodeBins(cell.bins) });
  }
  return out;
}

const sorted = (c: Cells) => [...c.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
const expectCells = (actual: Cells, want: Cells) => expect(sorted(actual)).toEqual(sorted(want));

async function expectTotals(store: MongoEventStore, deltas: readonly RollupDelta[], tenant = "acme", hour = HOUR): Promise<void> {
  const read = { tenant, from: hour, to: hour + HOUR_MS };
  expectCells(cells(await store.readRollups({ ...read, resolution: "minute" })), expected(deltas, "minute"));
  expectCells(cells(await store.readRollups({ ...read, resolution: "hour" })), expected(deltas, "hour"));
}

const dayOf = (t: number) => Math.floor(t / DAY_MS) * DAY_MS;
const PERIOD_MS = { m: 10 * MINUTE_MS, h: 6 * HOUR_MS, d: 30 * DAY_MS };

/** The version numbers a partitioned store holds of one of acme's buckets. */
async function versionsOf(store: MongoEventStore, res: "m" | "h" | "d", start: number): Promise<number[]> {
  const { collection } = store.rollups;
  const where = collection.db.collection(`${collection.collectionName}.${res}${Math.floor(start / PERIOD_MS[res]) * PERIOD_MS[res]}`);
  const docs = await where.find({ res, start, tenant: "acme" }, { projection: { v: 1 } }).toArray();
  return docs.map((d) => Number(d.v)).sort((a, b) => a - b);
}

for (const partition of [true, false]) {
  await describeWithServices(["ferretdb"], `mongo rollups on FerretDB (${partition ? "partitioned by period" : "one collection"})`, () => {
    const openStore = (names: Collections, extra: Partial<ConstructorParameters<typeof MongoEventStore>[0]> = {}) =>
      open(names, { rollupPartition: partition, ...extra });

    // Every test leaves its partitions: dropping them all can outlast the default 5 s on a busy server.
    afterAll(async () => {
      for (const store of opened.splice(0)) {
        const prefix = `${store.rollups.collection.collectionName}.`;
        for (const { name } of await store.rollups.collection.db.listCollections({}, { nameOnly: true }).toArray()) {
          if (name.startsWith(prefix))
            await store.rollups.collection.db
              .collection(name)
              .drop()
              .catch(() => {});
        }
        await store.rollups.collection.drop().catch(() => {});
        await store.rollups.heads.drop().catch(() => {});
        await store.collection.drop().catch(() => {});
        await store.close();
      }
    }, 60_000);

    test("the minute and hour rows of several deltas are their sums", async () => {
      const store = await openStore(fresh());
      const deltas = randomDeltas(12);
      expect(await store.applyRollups(deltas.slice(0, 5))).toEqual({ applied: 5, duplicates: 0 });
      expect(await store.applyRollups(deltas.slice(5))).toEqual({ applied: 7, duplicates: 0 });
      await expectTotals(store, deltas);
    });

    test("applying the same deltas again, alone or mixed with new ones, changes nothing", async () => {
      const store = await openStore(fresh());
      const [a, b, c, d] = randomDeltas(4);
      if (!a || !b || !c || !d) throw new Error("fixture");
      expect(await store.applyRollups([a, b])).toEqual({ applied: 2, duplicates: 0 });
      expect(await store.applyRollups([a, b])).toEqual({ applied: 0, duplicates: 2 });
      expect(await store.applyRollups([b, c, a, c])).toEqual({ applied: 1, duplicates: 3 });
      expect(await store.applyRollups([d, a, b, c])).toEqual({ applied: 1, duplicates: 3 });
      await expectTotals(store, [a, b, c, d]);
    });

    test("two stores applying the same deltas at once count each delta once", async () => {
      const names = fresh();
      const [one, two] = [await openStore(names), await openStore(names)];
      const deltas = randomDeltas(30);
      const batches = (list: RollupDelta[]) => Array.from({ length: Math.ceil(list.length / 4) }, (_, i) => list.slice(i * 4, i * 4 + 4));
      const run = async (store: MongoEventStore, list: RollupDelta[]) => {
        let applied = 0;
        for (const batch of batches(list)) applied += (await store.applyRollups(batch)).applied;
        return applied;
      };
      const [a, b] = await Promise.all([run(one, deltas), run(two, deltas.slice().reverse())]);
      expect(a + b).toBe(deltas.length);
      await expectTotals(one, deltas);
      await expectTotals(two, deltas);
    });

    test("hour rows equal the sum of their minute rows after interleaved concurrent writers", async () => {
      const names = fresh();
      const stores = [await openStore(names), await openStore(names), await openStore(names)];
      const deltas = randomDeltas(45);
      // Each writer its own third, one delta per call, so minute and hour rewrites interleave.
      await Promise.all(
        stores.map(async (store, w) => {
          for (const d of deltas.filter((_, i) => i % stores.length === w)) await store.applyRollups([d]);
        }),
      );
      const store = stores[0];
      if (!store) throw new Error("fixture");
      const read = { tenant: "acme", from: HOUR, to: HOUR + HOUR_MS };
      const minutes = await store.readRollups({ ...read, resolution: "minute" });
      const hours = cells(await store.readRollups({ ...read, resolution: "hour" }));
      const fromMinutes: Cells = new Map();
      for (const { exemplars: _, ...m } of minutes) {
        const key = `${HOUR}|${dimsKey(m)}`;
        const into = fromMinutes.get(key) ?? { ...m, start: HOUR, ...emptyCell() };
        mergeCell(into, { ...m, bins: decodeBins(m.bins) });
        fromMinutes.set(key, into);
      }
      expectCells(hours, fromMinutes);
      await expectTotals(store, deltas);
    });

    test("minute and hour rows of the totals and service sets equal the full rows projected, over ragged ranges", async () => {
      const store = await openStore(fresh());
      const deltas = [...randomDeltas(8, HOUR - HOUR_MS), ...randomDeltas(8)];
      await store.applyRollups(deltas);
      const projected = (set: DimSet) => deltas.map((d) => ({ ...d, rows: d.rows.map((r) => ({ ...r, ...projectDims(r, set) })) }));
      const within = (c: Cells, from: number, to: number) => new Map([...c].filter(([, cell]) => cell.start >= from && cell.start < to));
      for (const set of [0, 1]) {
        const from = HOUR - 50 * MINUTE_MS;
        const to = HOUR + 25 * MINUTE_MS;
        const minutes = await store.readRollups({ tenant: "acme", resolution: "minute", from, to, set });
        expectCells(cells(minutes), within(expected(projected(set), "minute"), from, to));
        const hours = await store.readRollups({ tenant: "acme", resolution: "hour", from: HOUR - HOUR_MS, to: HOUR + HOUR_MS, set });
        expectCells(cells(hours), expected(projected(set), "hour"));
      }
    });

    test("reads sent at once, of different sets, ranges and resolutions over the same buckets, answer as each alone", async () => {
      const store = await openStore(fresh());
      await store.applyRollups([...randomDeltas(8, HOUR - HOUR_MS), ...randomDeltas(8)]);
      const base = { tenant: "acme" };
      const reads = [
        { ...base, resolution: "minute" as const, from: HOUR - 50 * MINUTE_MS, to: HOUR - 20 * MINUTE_MS, set: 0 },
        { ...base, resolution: "minute" as const, from: HOUR + 5 * MINUTE_MS, to: HOUR + 25 * MINUTE_MS, set: 1 },
        { ...base, resolution: "minute" as const, from: HOUR - 45 * MINUTE_MS, to: HOUR + 15 * MINUTE_MS },
        {
          ...base,
          resolution: "minute" as const,
          from: HOUR + 20 * MINUTE_MS,
          to: HOUR + 40 * MINUTE_MS,
          service: "api",
          error: 1 as const,
        },
        { ...base, resolution: "hour" as const, from: HOUR - HOUR_MS, to: HOUR + HOUR_MS, set: 1 },
        { ...base, resolution: "hour" as const, from: HOUR, to: HOUR + HOUR_MS, bins: false },
        { ...base, resolution: "day" as const, from: DAY, to: DAY + 2 * DAY_MS, set: 1 },
      ];
      const alone: RollupRecord[][] = [];
      for (const read of reads) alone.push(await store.readRollups(read));
      const together = await Promise.all(reads.map((read) => store.readRollups(read)));
      expect(alone.every((records) => records.length > 0)).toBe(true);
      for (const [i, records] of together.entries()) expectCells(cells(records), cells(alone[i] ?? []));
    });

    if (partition)
      test("reads sent at once of the same partition share one find", async () => {
        const store = await openStore(fresh(), { clientOptions: { monitorCommands: true } });
        await store.applyRollups([...randomDeltas(8, HOUR - HOUR_MS), ...randomDeltas(8)]);
        const days = `${store.rollups.collection.collectionName}.d`;
        const finds: string[] = [];
        const listen = (event: CommandStartedEvent) => {
          const on = event.command.find;
          if (event.commandName === "find" && typeof on === "string" && on.startsWith(days)) finds.push(on);
        };
        store.client.on("commandStarted", listen);
        // Day rows and per-hour sub-rows of the service set: both live in the day versions.
        const [byDay, byHour] = await Promise.all([
          store.readRollups({ tenant: "acme", resolution: "day", from: DAY, to: DAY + 2 * DAY_MS, set: 1 }),
          store.readRollups({ tenant: "acme", resolution: "hour", from: HOUR - HOUR_MS, to: HOUR + HOUR_MS, set: 1 }),
        ]);
        store.client.off("commandStarted", listen);
        expect(byDay.length).toBeGreaterThan(0);
        expect(byHour.length).toBeGreaterThan(0);
        expect(finds.length).toBe(new Set(finds).size);
      });

    if (partition)
      test("hours read alongside a scan of their days are looked up by _id, their partitions not scanned", async () => {
        const store = await openStore(fresh(), { clientOptions: { monitorCommands: true } });
        await store.applyRollups([...randomDeltas(8, HOUR - HOUR_MS), ...randomDeltas(8)]);
        const hours = `${store.rollups.collection.collectionName}.h`;
        const filters: string[] = [];
        const listen = (event: CommandStartedEvent) => {
          const on = event.command.find;
          if (event.commandName === "find" && typeof on === "string" && on.startsWith(hours))
            filters.push(Object.keys(event.command.filter).join());
        };
        store.client.on("commandStarted", listen);
        // A 7-day question's shape: whole days, and ragged minutes read from their hours' sub-rows.
        const [byDay, byMinute] = await Promise.all([
          store.readRollups({ tenant: "acme", resolution: "day", from: DAY, to: DAY + 2 * DAY_MS, set: 0 }),
          store.readRollups({ tenant: "acme", resolution: "minute", from: HOUR - 40 * MINUTE_MS, to: HOUR + 30 * MINUTE_MS, set: 0 }),
        ]);
        store.client.off("commandStarted", listen);
        expect(byDay.length).toBeGreaterThan(0);
        expect(byMinute.length).toBeGreaterThan(0);
        expect(filters.length).toBeGreaterThan(0);
        expect(filters.every((keys) => keys === "_id")).toBe(true);
      });

    test("counts, duration sums, mins, maxes and bins merge across deltas", async () => {
      const store = await openStore(fresh());
      const m = HOUR + 5 * MINUTE_MS;
      const deltas = [
        delta([
          row(m, { count: 3, durationCount: 2, durationSum: 7.5, durationMin: 2.5, durationMax: 5, bins: { "-1000000": 1, "92": 1 } }),
        ]),
        delta([row(m, { count: 2, durationCount: 0, durationSum: 0, durationMin: null, durationMax: null, bins: {} })]),
        delta([row(m, { count: 1, durationCount: 1, durationSum: 900, durationMin: 900, durationMax: 900, bins: { "343": 1 } })]),
        delta([row(m + MINUTE_MS, { count: 4, durationCount: 4, durationSum: 4, durationMin: 0.5, durationMax: 1.5, bins: { "92": 4 } })]),
      ];
      await store.applyRollups(deltas);
      const read = { tenant: "acme", from: HOUR, to: HOUR + HOUR_MS };
      const [first] = (await store.readRollups({ ...read, resolution: "minute" })).filter((r) => r.start === m);
      expect(first).toMatchObject({
        count: 6,
        durationCount: 3,
        durationSum: 907.5,
        durationMin: 2.5,
        durationMax: 900,
        bins: [1, 92, 343, 1, -250, 1],
      });
      const [hour] = await store.readRollups({ ...read, resolution: "hour" });
      expect(hour).toMatchObject({
        start: HOUR,
        count: 10,
        durationCount: 7,
        durationSum: 911.5,
        durationMin: 0.5,
        durationMax: 900,
        bins: [1, 92, 343, 5, -250, 1],
      });
      await expectTotals(store, deltas);
    });

    test("exemplars are kept per row, at most MAX_EXEMPLARS", async () => {
      const store = await openStore(fresh());
      const ids = Array.from({ length: 8 }, (_, i) => `ev-${i}`);
      await store.applyRollups(ids.map((id) => delta([row(HOUR, { exemplars: [id] })])));
      const [minute] = await store.readRollups({ tenant: "acme", resolution: "minute", from: HOUR, to: HOUR + MINUTE_MS });
      const [hour] = await store.readRollups({ tenant: "acme", resolution: "hour", from: HOUR, to: HOUR + HOUR_MS });
      for (const r of [minute, hour]) {
        expect(r?.exemplars.length).toBe(MAX_EXEMPLARS);
        for (const id of r?.exemplars ?? []) expect(ids).toContain(id);
      }
    });

    test("readRollups returns only the tenant's rows whose start is in [from, to)", async () => {
      const store = await openStore(fresh());
      const at = (h: number, m: number) => HOUR + h * HOUR_MS + m * MINUTE_MS;
      await store.applyRollups([
        delta([row(at(0, 0)), row(at(0, 59)), row(at(1, 0)), row(at(1, 30))]),
        delta([row(at(0, 10)), row(at(1, 10))], "other"),
      ]);
      const starts = async (tenant: string, resolution: "minute" | "hour", from: number, to: number) =>
        (await store.readRollups({ tenant, resolution, from, to })).map((r) => r.start).sort((a, b) => a - b);
      expect(await starts("acme", "minute", at(0, 0), at(1, 0))).toEqual([at(0, 0), at(0, 59)]);
      expect(await starts("acme", "minute", at(0, 1), at(1, 31))).toEqual([at(0, 59), at(1, 0), at(1, 30)]);
      expect(await starts("acme", "hour", at(0, 0), at(1, 0))).toEqual([at(0, 0)]);
      expect(await starts("acme", "hour", at(0, 0), at(2, 0))).toEqual([at(0, 0), at(1, 0)]);
      expect(await starts("other", "minute", at(0, 0), at(2, 0))).toEqual([at(0, 10), at(1, 10)]);
      expect(await starts("nobody", "hour", at(0, 0), at(2, 0))).toEqual([]);
    });

    test("a crash between the minute step and the hours heals when the delta comes again", async () => {
      const store = await openStore(fresh());
      const [applied, lost] = randomDeltas(2);
      if (!applied || !lost) throw new Error("fixture");
      await store.applyRollups([applied]);
      // The minute step alone, as a writer that died before bringing any hour up to date.
      const { fresh: added } = await store.rollups.applyMinutes([lost]);
      expect(added.size).toBe(1);
      const read = { tenant: "acme", from: HOUR, to: HOUR + HOUR_MS };
      expectCells(cells(await store.readRollups({ ...read, resolution: "hour" })), expected([applied], "hour"));
      expect(await store.applyRollups([lost])).toEqual({ applied: 0, duplicates: 1 });
      await expectTotals(store, [applied, lost]);
    });

    test("superseded versions are emptied: only the newest version of a bucket holds rows", async () => {
      const store = await openStore(fresh());
      const deltas = randomDeltas(10);
      for (const d of deltas) await store.applyRollups([d]);
      const where = partition
        ? store.rollups.collection.db.collection(`${store.rollups.collection.collectionName}.m${HOUR}`)
        : store.rollups.collection;
      const docs = await where.find({ res: { $in: ["m", "h", "d"] } }, { projection: { res: 1, start: 1, v: 1, stub: 1 } }).toArray();
      const buckets = new Map<string, Array<{ v: number; stub: boolean }>>();
      for (const doc of docs) {
        const key = `${doc.res}|${doc.start}`;
        buckets.set(key, [...(buckets.get(key) ?? []), { v: Number(doc.v), stub: doc.stub === true }]);
      }
      expect(buckets.size).toBeGreaterThan(0);
      for (const versions of buckets.values()) {
        const newest = Math.max(...versions.map((x) => x.v));
        expect(versions.map((x) => x.v).sort((a, b) => a - b)).toEqual(Array.from({ length: newest }, (_, i) => i + 1));
        expect(
          versions
            .filter((x) => !x.stub)
            .map((x) => x.v)
            .sort((a, b) => a - b),
        ).toEqual([newest]);
      }
    });

    if (partition)
      test("versions more than keep behind, once their parents hold them, are deleted", async () => {
        const store = await openStore(fresh());
        store.rollups.keep = 2;
        const deltas = Array.from({ length: 10 }, () => delta([row(HOUR)]));
        for (const d of deltas) await store.applyRollups([d]);
        for (const [res, start] of [
          ["m", HOUR],
          ["h", HOUR],
          ["d", dayOf(HOUR)],
        ] as const)
          expect(await versionsOf(store, res, start)).toEqual([8, 9, 10]);
        await expectTotals(store, deltas);
      });

    if (partition)
      test("writers with deletion interleaved one delta per call still sum exactly", async () => {
        const names = fresh();
        const stores = [await openStore(names), await openStore(names), await openStore(names)];
        for (const store of stores) store.rollups.keep = 1;
        // Two minutes only: every call makes a new version of the same minute, hour and day.
        const deltas = randomDeltas(45).map((d, i) => ({ ...d, rows: d.rows.map((r) => ({ ...r, minute: HOUR + (i % 2) * MINUTE_MS })) }));
        await Promise.all(
          stores.map(async (store, w) => {
            for (const d of deltas.filter((_, i) => i % stores.length === w)) await store.applyRollups([d]);
          }),
        );
        const store = stores[0];
        if (!store) throw new Error("fixture");
        expect((await versionsOf(store, "m", HOUR)).length).toBeLessThan(10);
        await expectTotals(store, deltas);
      });

    /** Two writers on one database keeping one version behind, five deltas of one hour; the first applied. */
    const twoWriters = async () => {
      const names = fresh();
      const [slow, fast] = [await openStore(names), await openStore(names)];
      slow.rollups.keep = 1;
      fast.rollups.keep = 1;
      const deltas = Array.from({ length: 5 }, () => delta([row(HOUR)]));
      await slow.applyRollups([deltas[0] as RollupDelta]);
      return { slow, fast, deltas };
    };

    if (partition)
      test("a fold whose child increments were deleted meanwhile builds on the newest parent", async () => {
        const { slow, fast, deltas } = await twoWriters();
        // While the slow writer's hour fold is about to read minute version 2, the fast one makes
        // versions 3-5 and folds them, deleting minute versions 1-3.
        const rollups = slow.rollups as unknown as { increments: (...args: unknown[]) => Promise<unknown> };
        const increments = rollups.increments.bind(slow.rollups);
        let paused = false;
        rollups.increments = async (...args: unknown[]) => {
          if (!paused && args[0] === "m") {
            paused = true;
            for (const d of deltas.slice(2)) await fast.applyRollups([d]);
          }
          return increments(...args);
        };
        expect(await slow.applyRollups([deltas[1] as RollupDelta])).toEqual({ applied: 1, duplicates: 0 });
        expect(paused).toBe(true);
        expect(await versionsOf(slow, "m", HOUR)).toEqual([4, 5]);
        await expectTotals(slow, deltas);
      });

    if (partition)
      test("a minute version inserted into a deleted number does not count: the delta goes on top of the newest", async () => {
        const { slow, fast, deltas } = await twoWriters();
        // The slow writer has read minute version 1 and is about to insert 2, while the fast one
        // makes versions 2-4 and deletes 1-2: the slow one's 2 lands in a deleted number.
        const rollups = slow.rollups as unknown as { state: (doc: { res: string }) => Promise<unknown> };
        const state = rollups.state.bind(slow.rollups);
        let paused = false;
        rollups.state = async (doc: { res: string }) => {
          if (!paused && doc.res === "m") {
            paused = true;
            for (const d of deltas.slice(2)) await fast.applyRollups([d]);
          }
          return state(doc);
        };
        expect(await slow.applyRollups([deltas[1] as RollupDelta])).toEqual({ applied: 1, duplicates: 0 });
        expect(paused).toBe(true);
        expect(await versionsOf(slow, "m", HOUR)).toEqual([4, 5]);
        await expectTotals(slow, deltas);
      });

    test("a delta without rows is applied once", async () => {
      const store = await openStore(fresh());
      const empty = delta([]);
      expect(await store.applyRollups([empty])).toEqual({ applied: 1, duplicates: 0 });
      expect(await store.applyRollups([empty])).toEqual({ applied: 0, duplicates: 1 });
    });

    test("rollupsSince is 0 for an empty store and the first init's time when events were stored before", async () => {
      const empty = await openStore(fresh());
      expect(await empty.rollupsSince()).toBe(0);

      const names = fresh();
      const before = await openStore({ events: names.events, rollups: uniqueName("rollups-unused") });
      await before.insertMany([{ eventId: "e1", requestId: "r1", tenant: "acme", service: "api", timestamp: new Date().toISOString() }]);
      const started = Date.now();
      const legacy = await openStore(names);
      const since = await legacy.rollupsSince();
      expect(since).toBeGreaterThanOrEqual(started);
      expect(since).toBeLessThanOrEqual(Date.now());
      // A later start, or another instance, keeps the first answer.
      const again = await openStore(names);
      expect(await again.rollupsSince()).toBe(since);
    });

    test("rows older than the rollup retention are pruned", async () => {
      const store = await openStore(fresh(), { rollupRetentionMs: HOUR_MS });
      expect(store.rollupRetention).toBe("prune");
      await store.applyRollups([delta([row(HOUR)]), delta([row(hourOf(Date.now()))])]);
      expect(await store.rollups.pruneExpired()).toBeGreaterThan(0);
      expect(await store.readRollups({ tenant: "acme", resolution: "minute", from: HOUR, to: HOUR + HOUR_MS })).toEqual([]);
      // Partitions expire whole: an hour row goes with its 6 hours' partition, once those have ended.
      const hours = await store.readRollups({ tenant: "acme", resolution: "hour", from: HOUR, to: HOUR + HOUR_MS });
      const sixHours = 6 * HOUR_MS;
      const partitionEnd = Math.floor(HOUR / sixHours) * sixHours + sixHours;
      expect(hours).toHaveLength(partition && partitionEnd > Date.now() - HOUR_MS ? 1 : 0);
      const now = hourOf(Date.now());
      expect(await store.readRollups({ tenant: "acme", resolution: "hour", from: now, to: now + HOUR_MS })).toHaveLength(1);
      expect(await store.rollupsSince()).toBe(0);
    });
  });
}
