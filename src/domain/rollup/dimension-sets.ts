import type { RollupDims } from "./rollup.ts";

/** The dimensions a rollup row can be keyed by, beside the error flag every row keeps. */
export type DimField = "service" | "route" | "method" | "statusCode" | "errorCode";

/**
 * The dimension sets every store keeps rows for, smallest first (fewest rows per minute in
 * ordinary traffic): totals, per service, per service and outcome, per service and route, and
 * every dimension. Most questions name one or two dimensions, so "count by service over 7 days"
 * reads 16 rows a day instead of every (route, status, error code) group. The index is stored with
 * each row, so this list only ever grows at the end.
 */
export const DIMENSION_SETS: readonly (readonly DimField[])[] = [
  [],
  ["service"],
  ["service", "statusCode", "errorCode"],
  ["service", "route", "method"],
  ["service", "route", "method", "statusCode", "errorCode"],
];

export type DimSet = number;

/** Every dimension: the rows deltas carry. */
export const FULL_SET: DimSet = DIMENSION_SETS.length - 1;

/** The first (smallest) set holding every field named; the full set always does. */
export function smallestSet(fields: Iterable<DimField>): DimSet {
  const needed = [...fields];
  const found = DIMENSION_SETS.findIndex((set) => needed.every((field) => set.includes(field)));
  return found === -1 ? FULL_SET : found;
}

/** A group's dimensions as the set keeps them: the fields outside it null, service "". */
export function projectDims(dims: RollupDims, set: DimSet): RollupDims {
  const fields = DIMENSION_SETS[set] ?? DIMENSION_SETS[FULL_SET] ?? [];
  return {
    service: fields.includes("service") ? dims.service : "",
    route: fields.includes("route") ? dims.route : null,
    method: fields.includes("method") ? dims.method : null,
    statusCode: fields.includes("statusCode") ? dims.statusCode : null,
    errorCode: fields.includes("errorCode") ? dims.errorCode : null,
    error: dims.error,
  };
}
