// Bun-only: bun:sqlite. The embedded store's rollup tables (schema v3, see sqlite-schema.ts).
import type { Database } from "bun:sqlite";
import { type RowAddition, rollupAdditions } from "../../domain/rollup/additions.ts";
import { FULL_SET } from "../../domain/rollup/dimension-sets.ts";
import { binCounts, type EncodedBins, encodeBins } from "../../domain/rollup/encoded-bins.ts";
import { addToSum, mergeExemplars, RESOLUTION_MS, type RollupDelta, type RollupRecord, type SumCell } from "../../domain/rollup/rollup.ts";
import type { RollupApplyResult, RollupRead } from "../../ports/event-store.ts";

/** A read's row: the dimensions, start, sums, exemplars and (when asked) bins, in SELECT order. */
type StoredValues = [
  string,
  string | null,
  string | null,
  number | null,
  string | null,
  number,
  number,
  number,
  number,
  number,
  number | null,
  number | null,
  string,
  Uint8Array?,
];

/** Encoded bins as stored: the numbers as float64s, read back without parsing. */
const blobOfBins = (encoded: readonly number[]): Uint8Array => new Uint8Array(new Float64Array(encoded).buffer);
const binsOfBlob = (blob: Uint8Array): EncodedBins =>
  blob.byteOffset % 8 === 0 ? new Float64Array(blob.buffer, blob.byteOffset, blob.byteLength / 8) : new Float64Array(blob.slice().buffer);

/** A stored row's sums, as the write path reads them back. */
interface CellRow {
  count: number;
  duration_count: number;
  duration_sum: number;
  duration_min: number | null;
  duration_max: number | null;
  exemplars: string;
  bins: Uint8Array;
}
type Params = Record<string, string | number | null | Uint8Array>;

const DIMS = "service, route, method, status, error_code, err";
const SUMS = "count, duration_count, duration_sum, duration_min, duration_max";

/**
 * Rollup rows of every dimension set at minute, hour and day in the events file. bun:sqlite is
 * synchronous, so each call is one IMMEDIATE transaction: the write lock is taken before any row
 * is read, which makes the read-modify-write of a row safe even against another process on the
 * same file. Bins are stored flat (`[bin, count, …]`) and read only when asked: parsing them is
 * most of a read's cost otherwise.
 */
export class SqliteRollups {
  private readonly markApplied;
  private readonly select;
  private readonly insert;
  private readonly update;
  private readonly apply;
  private readonly reads = new Map<string, ReturnType<Database["prepare"]>>();

  constructor(private readonly db: Database) {
    this.markApplied = db.prepare<unknown, [string, string, number]>(
      "INSERT OR IGNORE INTO rollup_applied (tenant, id, at) VALUES (?, ?, ?)",
    );
    const key = "tenant = $tenant AND res = $res AND dset = $set AND start = $start AND k = $k";
    this.select = db.prepare<CellRow, [Params]>(`SELECT ${SUMS}, bins, exemplars FROM rollups WHERE ${key}`);
    this.insert = db.prepare<unknown, [Params]>(
      `INSERT INTO rollups (tenant, res, dset, start, k, ${DIMS}, ${SUMS}, bins, exemplars) VALUES ($tenant, $res, $set, $start, $k,
       $service, $route, $method, $status, $errorCode, $err, $count, $durationCount, $durationSum, $durationMin, $durationMax, $bins, $exemplars)`,
    );
    this.update = db.prepare<unknown, [Params]>(
      `UPDATE rollups SET count = $count, duration_count = $durationCount, duration_sum = $durationSum, duration_min = $durationMin,
       duration_max = $durationMax, bins = $bins, exemplars = $exemplars WHERE ${key}`,
    );
    this.apply = db.transaction((deltas: readonly RollupDelta[], now: number) => this.applyNow(deltas, now)).immediate;
  }

  /** Applies each delta once, ever: a delta id already in rollup_applied is skipped. */
  applyRollups(deltas: readonly RollupDelta[], now = Date.now()): RollupApplyResult {
    if (deltas.length === 0) return { applied: 0, duplicates: 0 };
    return this.apply(deltas, now);
  }

  readRollups(read: RollupRead): RollupRecord[] {
    const withBins = read.bins ?? true;
    const sql = `SELECT ${DIMS}, start, ${SUMS}, exemplars${withBins ? ", bins" : ""} FROM rollups
      WHERE tenant = $tenant AND res = $res AND dset = $set AND start >= $from AND start < $to
      ${read.service === undefined ? "" : "AND service = $service"} ${read.error === undefined ? "" : "AND err = $err"}`;
    let statement = this.reads.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.reads.set(sql, statement);
    }
    const params: Params = { tenant: read.tenant, res: read.resolution, set: read.set ?? FULL_SET, from: read.from, to: read.to };
    if (read.service !== undefined) params.service = read.service;
    if (read.error !== undefined) params.err = read.error;
    // Rows as arrays: cheaper than objects keyed by column name.
    const rows = statement.values(params) as StoredValues[];
    return rows.map((r) => ({
      service: r[0],
      route: r[1],
      method: r[2],
      statusCode: r[3],
      errorCode: r[4],
      error: r[5] === 1 ? 1 : 0,
      start: r[6],
      count: r[7],
      durationCount: r[8],
      durationSum: r[9],
      durationMin: r[10],
      durationMax: r[11],
      exemplars: r[12] === "[]" ? [] : (JSON.parse(r[12]) as string[]),
      bins: r[13] === undefined ? [] : binsOfBlob(r[13]),
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
      let rows = 0;
      for (const [res, ms] of Object.entries(RESOLUTION_MS)) {
        rows += this.db.query("DELETE FROM rollups WHERE res = ? AND start <= ?").run(res, before - ms).changes;
      }
      this.db.query("DELETE FROM rollup_applied WHERE at < ?").run(before);
      return rows;
    })();
  }

  /** Adds summed rows to the table (within the caller's transaction). Also used by the v3 migration. */
  writeAdditions(additions: readonly RowAddition[]): void {
    for (const addition of additions) this.write(addition);
  }

  private applyNow(deltas: readonly RollupDelta[], now: number): RollupApplyResult {
    const fresh = deltas.filter((delta) => this.markApplied.run(delta.tenant, delta.id, now).changes > 0);
    this.writeAdditions(rollupAdditions(fresh));
    return { applied: fresh.length, duplicates: deltas.length - fresh.length };
  }

  /** Adds one row's sums to its stored row, or inserts it. */
  private write(add: RowAddition): void {
    const id = { tenant: add.tenant, res: add.resolution, set: add.set, start: add.start, k: add.k };
    const stored = this.select.get(id);
    let cell = add.cell;
    let exemplars = add.exemplars;
    if (stored !== null) {
      cell = {
        count: stored.count,
        durationCount: stored.duration_count,
        durationSum: stored.duration_sum,
        durationMin: stored.duration_min,
        durationMax: stored.duration_max,
        bins: binCounts(binsOfBlob(stored.bins)),
      } satisfies SumCell;
      addToSum(cell, add.cell);
      exemplars = JSON.parse(stored.exemplars) as string[];
      mergeExemplars(exemplars, add.exemplars);
    }
    const values = {
      ...id,
      count: cell.count,
      durationCount: cell.durationCount,
      durationSum: cell.durationSum,
      durationMin: cell.durationMin,
      durationMax: cell.durationMax,
      bins: blobOfBins(encodeBins(cell.bins)),
      exemplars: JSON.stringify(exemplars),
    };
    if (stored !== null) {
      this.update.run(values);
      return;
    }
    const d = add.dims;
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
