import {
  dimsKey,
  emptyCell,
  HOUR_MS,
  hourOf,
  MINUTE_MS,
  mergeCell,
  mergeExemplars,
  type Resolution,
  type RollupDelta,
  type RollupRecord,
} from "../../domain/rollup/rollup.ts";
import type { RollupApplyResult, RollupRead } from "../../ports/event-store.ts";

const STEP: Record<Resolution, number> = { minute: MINUTE_MS, hour: HOUR_MS };

/** One tenant's rows at one resolution: start → group key → row. */
type Rows = Map<number, Map<string, RollupRecord>>;

/**
 * Rollup rows in Maps, for the memory store. Every call runs to completion synchronously, so a
 * call is atomic and concurrent calls cannot interleave a delta's rows.
 */
export class MemoryRollups {
  /** `${tenant}\u0000${id}` → when it was applied (for pruning). */
  private readonly applied = new Map<string, number>();
  private readonly rows = new Map<string, Record<Resolution, Rows>>();

  applyRollups(deltas: readonly RollupDelta[], now = Date.now()): RollupApplyResult {
    let applied = 0;
    for (const delta of deltas) {
      const id = `${delta.tenant}\u0000${delta.id}`;
      if (this.applied.has(id)) continue;
      this.applied.set(id, now);
      applied++;
      let tenant = this.rows.get(delta.tenant);
      if (tenant === undefined) {
        tenant = { minute: new Map(), hour: new Map() };
        this.rows.set(delta.tenant, tenant);
      }
      for (const row of delta.rows) {
        const k = dimsKey(row);
        for (const [rows, start] of [
          [tenant.minute, row.minute],
          [tenant.hour, hourOf(row.minute)],
        ] as const) {
          let groups = rows.get(start);
          if (groups === undefined) {
            groups = new Map();
            rows.set(start, groups);
          }
          let record = groups.get(k);
          if (record === undefined) {
            const { service, route, method, statusCode, errorCode, error } = row;
            record = { service, route, method, statusCode, errorCode, error, start, ...emptyCell(), exemplars: [] };
            groups.set(k, record);
          }
          mergeCell(record, row);
          mergeExemplars(record.exemplars, row.exemplars);
        }
      }
    }
    return { applied, duplicates: deltas.length - applied };
  }

  /** Copies, so a caller changing an answer never changes the store. */
  readRollups(read: RollupRead): RollupRecord[] {
    const rows = this.rows.get(read.tenant)?.[read.resolution];
    if (rows === undefined || read.to <= read.from) return [];
    const out: RollupRecord[] = [];
    const collect = (groups: Map<string, RollupRecord> | undefined) => {
      if (groups === undefined) return;
      for (const record of groups.values()) out.push({ ...record, bins: { ...record.bins }, exemplars: [...record.exemplars] });
    };
    const step = STEP[read.resolution];
    const first = Math.ceil(read.from / step) * step;
    // Step through the range when it is shorter than the stored starts; else scan them.
    if ((read.to - first) / step <= rows.size) {
      for (let start = first; start < read.to; start += step) collect(rows.get(start));
    } else {
      for (const [start, groups] of rows) if (start >= read.from && start < read.to) collect(groups);
    }
    return out;
  }

  /** Drops rows that ended before `before` and ids of deltas applied before it; returns rows dropped. */
  pruneRollups(before: number): number {
    let dropped = 0;
    for (const tenant of this.rows.values()) {
      for (const resolution of ["minute", "hour"] as const) {
        const rows = tenant[resolution];
        for (const [start, groups] of rows) {
          if (start + STEP[resolution] > before) continue;
          dropped += groups.size;
          rows.delete(start);
        }
      }
    }
    for (const [id, at] of this.applied) if (at < before) this.applied.delete(id);
    return dropped;
  }
}
