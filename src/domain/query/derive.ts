import { isErrorEvent } from "../event/error-flag.ts";
import { EXEMPLAR_REASON } from "../sampling/types.ts";
import { binOf } from "./histogram.ts";
import { BUCKET_MS, BUCKETS, type Bucket, type GroupField } from "./stat-query.ts";

/**
 * What every store computes from an event at write time, so that queries need only equality
 * matches, range matches and sums (the part of MongoDB's language that FerretDB runs too).
 */
export interface DerivedFields {
  /** Event time, epoch ms: `timestamp`, else `receivedAt`, else the write time. */
  ts: number;
  /** 1 / sampling.rate: how many real requests this kept event stands for (1 when no rate). */
  w: number;
  /** 1 when the event was kept by chance (rate < 1), so answers it feeds are estimates. */
  sampled: 0 | 1;
  /** 1 for an error: an `error` field, or statusCode ≥ 500 (the sampler's HAS_ERROR test). */
  err: 0 | 1;
  errorCode: string | null;
  /** durationMs when it is a finite number ≥ 0. */
  d: number | null;
  /** Histogram bin of `d` (see histogram.ts). */
  hb: number | null;
  /** Lower-cased message and error text for `q` (bounded). */
  txt: string;
}

const MAX_TEXT = 4096;

function eventTime(event: Record<string, unknown>, now: number): number {
  for (const key of ["timestamp", "receivedAt"] as const) {
    const value = event[key];
    const ms = typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : Number.NaN;
    if (Number.isFinite(ms)) return ms;
  }
  return now;
}

function weightOf(event: Record<string, unknown>): number {
  const sampling = event.sampling;
  if (typeof sampling !== "object" || sampling === null) return 1;
  // An exemplar was kept outside the sampling scheme: counting it would bias every estimate.
  if ((sampling as Record<string, unknown>).reason === EXEMPLAR_REASON) return 0;
  const rate = (sampling as Record<string, unknown>).rate;
  return typeof rate === "number" && rate > 0 && rate <= 1 ? 1 / rate : 1;
}

const str = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);

export function deriveFields(event: Record<string, unknown>, now = Date.now()): DerivedFields {
  const w = weightOf(event);
  const error = event.error;
  const errorObject = typeof error === "object" && error !== null ? (error as Record<string, unknown>) : undefined;
  const err = isErrorEvent(event) ? 1 : 0;
  const duration = event.durationMs;
  const d = typeof duration === "number" && Number.isFinite(duration) && duration >= 0 ? duration : null;
  const text = [str(event.message), str(error), str(errorObject?.message), str(errorObject?.code), str(errorObject?.type)]
    .filter((part) => part !== null)
    .join("\n");
  return {
    ts: eventTime(event, now),
    w,
    sampled: w > 1 ? 1 : 0,
    err,
    errorCode: str(errorObject?.code),
    d,
    hb: d === null ? null : binOf(d),
    txt: text.slice(0, MAX_TEXT).toLowerCase(),
  };
}

/** Start of the UTC-aligned bucket holding `ts`. */
export function bucketStart(ts: number, bucket: Bucket): number {
  const size = BUCKET_MS[bucket];
  return Math.floor(ts / size) * size;
}

/** Every bucket key of an event, for stores that cannot compute a floor in a query (FerretDB). */
export function bucketKeys(ts: number): Record<Bucket, number> {
  const out = {} as Record<Bucket, number>;
  for (const bucket of BUCKETS) out[bucket] = bucketStart(ts, bucket);
  return out;
}

/** A group-by value: strings and numbers as stored, anything else (or absent) as null. */
export function groupValue(event: Record<string, unknown>, derived: DerivedFields, field: GroupField): string | number | null {
  if (field === "errorCode") return derived.errorCode;
  const value = event[field];
  if (field === "statusCode") return typeof value === "number" ? value : null;
  return str(value);
}
