// Bun-only: bun:sqlite. Reached through the Bun runtime's module table, never from the Workers bundle.
import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { finalize } from "../../domain/query/evaluate.ts";
import { type EventFilter, encodeCursor } from "../../domain/query/event-filter.ts";
import { planQuery, type QueryScope } from "../../domain/query/plan.ts";
import type { StatQuery, StatResult } from "../../domain/query/stat-query.ts";
import type { RollupDelta, RollupRecord } from "../../domain/rollup/rollup.ts";
import {
  DISTINCT_LIMIT,
  type DistinctField,
  type EventPage,
  type EventStore,
  type InsertResult,
  type RollupApplyResult,
  type RollupRead,
} from "../../ports/event-store.ts";
import type { HealthStatus } from "../../ports/health.ts";
import type { OutboundEvent, RecordTexts } from "../../ports/publisher.ts";
import { SqliteRollups } from "./sqlite-rollups.ts";
import { INSERT_SQL, insertRow, migrate } from "./sqlite-schema.ts";
import { type AggregateRow, COLUMN, type Params, readAggregateRows, searchSql, statSql } from "./sqlite-sql.ts";
import { type TextScanOptions, textScan } from "./sqlite-text-scan.ts";

/**
 * The zero-setup store: one SQLite file (`events.sqlite`) under DATA_DIR, so `bun start` keeps its
 * events across restarts without any service. bun:sqlite is built into Bun (no dependency, no
 * native build), SQL computes every metric's sums in one GROUP BY, and WAL mode lets queries
 * read while the pipeline writes.
 */
export class SqliteEventStore implements EventStore {
  readonly name = "event-store:embedded";
  /** The connection (read-only use outside this class: bench/query.ts times raw SQL on it). */
  readonly db: Database;
  private readonly insert;
  private readonly rollups: SqliteRollups;
  private pruneTimer: ReturnType<typeof setInterval> | undefined;

  /** `rollupRetentionDays`: rollup rows older than that are deleted hourly (and once at start). */
  private readonly textScanOptions: TextScanOptions;

  constructor(dataDir: string, options: { rollupRetentionDays?: number; textScan?: TextScanOptions } = {}) {
    this.textScanOptions = options.textScan ?? {};
    mkdirSync(dataDir, { recursive: true });
    this.db = new Database(join(dataDir, "events.sqlite"), { create: true, strict: true });
    this.db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;");
    migrate(this.db);
    this.insert = this.db.prepare(INSERT_SQL);
    this.rollups = new SqliteRollups(this.db);
    const days = options.rollupRetentionDays;
    if (days !== undefined) {
      const prune = () => void this.pruneRollups(Date.now() - days * 86_400_000).catch(() => {});
      prune();
      this.pruneTimer = setInterval(prune, 3_600_000);
      this.pruneTimer.unref?.();
    }
  }

  async insertMany(events: readonly OutboundEvent[], texts?: RecordTexts): Promise<InsertResult> {
    const run = this.db.transaction((batch: readonly OutboundEvent[]) => {
      let inserted = 0;
      const now = Date.now();
      for (let i = 0; i < batch.length; i++) inserted += this.insert.run(insertRow(batch[i] as OutboundEvent, now, texts?.[i])).changes;
      return inserted;
    });
    const inserted = run(events);
    return { inserted, duplicates: events.length - inserted };
  }

  async count(): Promise<number> {
    return this.db.query<{ n: number }, []>("SELECT count(*) AS n FROM events").get()?.n ?? 0;
  }

  async query(query: StatQuery, scope: QueryScope): Promise<StatResult> {
    const plan = planQuery(query, scope);
    const { sql, params } = statSql(plan);
    const rows = this.db.query<AggregateRow, [Params]>(sql).all(params);
    return finalize(plan, readAggregateRows(plan, rows).values());
  }

  async find(search: EventFilter, scope: QueryScope): Promise<EventPage> {
    if (search.q !== undefined) return textScan(this.db, search, scope.tenant, this.textScanOptions);
    const { sql, params } = searchSql(search, scope.tenant);
    const rows = this.db.query<{ ts: number; id: string; doc: string }, [Record<string, string | number>]>(sql).all(params);
    const page = rows.slice(0, search.limit);
    const last = page[page.length - 1];
    return {
      events: page.map((row) => JSON.parse(row.doc) as Record<string, unknown>),
      nextCursor: rows.length > search.limit && last ? encodeCursor({ ts: last.ts, id: last.id }) : null,
    };
  }

  async distinct(field: DistinctField, scope: QueryScope): Promise<string[]> {
    const column = COLUMN[field];
    const sql = `SELECT DISTINCT ${column} AS v FROM events WHERE tenant = $tenant AND ${column} IS NOT NULL ORDER BY v LIMIT ${DISTINCT_LIMIT}`;
    return this.db
      .query<{ v: string }, [Record<string, string>]>(sql)
      .all({ tenant: scope.tenant })
      .map((row) => row.v);
  }

  async applyRollups(deltas: readonly RollupDelta[]): Promise<RollupApplyResult> {
    return this.rollups.applyRollups(deltas);
  }

  async readRollups(read: RollupRead): Promise<RollupRecord[]> {
    return this.rollups.readRollups(read);
  }

  async rollupsSince(): Promise<number> {
    return this.rollups.rollupsSince();
  }

  /** Deletes rollup rows that ended before `before` (epoch ms); nothing schedules it yet. */
  async pruneRollups(before: number): Promise<number> {
    return this.rollups.pruneRollups(before);
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
    clearInterval(this.pruneTimer);
    this.db.close();
  }
}
