// Bun-only: bun:sqlite. The embedded store's schema and its migrations (PRAGMA user_version).
import type { Database } from "bun:sqlite";
import { deriveFields } from "../../domain/query/derive.ts";
import { rollupAdditions } from "../../domain/rollup/additions.ts";
import { MINUTE_MS, type RollupDelta, type RollupRow } from "../../domain/rollup/rollup.ts";
import type { OutboundEvent } from "../../ports/publisher.ts";
import { SqliteRollups } from "./sqlite-rollups.ts";

export const SCHEMA_VERSION = 3;

/**
 * v1: one row per (tenant, eventId) with the write-time fields as columns (weight, error flag,
 * duration bin, search text) next to the event's JSON. The covering index on (tenant, ts, …) lets
 * aggregations read the index alone, never the JSON.
 */
const V1 = `
CREATE TABLE events (
  tenant TEXT NOT NULL, event_id TEXT NOT NULL, ts INTEGER NOT NULL,
  service TEXT, route TEXT, method TEXT, status INTEGER, error_code TEXT,
  err INTEGER NOT NULL, w REAL NOT NULL, sampled INTEGER NOT NULL, d REAL, hb INTEGER,
  txt TEXT NOT NULL, doc TEXT NOT NULL
);
CREATE UNIQUE INDEX events_id ON events (tenant, event_id);
CREATE INDEX events_time ON events (tenant, ts, event_id, service, route, method, status, error_code, err, w, sampled, d, hb);
CREATE INDEX events_service ON events (tenant, service, ts);
CREATE INDEX events_route ON events (tenant, route, ts);
CREATE INDEX events_status ON events (tenant, status, ts);
CREATE INDEX events_error_code ON events (tenant, error_code, ts);
`;

/**
 * v2: rollups. One row per (tenant, resolution, start, group) with the group's dimensions as
 * columns; the primary key (a clustered WITHOUT ROWID key) is also the range index readRollups
 * uses. `rollup_applied` remembers every delta id applied (and when, for pruning) so a delta
 * counts once; `rollup_meta.since` is when rollups began counting every stored event.
 */
const V2 = `
CREATE TABLE rollups (
  tenant TEXT NOT NULL, res TEXT NOT NULL, start INTEGER NOT NULL, k TEXT NOT NULL,
  service TEXT NOT NULL, route TEXT, method TEXT, status INTEGER, error_code TEXT, err INTEGER NOT NULL,
  count INTEGER NOT NULL, duration_count INTEGER NOT NULL, duration_sum REAL NOT NULL,
  duration_min REAL, duration_max REAL, bins TEXT NOT NULL, exemplars TEXT NOT NULL,
  PRIMARY KEY (tenant, res, start, k)
) WITHOUT ROWID;
CREATE TABLE rollup_applied (tenant TEXT NOT NULL, id TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (tenant, id)) WITHOUT ROWID;
CREATE INDEX rollup_applied_at ON rollup_applied (at);
CREATE TABLE rollup_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
`;

/**
 * v3: rollup rows of every dimension set (`dset`, an index into DIMENSION_SETS) at minute, hour and
 * day, bins stored flat (`[bin, count, …]`). The v2 rows' minutes are summed again into the new
 * table, so totals carry over exactly.
 */
const V3 = `
ALTER TABLE rollups RENAME TO rollups_v2;
CREATE TABLE rollups (
  tenant TEXT NOT NULL, res TEXT NOT NULL, dset INTEGER NOT NULL, start INTEGER NOT NULL, k TEXT NOT NULL,
  service TEXT NOT NULL, route TEXT, method TEXT, status INTEGER, error_code TEXT, err INTEGER NOT NULL,
  count INTEGER NOT NULL, duration_count INTEGER NOT NULL, duration_sum REAL NOT NULL,
  duration_min REAL, duration_max REAL, bins TEXT NOT NULL, exemplars TEXT NOT NULL,
  PRIMARY KEY (tenant, res, dset, start, k)
) WITHOUT ROWID;
`;

export const INSERT_SQL = `INSERT OR IGNORE INTO events
  (tenant, event_id, ts, service, route, method, status, error_code, err, w, sampled, d, hb, txt, doc)
  VALUES ($tenant, $id, $ts, $service, $route, $method, $status, $errorCode, $err, $w, $sampled, $d, $hb, $txt, $doc)`;

export type InsertRow = Record<string, string | number | null>;

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

/** `text`: the event's JSON when the caller has it (RecordTexts). */
export function insertRow(event: OutboundEvent, now: number, text: string = JSON.stringify(event)): InsertRow {
  const derived = deriveFields(event, now);
  return {
    tenant: typeof event.tenant === "string" ? event.tenant : "default",
    id: event.eventId,
    ts: Math.trunc(derived.ts),
    service: str(event.service),
    route: str(event.route),
    method: str(event.method),
    status: typeof event.statusCode === "number" ? event.statusCode : null,
    errorCode: derived.errorCode,
    err: derived.err,
    w: derived.w,
    sampled: derived.sampled,
    d: derived.d,
    hb: derived.hb,
    txt: derived.txt,
    doc: text,
  };
}

/** Brings a file of any earlier version to SCHEMA_VERSION, in one transaction. */
export function migrate(db: Database, now = Date.now()): void {
  const version = db.query<{ user_version: number }, []>("PRAGMA user_version").get()?.user_version ?? 0;
  if (version === SCHEMA_VERSION) return;
  if (version > SCHEMA_VERSION)
    throw new Error(`embedded store: ${db.filename} has schema v${version}, newer than this build (v${SCHEMA_VERSION})`);
  db.transaction(() => {
    if (version < 1) migrateToV1(db);
    if (version < 2) {
      db.exec(V2);
      // Events stored before now were never counted: rollups answer only from the next whole minute.
      const legacy = db.query("SELECT 1 FROM events LIMIT 1").get() !== null;
      const since = legacy ? Math.ceil(now / MINUTE_MS) * MINUTE_MS : 0;
      db.query("INSERT INTO rollup_meta (key, value) VALUES ('since', ?)").run(since);
    }
    if (version < 3) migrateToV3(db);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
  })();
}

interface V2Row extends Omit<RollupRow, "bins" | "exemplars"> {
  tenant: string;
  bins: string;
  exemplars: string;
}

function migrateToV3(db: Database): void {
  db.exec(V3);
  const rollups = new SqliteRollups(db);
  const rows = db.query<V2Row, []>(
    `SELECT tenant, start AS minute, service, route, method, status AS statusCode, error_code AS errorCode, err AS error, count,
     duration_count AS durationCount, duration_sum AS durationSum, duration_min AS durationMin, duration_max AS durationMax, bins, exemplars
     FROM rollups_v2 WHERE res = 'minute'`,
  );
  // Each v2 minute row as a one-row delta: the same sums, into every set and resolution. In
  // chunks, so a large file never sits in memory whole (writes add to rows already written).
  let chunk: RollupDelta[] = [];
  const flush = () => {
    rollups.writeAdditions(rollupAdditions(chunk));
    chunk = [];
  };
  for (const { tenant, bins, exemplars, ...row } of rows.iterate()) {
    const parsed = { ...row, bins: JSON.parse(bins) as Record<string, number>, exemplars: JSON.parse(exemplars) as string[] };
    chunk.push({ kind: "rollup", id: `v2-${chunk.length}`, tenant, rows: [parsed] });
    if (chunk.length === 20_000) flush();
  }
  flush();
  db.exec("DROP TABLE rollups_v2");
}

function migrateToV1(db: Database): void {
  const legacy = db.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'events'").get();
  if (legacy) db.exec("ALTER TABLE events RENAME TO events_v0; DROP INDEX IF EXISTS events_ts;");
  db.exec(V1);
  if (legacy) {
    // v0 (event_id, ts, doc): re-derive every row from its JSON.
    const insert = db.prepare(INSERT_SQL);
    const now = Date.now();
    for (const row of db.query<{ doc: string }, []>("SELECT doc FROM events_v0").iterate()) {
      insert.run(insertRow(JSON.parse(row.doc) as OutboundEvent, now));
    }
    db.exec("DROP TABLE events_v0");
  }
}
