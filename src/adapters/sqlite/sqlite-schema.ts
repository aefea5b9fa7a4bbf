// Bun-only: bun:sqlite. The embedded store's schema and its migrations (PRAGMA user_version).
import type { Database } from "bun:sqlite";
import { deriveFields } from "../../domain/query/derive.ts";
import type { OutboundEvent } from "../../ports/publisher.ts";

export const SCHEMA_VERSION = 1;

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

export const INSERT_SQL = `INSERT OR IGNORE INTO events
  (tenant, event_id, ts, service, route, method, status, error_code, err, w, sampled, d, hb, txt, doc)
  VALUES ($tenant, $id, $ts, $service, $route, $method, $status, $errorCode, $err, $w, $sampled, $d, $hb, $txt, $doc)`;

export type InsertRow = Record<string, string | number | null>;

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

export function insertRow(event: OutboundEvent, now: number): InsertRow {
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
    doc: JSON.stringify(event),
  };
}

/** Brings a file of any earlier version to SCHEMA_VERSION, in one transaction. */
export function migrate(db: Database): void {
  const version = db.query<{ user_version: number }, []>("PRAGMA user_version").get()?.user_version ?? 0;
  if (version === SCHEMA_VERSION) return;
  if (version > SCHEMA_VERSION)
    throw new Error(`embedded store: ${db.filename} has schema v${version}, newer than this build (v${SCHEMA_VERSION})`);
  db.transaction(() => {
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
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
  })();
}
