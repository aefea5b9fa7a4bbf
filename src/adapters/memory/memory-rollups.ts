import { rollupAdditions } from "../../domain/rollup/additions.ts";
import { FULL_SET } from "../../domain/rollup/dimension-sets.ts";
import { encodeBins } from "../../domain/rollup/encoded-bins.ts";
import {
  addToSum,
  emptySum,
  mergeExemplars,
  RESOLUTION_MS,
  type RollupDelta,
  type RollupDims,
  type RollupRecord,
  type SumCell,
} from "../../domain/rollup/rollup.ts";
import type { RollupApplyResult, RollupRead } from "../../ports/event-store.ts";

interface Row extends RollupDims, SumCell {
  start: number;
  exemplars: string[];
}

/** One tenant, set and resolution: start → group key → row. */
type Rows = Map<number, Map<string, Row>>;

/**
 * Rollup rows in Maps, for the memory store. Every call runs to completion synchronously, so a
 * call is atomic and concurrent calls cannot interleave a delta's rows.
 */
export class MemoryRollups {
  /** `${tenant}\u0000${id}` → when it was applied (for pruning). */
  private readonly applied = new Map<string, number>();
  /** `${tenant}\u0000${set}\u0000${resolution}` → rows. */
  private readonly rows = new Map<string, Rows>();

  applyRollups(deltas: readonly RollupDelta[], now = Date.now()): RollupApplyResult {
    const fresh: RollupDelta[] = [];
    for (const delta of deltas) {
      const id = `${delta.tenant}\u0000${delta.id}`;
      if (this.applied.has(id)) continue;
      this.applied.set(id, now);
      fresh.push(delta);
    }
    for (const add of rollupAdditions(fresh)) {
      const series = `${add.tenant}\u0000${add.set}\u0000${add.resolution}`;
      let rows = this.rows.get(series);
      if (rows === undefined) {
        rows = new Map();
        this.rows.set(series, rows);
      }
      let groups = rows.get(add.start);
      if (groups === undefined) {
        groups = new Map();
        rows.set(add.start, groups);
      }
      let row = groups.get(add.k);
      if (row === undefined) {
        row = { ...add.dims, start: add.start, ...emptySum(), exemplars: [] };
        groups.set(add.k, row);
      }
      addToSum(row, add.cell);
      mergeExemplars(row.exemplars, add.exemplars);
    }
    return { applied: fresh.length, duplicates: deltas.length - fresh.length };
  }

  /** Copies, so a caller changing an answer never changes the store. */
  readRollups(read: RollupRead): RollupRecord[] {
    const rows = this.rows.get(`${read.tenant}\u0000${read.set ?? FULL_SET}\u0000${read.resolution}`);
    if (rows === undefined || read.to <= read.from) return [];
    const withBins = read.bins ?? true;
    const out: RollupRecord[] = [];
    const collect = (groups: Map<string, Row> | undefined) => {
      if (groups === undefined) return;
      for (const row of groups.values()) {
        if ((read.service !== undefined && row.service !== read.service) || (read.error !== undefined && row.error !== read.error))
          continue;
        out.push({ ...row, bins: withBins ? encodeBins(row.bins) : [], exemplars: [...row.exemplars] });
      }
    };
    const step = RESOLUTION_MS[read.resolution];
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
    for (const [series, rows] of this.rows) {
      const step = RESOLUTION_MS[series.slice(series.lastIndexOf("\u0000") + 1) as keyof typeof RESOLUTION_MS];
      for (const [start, groups] of rows) {
        if (start + step > before) continue;
        dropped += groups.size;
        rows.delete(start);
      }
    }
    for (const [id, at] of this.applied) if (at < before) this.applied.delete(id);
    return dropped;
  }
}
