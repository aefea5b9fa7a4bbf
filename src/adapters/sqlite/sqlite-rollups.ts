// Bun-only: bun:sqlite. The embedded store's rollup tables (schema v2, see sqlite-schema.ts).
import type { Database } from "bun:sqlite";
import {
  dimsKey,
  emptyCell,
  HOUR_MS,
  hourOf,
  MINUTE_MS,
  mergeCell,
  mergeExemplars,
  type Resolution,
  type RollupCell,
  type RollupDelta,
  type RollupDims,
  type RollupRecord,
  type RollupRow,
} from "../../domain/rollup/rollup.ts";
import type { RollupApplyResult, RollupRead } from "../../ports/event-store.ts";

interface StoredRow {
  service: string;
  route: string | null;
  method: string | null;
  status: number | null;
  error_code: string | null;
  err: number;
  start: number;
  count: number;
  duration_count: number;
  duration_sum: number;
  duration_min: number | null;
  duration_max: number | null;
  bins: string;
  exemplars: string;
}

type CellRow = Pick<StoredRow, "count" | "duration_count" | "duration_sum" | "duration_min" | "duration_max" | "bins" | "exemplars">;
type Params = Record<string, string | number | null>;

/** One row's pending additions within a call: all applied deltas' rows for one (res, start, group). */
interface Pending {
  tenant: string;
  res: Resolution;
  start: number;
  k: string;
  dims: RollupDims;
  cell: RollupCell;
  exemplars: string[];
}

const COLUMNS =
  "service, route, method, status, error_code, err, start, count, duration_count, duration_sum, duration_min, duration_max, bins, exemplars";

/**
 * Minute and hour rollup rows in the events file. bun:sqlite is synchronous, so each call is one
 * IMMEDIATE transaction: the write lock is taken before any row is read, which makes the
 * read-modify-write of a row safe even against another process on the same file.
 */
export class SqliteRollups {
  private readonly markApplied;
  private readonly select;
  private readonly insert;
  private readonly update;
  private readonly apply;

  constructor(private readonly db: Database) {
    this.markApplied = db.prepare<unknown, [string, string, number]>(
      "INSERT OR IGNORE INTO rollup_applied (tenant, id, at) VALUES (?, ?, ?)",
    );
    this.select = db.prepare<CellRow, [Params]>(
      `SELECT count, duration_count, duration_sum, duration_min, duration_max, bins, exemplars
       FROM rollups WHERE tenant = $tenant AND res = $res AND start = $start AND k = $k`,
    );
    this.insert = db.prepare<unknown, [Params]>(
      `INSERT INTO rollups (tenant, res, k, ${COLUMNS}) VALUES ($tenant, $res, $k, $service, $route, $method, $status, $errorCode, $err,
       $start, $count, $durationCount, $durationSum, $durationMin, $durationMax, $bins, $exemplars)`,
    );
    this.update = db.prepare<unknown, [Params]>(
      `UPDATE rollups SET count = $count, duration_count = $durationCount, duration_sum = $durationSum, duration_min = $durationMin,
       duration_max = $durationMax, bins = $bins, exemplars = $exemplars WHERE tenant = $tenant AND res = $res AND start = $start AND k = $k`,
    );
    this.apply = db.transaction((deltas: readonly RollupDelta[], now: number) => this.applyNow(deltas, now)).immediate;
  }

  /** Applies each delta once, ever: a delta id already in rollup_applied is skipped. */
  applyRollups(deltas: readonly RollupDelta[], now = Date.now()): RollupApplyResult {
    if (deltas.length === 0) return { applied: 0, duplicates: 0 };
    return this.apply(deltas, now);
  }

  readRollups(read: RollupRead): RollupRecord[] {
    const rows = this.db
      .query<StoredRow, [Params]>(`SELECT ${COLUMNS} FROM rollups WHERE tenant = $tenant AND res = $res AND start >= $from AND start < $to`)
      .all({ tenant: read.tenant, res: read.resolution, from: read.from, to: read.to });
    return rows.map((row) => ({
      service: row.service,
      route: row.route,
      method: row.method,
      statusCode: row.status,
      errorCode: row.error_code,
      error: row.err === 1 ? 1 : 0,
      start: row.start,
      count: row.count,
      durationCount: row.duration_count,
      durationSum: row.duration_sum,
      durationMin: row.duration_min,
      durationMax: row.duration_max,
      bins: JSON.parse(row.bins) as Record<string, number>,
      exemplars: JSON.parse(row.exemplars) as string[],
    }));
  }

  /** Written once by the v2 migration. */
  rollupsSince(): number {
    return this.db.query<{ value: number }, []>("SELECT value FROM rollup_meta WHERE key = 'since'").get()?.value ?? 0;
  }

  /**
   * Deletes rows that ended before `before` (epoch ms) and the ids of deltas applied before it. A
   * delta redelivered after its id went would count again, but only into rows this prune removes.
   */
  pruneRollups(before: number): number {
    return this.db.transaction(() => {
      const minutes = this.db.query("DELETE FROM rollups WHERE res = 'minute' AND start <= ?").run(before - MINUTE_MS).changes;
      const hours = this.db.query("DELETE FROM rollups WHERE res = 'hour' AND start <= ?").run(before - HOUR_MS).changes;
      this.db.query("DELETE FROM rollup_applied WHERE at < ?").run(before);
      return minutes + hours;
    })();
  }

  private applyNow(deltas: readonly RollupDelta[], now: number): RollupApplyResult {
    // Rows of one call are summed in memory first: a flush's minute rows mostly share a few hour rows.
    const pending = new Map<string, Pending>();
    const add = (tenant: string, res: Resolution, start: number, k: string, dims: RollupDims, row: RollupRow) => {
      const key = `${tenant}\u0000${res}\u0000${start}\u0000${k}`;
      let entry = pending.get(key);
      if (entry === undefined) {
        entry = { tenant, res, start, k, dims, cell: emptyCell(), exemplars: [] };
        pending.set(key, entry);
      }
      mergeCell(entry.cell, row);
      mergeExemplars(entry.exemplars, row.exemplars);
    };
    let applied = 0;
    for (const delta of deltas) {
      if (this.markApplied.run(delta.tenant, delta.id, now).changes === 0) continue;
      applied++;
      for (const row of delta.rows) {
        const dims: RollupDims = {
          service: row.service,
          route: row.route,
          method: row.method,
          statusCode: row.statusCode,
          errorCode: row.errorCode,
          error: row.error,
        };
        const k = dimsKey(dims);
        add(delta.tenant, "minute", row.minute, k, dims, row);
        add(delta.tenant, "hour", hourOf(row.minute), k, dims, row);
      }
    }
    for (const entry of pending.values()) this.write(entry);
    return { applied, duplicates: deltas.length - applied };
  }

  /** Adds one pending entry to its stored row, or inserts it. */
  private write(entry: Pending): void {
    const id = { tenant: entry.tenant, res: entry.res, start: entry.start, k: entry.k };
    const stored = this.select.get(id);
    let cell = entry.cell;
    let exemplars = entry.exemplars;
    if (stored !== null) {
      cell = {
        count: stored.count,
        durationCount: stored.duration_count,
        durationSum: stored.duration_sum,
        durationMin: stored.duration_min,
        durationMax: stored.duration_max,
        bins: JSON.parse(stored.bins) as Record<string, number>,
      };
      mergeCell(cell, entry.cell);
      exemplars = JSON.parse(stored.exemplars) as string[];
      mergeExemplars(exemplars, entry.exemplars);
    }
    const values = {
      ...id,
      count: cell.count,
      durationCount: cell.durationCount,
      durationSum: cell.durationSum,
      durationMin: cell.durationMin,
      durationMax: cell.durationMax,
      bins: JSON.stringify(cell.bins),
      exemplars: JSON.stringify(exemplars),
    };
    if (stored !== null) {
      this.update.run(values);
      return;
    }
    const d = entry.dims;
    this.insert.run({
      ...values,
      service: d.service,
      route: d.route,
      method: d.method,
      status: d.statusCode,
      errorCode: d.errorCode,
      err: d.error,
    });
  }
}
