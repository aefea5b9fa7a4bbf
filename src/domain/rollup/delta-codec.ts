import { MINUTE_MS, type RollupDelta, type RollupRow } from "./rollup.ts";

export type DeltaCheck = { ok: true; delta: RollupDelta } | { ok: false; reason: string };

const MAX_ROWS = 10_000;
const MAX_ID = 256;
const MAX_TEXT = 512;
const MAX_BINS = 4096;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const count = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;
const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const text = (v: unknown, max: number): v is string => typeof v === "string" && v.length > 0 && v.length <= max;
const nullableText = (v: unknown, max: number): boolean => v === null || text(v, max);

/**
 * Checks a rollup delta read back from a queue or a spool. A failure is permanent (the same bytes
 * fail the same way), so the consumer dead-letters it like a poison event. Everything a store
 * adds or compares is checked, so one bad delta can never corrupt a total.
 */
export function checkRollupDelta(value: Record<string, unknown>): DeltaCheck {
  if (value.kind !== "rollup") return { ok: false, reason: 'kind must be "rollup"' };
  if (!text(value.id, MAX_ID)) return { ok: false, reason: `rollup id must be a non-empty string of at most ${MAX_ID} characters` };
  if (!text(value.tenant, 128) || value.tenant.includes(":"))
    return { ok: false, reason: "rollup tenant must be a non-empty string without ':'" };
  const rows = value.rows;
  if (!Array.isArray(rows) || rows.length === 0 || rows.length > MAX_ROWS) {
    return { ok: false, reason: `rollup rows must be an array of 1 to ${MAX_ROWS} rows` };
  }
  for (let i = 0; i < rows.length; i++) {
    const reason = rowProblem(rows[i]);
    if (reason !== null) return { ok: false, reason: `rollup rows[${i}]: ${reason}` };
  }
  return { ok: true, delta: value as unknown as RollupDelta };
}

function rowProblem(row: unknown): string | null {
  if (!isObject(row)) return "must be an object";
  const r = row as Partial<Record<keyof RollupRow, unknown>>;
  if (!count(r.minute) || r.minute % MINUTE_MS !== 0) return "minute must be epoch ms at a whole minute";
  if (!text(r.service, MAX_TEXT)) return "service must be a non-empty string";
  if (!nullableText(r.route, MAX_TEXT) || !nullableText(r.method, 16) || !nullableText(r.errorCode, MAX_TEXT)) {
    return "route, method and errorCode must be strings or null";
  }
  if (r.statusCode !== null && !(count(r.statusCode) && r.statusCode >= 100 && r.statusCode <= 599))
    return "statusCode must be 100-599 or null";
  if (r.error !== 0 && r.error !== 1) return "error must be 0 or 1";
  if (!count(r.count) || r.count === 0) return "count must be a positive integer";
  if (!count(r.durationCount) || r.durationCount > r.count) return "durationCount must be an integer from 0 to count";
  if (!finite(r.durationSum) || r.durationSum < 0) return "durationSum must be a finite number ≥ 0";
  const hasDurations = r.durationCount > 0;
  for (const bound of [r.durationMin, r.durationMax]) {
    if (hasDurations ? !(finite(bound) && bound >= 0) : bound !== null)
      return "durationMin and durationMax must be numbers ≥ 0 when durationCount > 0, else null";
  }
  if (!isObject(r.bins)) return "bins must be an object";
  let binned = 0;
  let keys = 0;
  for (const key in r.bins) {
    if (++keys > MAX_BINS || !/^-?\d{1,7}$/.test(key)) return "bins keys must be integers";
    const n = r.bins[key];
    if (!count(n)) return "bins values must be non-negative integers";
    binned += n;
  }
  if (binned !== r.durationCount) return "bins must add up to durationCount";
  if (!Array.isArray(r.exemplars) || r.exemplars.length > 16 || !r.exemplars.every((id) => text(id, MAX_ID))) {
    return "exemplars must be an array of at most 16 ids";
  }
  return null;
}
