import { Database } from "bun:sqlite";
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OutboundEvent } from "../../ports/publisher.ts";
import { SqliteEventStore } from "./sqlite-event-store.ts";
import { SCHEMA_VERSION } from "./sqlite-schema.ts";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "widegate-sqlite-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const NOW = Date.UTC(2026, 10, 26, 12);
const event = (id: string, extra: Record<string, unknown> = {}): OutboundEvent => ({
  eventId: id,
  requestId: `r-${id}`,
  tenant: "acme",
  service: "payment",
  timestamp: new Date(NOW - 60_000).toISOString(),
  durationMs: 120,
  sampling: { reason: "SAMPLED_NORMAL", rate: 0.05 },
  ...extra,
});
const countQuery = { metric: "count", timeRange: { last: "1h" } } as const;

test("events survive a close and reopen of the file", async () => {
  const dir = tempDir();
  const first = new SqliteEventStore(dir);
  expect(await first.insertMany([event("a"), event("b"), event("c", { error: { code: "E" }, sampling: { rate: 1 } })])).toEqual({
    inserted: 3,
    duplicates: 0,
  });
  await first.close();

  const reopened = new SqliteEventStore(dir);
  expect(await reopened.count()).toBe(3);
  expect(await reopened.query(countQuery, { tenant: "acme", now: NOW })).toEqual({ rows: [{ value: 41 }], estimated: true });
  const page = await reopened.find({ limit: 10 }, { tenant: "acme" });
  expect(page.events.map((e) => e.eventId).sort()).toEqual(["a", "b", "c"]);
  expect(await reopened.insertMany([event("a")])).toEqual({ inserted: 0, duplicates: 1 });
  await reopened.close();
});

test("the same eventId in two tenants is two events; a repeat in one tenant is a duplicate", async () => {
  const store = new SqliteEventStore(tempDir());
  const result = await store.insertMany([event("x"), event("x", { tenant: "other" }), event("x")]);
  expect(result).toEqual({ inserted: 2, duplicates: 1 });
  await store.close();
});

test("a v0 file (event_id, ts, doc) is migrated on open, keeping every event", async () => {
  const dir = tempDir();
  const legacy = new Database(join(dir, "events.sqlite"), { create: true });
  legacy.exec(
    "CREATE TABLE events (event_id TEXT PRIMARY KEY, ts INTEGER NOT NULL, doc TEXT NOT NULL) WITHOUT ROWID; CREATE INDEX events_ts ON events (ts);",
  );
  const insert = legacy.prepare("INSERT INTO events VALUES (?, ?, ?)");
  for (const id of ["old-1", "old-2"]) insert.run(id, NOW - 60_000, JSON.stringify(event(id)));
  legacy.close();

  const store = new SqliteEventStore(dir);
  expect(await store.count()).toBe(2);
  expect((await store.query(countQuery, { tenant: "acme", now: NOW })).rows).toEqual([{ value: 40 }]);
  await store.close();
  const check = new Database(join(dir, "events.sqlite"), { readonly: true });
  expect(check.query<{ user_version: number }, []>("PRAGMA user_version").get()?.user_version).toBe(SCHEMA_VERSION);
  check.close();
});

test("a file from a newer build is refused rather than misread", () => {
  const dir = tempDir();
  const future = new Database(join(dir, "events.sqlite"), { create: true });
  future.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
  future.close();
  expect(() => new SqliteEventStore(dir)).toThrow(/newer than this build/);
});
