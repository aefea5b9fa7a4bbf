/**
 * Rollups: exact per-minute counts of every accepted event (kept or dropped), keyed by the
 * dimensions a StatQuery can filter and group on. The gateway counts them before sampling; the
 * store keeps every dimension set (see dimension-sets.ts) at three resolutions (minute, hour, UTC
 * day) and the query planner reads the coarsest rows that answer instead of scanning events. Pure
 * data and arithmetic: no runtime, no client.
 */

import type { EncodedBins } from "./encoded-bins.ts";

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** The value a dimension takes once a tenant's minute has ROLLUP_MAX_GROUPS groups. */
export const OTHER = "__other__";

/** The dimensions of one rollup group. `error` is part of the key so `hasError` filters stay exact. */
export interface RollupDims {
  service: string;
  route: string | null;
  method: string | null;
  statusCode: number | null;
  errorCode: string | null;
  /** 1 when the events are errors (an `error` field or statusCode ≥ 500), else 0. */
  error: 0 | 1;
}

/** The sums of one group: what a delta adds and what a stored row holds. */
export interface RollupCell {
  count: number;
  /** Events that carried a usable durationMs, and their sum / min / max. */
  durationCount: number;
  durationSum: number;
  durationMin: number | null;
  durationMax: number | null;
  /** Duration histogram: bin (see domain/query/histogram.ts) → events. */
  bins: Record<string, number>;
}

/** One group in one minute, as a delta carries it. */
export interface RollupRow extends RollupDims, RollupCell {
  /** Minute start, epoch ms. */
  minute: number;
  /** eventIds of kept events of this group and minute (a few at most). */
  exemplars: string[];
}

/**
 * What the gateway publishes beside kept events: one tenant's counts from one flush. `id` is unique
 * per delta and is how every store applies it at most once (redelivery, replay, two writers).
 */
export interface RollupDelta {
  kind: "rollup";
  id: string;
  tenant: string;
  rows: RollupRow[];
}

export type Resolution = "minute" | "hour" | "day";

/** Finest first: each is a whole number of the one before. */
export const RESOLUTIONS: readonly Resolution[] = ["minute", "hour", "day"];
export const RESOLUTION_MS: Readonly<Record<Resolution, number>> = { minute: MINUTE_MS, hour: HOUR_MS, day: DAY_MS };

/** Start of the minute, hour or UTC day holding `ms`. */
export const startOf = (resolution: Resolution, ms: number): number =>
  Math.floor(ms / RESOLUTION_MS[resolution]) * RESOLUTION_MS[resolution];

/**
 * One stored row as a store reads it back: a group's sums over one minute, hour or day. Dimensions
 * outside the row's dimension set are null (service: ""). `bins` is encoded (see encoded-bins.ts:
 * cheap to parse and merge, unlike an object keyed by integers), empty unless the read asked for it.
 */
export interface RollupRecord extends RollupDims, Omit<RollupCell, "bins"> {
  /** Start of the minute, hour or day, epoch ms. */
  start: number;
  bins: EncodedBins;
  exemplars: string[];
}

/** At most this many exemplar ids per stored row, and per answer row. */
export const MAX_EXEMPLARS = 5;

/**
 * Events always carry an eventId (the gateway sets one) and deltas never do, so a producer's own
 * `kind` field can never make an event pass for a delta.
 */
export const isRollupDelta = (record: object): record is RollupDelta =>
  (record as { kind?: unknown }).kind === "rollup" && !Object.hasOwn(record, "eventId");

export function emptyCell(): RollupCell {
  return { count: 0, durationCount: 0, durationSum: 0, durationMin: null, durationMax: null, bins: {} };
}

/** Adds `from` into `into` (counts, sums, bins; min of mins, max of maxes). */
export function mergeCell(into: RollupCell, from: RollupCell): void {
  into.count += from.count;
  into.durationCount += from.durationCount;
  into.durationSum += from.durationSum;
  if (from.durationMin !== null && (into.durationMin === null || from.durationMin < into.durationMin)) into.durationMin = from.durationMin;
  if (from.durationMax !== null && (into.durationMax === null || from.durationMax > into.durationMax)) into.durationMax = from.durationMax;
  for (const bin in from.bins) into.bins[bin] = (into.bins[bin] ?? 0) + (from.bins[bin] ?? 0);
}

/**
 * A cell that stores sum into: bins keyed by number in a Map. Merging `{bin: count}` objects was
 * the dearest step of applying deltas (string keys, dictionary-mode objects, one merge per set and
 * resolution of every delta row).
 */
export interface SumCell extends Omit<RollupCell, "bins"> {
  bins: Map<number, number>;
}

export type BinsLike = Readonly<Record<string, number>> | ReadonlyMap<number, number>;

export function emptySum(): SumCell {
  return { count: 0, durationCount: 0, durationSum: 0, durationMin: null, durationMax: null, bins: new Map() };
}

/** mergeCell into a SumCell, from a delta's cell or another SumCell. */
export function addToSum(into: SumCell, from: Omit<RollupCell, "bins"> & { bins: BinsLike }): void {
  into.count += from.count;
  into.durationCount += from.durationCount;
  into.durationSum += from.durationSum;
  if (from.durationMin !== null && (into.durationMin === null || from.durationMin < into.durationMin)) into.durationMin = from.durationMin;
  if (from.durationMax !== null && (into.durationMax === null || from.durationMax > into.durationMax)) into.durationMax = from.durationMax;
  const bins = into.bins;
  if (from.bins instanceof Map) {
    for (const [bin, n] of from.bins) bins.set(bin, (bins.get(bin) ?? 0) + n);
    return;
  }
  const object = from.bins as Readonly<Record<string, number>>;
  for (const key in object) {
    const bin = Number(key);
    bins.set(bin, (bins.get(bin) ?? 0) + (object[key] ?? 0));
  }
}

/** Adds exemplar ids without repeats, up to MAX_EXEMPLARS. */
export function mergeExemplars(into: string[], from: readonly string[]): void {
  for (const id of from) {
    if (into.length >= MAX_EXEMPLARS) return;
    if (!into.includes(id)) into.push(id);
  }
}

/** A stable text key of a group's dimensions (the stores' unique key, with tenant and start). */
export function dimsKey(dims: RollupDims): string {
  return JSON.stringify([dims.service, dims.route, dims.method, dims.statusCode, dims.errorCode, dims.error]);
}

export const hourOf = (ms: number): number => Math.floor(ms / HOUR_MS) * HOUR_MS;
