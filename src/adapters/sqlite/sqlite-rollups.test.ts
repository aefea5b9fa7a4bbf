import { Database } from "bun:sqlite";
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DIMENSION_SETS } from "../../domain/rollup/dimension-sets.ts";
import { HOUR_MS, MINUTE_MS, type RollupDelta, type RollupRow } from "../../domain/rollup/rollup.ts";
import type { OutboundEvent } from "../../ports/publisher.ts";
import { SqliteEventStore } from "./sqlite-event-store.ts";
import { SqliteRollups } from "./sqlite-rollups.ts";
import { migrate, SCHEMA_VERSION } from "./sqlite-schema.ts";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "widegate-sqlite-rollups-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

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
  exemplars: [],
  ...extra,
});
const delta = (id: string, rows: RollupRow[]): RollupDelta => ({ kind: "rollup", id, tenant: "acme", rows });
const all = { tenant: "acme", from: 0, to: BASE + 1000 * HOUR_MS };
const event = (id: string): OutboundEvent => ({
  eventId: id,
  requestId: `r-${id}`,
  tenant: "acme",
  service: "payment",
  timestamp: new Date(BASE).toISOString(),
});

/** A v1 file: today's events table, no rollup tables. */
async function v1File(dir: string, events: OutboundEvent[]): Promise<string> {
  const store = new SqliteEventStore(dir);
  await store.insertMany(events);
  store.db.exec("DROP TABLE rollups; DROP TABLE rollup_applied; DROP TABLE rollup_meta; PRAGMA user_version = 1;");
  store.db.close();
  return join(dir, "events.sqlite");
}

test("a v1 file with events migrates keeping them; rollups count from the next whole minute", async () => {
  const file = await v1File(tempDir(), [event("a"), event("b")]);
  const db = new Database(file, { strict: true });
  migrate(db, BASE + 30_000);
  expect(db.query<{ user_version: number }, []>("PRAGMA user_version").get()?.user_version).toBe(SCHEMA_VERSION);
  expect(SCHEMA_VERSION).toBe(3);
  expect(new SqliteRollups(db).rollupsSince()).toBe(BASE + MINUTE_MS);
  db.close();

  const store = new SqliteEventStore(join(file, ".."));
  expect(await store.count()).toBe(2);
  expect(await store.rollupsSince()).toBe(BASE + MINUTE_MS);
  await store.close();
});

test("a v2 file's minute rows carry over into every dimension set at minute, hour and day", async () => {
  const dir = tempDir();
  const store = new SqliteEventStore(dir);
  store.db.exec(`DROP TABLE rollups; CREATE TABLE rollups (
    tenant TEXT NOT NULL, res TEXT NOT NULL, start INTEGER NOT NULL, k TEXT NOT NULL,
    service TEXT NOT NULL, route TEXT, method TEXT, status INTEGER, error_code TEXT, err INTEGER NOT NULL,
    count INTEGER NOT NULL, duration_count INTEGER NOT NULL, duration_sum REAL NOT NULL,
    duration_min REAL, duration_max REAL, bins TEXT NOT NULL, exemplars TEXT NOT NULL,
    PRIMARY KEY (tenant, res, start, k)) WITHOUT ROWID; PRAGMA user_version = 2;`);
  const insert = store.db.prepare(
    `INSERT INTO rollups VALUES ('acme', ?, ?, ?, 'payment', ?, 'POST', ?, NULL, ?, ?, ?, ?, 5, 40, '{"10":1,"20":2}', '["e1"]')`,
  );
  insert.run("minute", BASE, "k1", "/api/pay", 200, 0, 3, 3, 50);
  insert.run("minute", BASE + MINUTE_MS, "k2", "/api/refund", 503, 1, 3, 3, 50);
  // The v2 hour row is not read: hours are summed again from the minutes.
  insert.run("hour", BASE, "k1", "/api/pay", 200, 0, 999, 3, 50);
  store.db.close();

  const db = new Database(join(dir, "events.sqlite"), { strict: true });
  migrate(db);
  const rollups = new SqliteRollups(db);
  const full = rollups.readRollups({ ...all, resolution: "minute" });
  expect(full.map((r) => [r.route, r.statusCode, r.error, r.count, Array.from(r.bins), r.exemplars])).toEqual([
    ["/api/pay", 200, 0, 3, [0, 10, 20, 1, -9, 2], ["e1"]],
    ["/api/refund", 503, 1, 3, [0, 10, 20, 1, -9, 2], ["e1"]],
  ]);
  const byService = rollups.readRollups({ ...all, resolution: "day", set: 1 });
  expect(byService.map((r) => [r.service, r.route, r.error, r.count, r.durationSum, Array.from(r.bins)])).toEqual([
    ["payment", null, 0, 3, 50, [0, 10, 20, 1, -9, 2]],
    ["payment", null, 1, 3, 50, [0, 10, 20, 1, -9, 2]],
  ]);
  expect(
    rollups.readRollups({ ...all, resolution: "hour", set: 0, bins: false }).map((r) => [r.service, r.count, Array.from(r.bins)]),
  ).toEqual([
    ["", 3, []],
    ["", 3, []],
  ]);
  expect(db.query("SELECT name FROM sqlite_master WHERE name = 'rollups_v2'").get()).toBeNull();
  db.close();
});

test("a v1 file without events, and a new file, count every event: rollupsSince() is 0", async () => {
  const file = await v1File(tempDir(), []);
  const db = new Database(file, { strict: true });
  migrate(db, BASE);
  expect(new SqliteRollups(db).rollupsSince()).toBe(0);
  db.close();

  const fresh = new SqliteEventStore(tempDir());
  expect(await fresh.rollupsSince()).toBe(0);
  await fresh.insertMany([event("later")]);
  expect(await fresh.rollupsSince()).toBe(0);
  await fresh.close();
});

test("a v0 file migrates through v1 to v2, its events marking where rollups begin", async () => {
  const dir = tempDir();
  const legacy = new Database(join(dir, "events.sqlite"), { create: true });
  legacy.exec("CREATE TABLE events (event_id TEXT PRIMARY KEY, ts INTEGER NOT NULL, doc TEXT NOT NULL) WITHOUT ROWID;");
  legacy.prepare("INSERT INTO events VALUES (?, ?, ?)").run("old", BASE, JSON.stringify(event("old")));
  legacy.close();
  const before = Date.now();
  const store = new SqliteEventStore(dir);
  expect(await store.count()).toBe(1);
  const since = await store.rollupsSince();
  expect(since % MINUTE_MS).toBe(0);
  expect(since).toBeGreaterThan(before);
  await store.close();
});

test("totals and applied ids survive a close and reopen", async () => {
  const dir = tempDir();
  const first = new SqliteEventStore(dir);
  await first.applyRollups([delta("d1", [row(BASE, { exemplars: ["e1"] }), row(BASE + HOUR_MS)])]);
  await first.close();
  const reopened = new SqliteEventStore(dir);
  expect(await reopened.applyRollups([delta("d1", [row(BASE)])])).toEqual({ applied: 0, duplicates: 1 });
  const hours = await reopened.readRollups({ ...all, resolution: "hour" });
  expect(hours.map((h) => [h.start, h.count, h.exemplars])).toEqual([
    [BASE, 1, ["e1"]],
    [BASE + HOUR_MS, 1, []],
  ]);
  await reopened.close();
});

test("a call that fails part-way applies none of its deltas", async () => {
  const store = new SqliteEventStore(tempDir());
  const broken = row(BASE, { service: null as unknown as string });
  await expect(store.applyRollups([delta("good", [row(BASE)]), delta("bad", [broken])])).rejects.toThrow();
  expect(await store.readRollups({ ...all, resolution: "minute" })).toEqual([]);
  expect(await store.applyRollups([delta("good", [row(BASE)])])).toEqual({ applied: 1, duplicates: 0 });
  await store.close();
});

test("two connections to one file apply a delta once between them", async () => {
  const dir = tempDir();
  const [a, b] = [new SqliteEventStore(dir), new SqliteEventStore(dir)];
  const results = await Promise.all([a.applyRollups([delta("d1", [row(BASE)])]), b.applyRollups([delta("d1", [row(BASE)])])]);
  expect(results.map((r) => r.applied).sort()).toEqual([0, 1]);
  expect((await b.readRollups({ ...all, resolution: "minute" }))[0]?.count).toBe(1);
  await Promise.all([a.close(), b.close()]);
});

test("pruneRollups deletes rows that ended before the cutoff and the ids of deltas applied before it", async () => {
  const store = new SqliteEventStore(tempDir());
  const rollups = new SqliteRollups(store.db);
  rollups.applyRollups([delta("old", [row(BASE), row(BASE + 59 * MINUTE_MS)])], BASE);
  rollups.applyRollups([delta("new", [row(BASE + 2 * HOUR_MS)])], BASE + 2 * HOUR_MS);
  // Minutes 0 and 59 and their hour, in each dimension set; the day has not ended.
  expect(await store.pruneRollups(BASE + HOUR_MS)).toBe(3 * DIMENSION_SETS.length);
  expect((await store.readRollups({ ...all, resolution: "minute" })).map((r) => r.start)).toEqual([BASE + 2 * HOUR_MS]);
  expect((await store.readRollups({ ...all, resolution: "hour" })).map((r) => r.start)).toEqual([BASE + 2 * HOUR_MS]);
  expect(await store.applyRollups([delta("new", [row(BASE)])])).toEqual({ applied: 0, duplicates: 1 });
  expect(await store.applyRollups([delta("old", [row(BASE)])])).toEqual({ applied: 1, duplicates: 0 });
  await store.close();
});

test("a flush of 20 deltas × 500 rows, in one call and one by one, sums exactly", async () => {
  const store = new SqliteEventStore(tempDir());
  const routes = Array.from({ length: 50 }, (_, i) => `/r/${i}`);
  const deltas = Array.from({ length: 20 }, (_, d) =>
    delta(
      `bulk-${d}`,
      Array.from({ length: 500 }, (_, i) => row(BASE + (i % 10) * MINUTE_MS, { route: routes[i % 50] ?? null, statusCode: 200 + (i % 3) })),
    ),
  );
  await store.applyRollups(deltas.slice(0, 10));
  for (const d of deltas.slice(10)) await store.applyRollups([d]);
  const hours = await store.readRollups({ ...all, resolution: "hour" });
  expect(hours.reduce((n, h) => n + h.count, 0)).toBe(10_000);
  await store.close();
});
