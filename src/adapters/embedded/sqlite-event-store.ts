// Bun-only: bun:sqlite. Reached through the Bun runtime's module table, never from the Workers bundle.
import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { EventStore, InsertResult } from "../../ports/event-store.ts";
import type { HealthStatus } from "../../ports/health.ts";
import type { OutboundEvent } from "../../ports/publisher.ts";

/**
 * The zero-setup store: one SQLite file under DATA_DIR, so `bun start` keeps its events across
 * restarts without any service. bun:sqlite is built into Bun, so this adds no dependency.
 */
export class SqliteEventStore implements EventStore {
  readonly name = "event-store:embedded";
  private readonly db: Database;
  private readonly insert;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new Database(join(dataDir, "events.sqlite"), { create: true, strict: true });
    this.db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
    this.db.exec("CREATE TABLE IF NOT EXISTS events (event_id TEXT PRIMARY KEY, ts INTEGER NOT NULL, doc TEXT NOT NULL) WITHOUT ROWID");
    this.db.exec("CREATE INDEX IF NOT EXISTS events_ts ON events (ts)");
    this.insert = this.db.prepare("INSERT OR IGNORE INTO events (event_id, ts, doc) VALUES ($id, $ts, $doc)");
  }

  async insertMany(events: readonly OutboundEvent[]): Promise<InsertResult> {
    const run = this.db.transaction((batch: readonly OutboundEvent[]) => {
      let inserted = 0;
      for (const event of batch) {
        const ts = Date.parse(String(event.timestamp ?? "")) || Date.now();
        inserted += this.insert.run({ id: event.eventId, ts, doc: JSON.stringify(event) }).changes;
      }
      return inserted;
    });
    const inserted = run(events);
    return { inserted, duplicates: events.length - inserted };
  }

  async count(): Promise<number> {
    const row = this.db.query<{ n: number }, []>("SELECT count(*) AS n FROM events").get();
    return row?.n ?? 0;
  }

  async health(): Promise<HealthStatus> {
    try {
      this.db.query("SELECT 1").get();
      return { ok: true, detail: this.db.filename };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
