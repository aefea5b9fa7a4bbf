import { DIMENSION_SETS, type DimSet, projectDims } from "./dimension-sets.ts";
import {
  addToSum,
  type BinsLike,
  dimsKey,
  emptySum,
  mergeExemplars,
  type Resolution,
  type RollupCell,
  type RollupDelta,
  type RollupDims,
  type SumCell,
  startOf,
} from "./rollup.ts";

/** What a batch of deltas adds to one stored row. */
export interface RowAddition {
  tenant: string;
  set: DimSet;
  resolution: Resolution;
  start: number;
  /** dimsKey of `dims`: with tenant, set, resolution and start, the row's identity. */
  k: string;
  dims: RollupDims;
  cell: SumCell;
  exemplars: string[];
}

function addInto(
  into: Map<string, RowAddition>,
  from: Omit<RowAddition, "cell" | "exemplars">,
  cell: Omit<RollupCell, "bins"> & { bins: BinsLike },
  exemplars: readonly string[],
) {
  const key = `${from.tenant}\u0000${from.set}\u0000${from.start}\u0000${from.k}`;
  let entry = into.get(key);
  if (entry === undefined) {
    entry = { ...from, cell: emptySum(), exemplars: [] };
    into.set(key, entry);
  }
  addToSum(entry.cell, cell);
  mergeExemplars(entry.exemplars, exemplars);
}

function rollUp(finer: Map<string, RowAddition>, resolution: Resolution): Map<string, RowAddition> {
  const coarser = new Map<string, RowAddition>();
  for (const a of finer.values()) {
    addInto(
      coarser,
      { tenant: a.tenant, set: a.set, resolution, start: startOf(resolution, a.start), k: a.k, dims: a.dims },
      a.cell,
      a.exemplars,
    );
  }
  return coarser;
}

/**
 * Every stored row a batch of deltas adds to: each dimension set at minute, hour and day, each row
 * summed once however many delta rows feed it (a flush's minute rows mostly share a few hour and
 * day rows, and the small sets a handful of groups). The caller has already dropped duplicates.
 */
export function rollupAdditions(deltas: Iterable<RollupDelta>): RowAddition[] {
  const minutes = new Map<string, RowAddition>();
  for (const delta of deltas) {
    for (const row of delta.rows) {
      const start = startOf("minute", row.minute);
      for (let set = 0; set < DIMENSION_SETS.length; set++) {
        const dims = projectDims(row, set);
        addInto(minutes, { tenant: delta.tenant, set, resolution: "minute", start, k: dimsKey(dims), dims }, row, row.exemplars);
      }
    }
  }
  const hours = rollUp(minutes, "hour");
  const days = rollUp(hours, "day");
  return [...minutes.values(), ...hours.values(), ...days.values()];
}
