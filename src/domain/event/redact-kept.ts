import { applyFieldPaths, type PathAction } from "./field-paths.ts";
import type { DraftEvent } from "./normalize.ts";
import { redactValue } from "./pii.ts";
import { REDACTED, type Redaction, redactCardNumbers } from "./redaction.ts";
import { redactKeptEvent, type ScrubLimits, scrubEvent, VALIDATE_ONLY } from "./scrub.ts";

export { VALIDATE_ONLY };

/** One string a rollup counts: key rule, card numbers, then (unless exact) the value scanners. */
function redactFieldNow(key: string, value: string, redaction: Redaction, scan: boolean): string {
  if (redaction.isSensitiveKey(key)) return REDACTED;
  let clean = redaction.cardNumbers ? redactCardNumbers(value) : value;
  if (scan) clean = redactValue(clean, redaction.values);
  return clean;
}

/** Past this many distinct values of one field a memo starts over: hostile unique values cannot grow it. */
const MEMO_LIMIT = 8192;

/** Clean value by value as sent, one map per rollup field (no key string to build per event). */
interface DimensionMemo {
  service: Map<string, string>;
  route: Map<string, string>;
  method: Map<string, string>;
  code: Map<string, string>;
}

const memos = new WeakMap<Redaction, DimensionMemo>();
let lastRedaction: Redaction | undefined;
let lastMemo: DimensionMemo | undefined;

/** A process has one redaction: the last one asked for is answered without the WeakMap. */
function memoOf(redaction: Redaction): DimensionMemo {
  if (redaction === lastRedaction && lastMemo !== undefined) return lastMemo;
  let memo = memos.get(redaction);
  if (memo === undefined) {
    memo = { service: new Map(), route: new Map(), method: new Map(), code: new Map() };
    memos.set(redaction, memo);
  }
  lastRedaction = redaction;
  lastMemo = memo;
  return memo;
}

/**
 * redactFieldNow, memoised per redaction and field: this runs on every accepted event, and
 * services, routes, methods and error codes repeat (a few hundred values), while the scanners cost a pass each.
 */
function redactField(memo: Map<string, string>, key: string, value: string, redaction: Redaction, scan: boolean): string {
  let clean = memo.get(value);
  if (clean === undefined) {
    clean = redactFieldNow(key, value, redaction, scan);
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(value, clean);
  }
  return clean;
}

/**
 * Redacts the fields every event contributes to rollups (service, route, method, error.code),
 * before it is counted: a rollup row stores them for every event, kept or not. The same rules as
 * the walks a kept event gets, so a kept event's fields and its rollup row agree (`service` is
 * an exact field: no value scanners, as for kept events). A drop or hash path naming one of them
 * (or `error`) applies here first and alone: a dropped field is counted as null, a hashed one
 * under its hash, and sampling sees what the rollups see. Not counted in the redaction metrics,
 * which count what kept events had replaced.
 */
export function redactDimensions(event: DraftEvent, redaction: Redaction): void {
  const rules = redaction.paths?.rollup;
  const memo = memoOf(redaction);
  const service = rules?.get("service");
  // `service` cannot be dropped (config refuses it): it is required.
  if (service === "hash") event.service = hashWith(event.service, redaction);
  else event.service = redactField(memo.service, "service", event.service, redaction, false);
  const route = rules?.get("route");
  if (route !== undefined) applyRule(event as Record<string, unknown>, "route", route, redaction);
  else if (typeof event.route === "string") event.route = redactField(memo.route, "route", event.route, redaction, true);
  const method = rules?.get("method");
  if (method !== undefined) applyRule(event as Record<string, unknown>, "method", method, redaction);
  else if (typeof event.method === "string") event.method = redactField(memo.method, "method", event.method, redaction, true);
  const error = event.error;
  if (error === undefined) return;
  if (redaction.isSensitiveKey("error")) {
    event.error = { message: REDACTED };
    return;
  }
  const code = rules?.get("error.code");
  if (code !== undefined) applyRule(error as Record<string, unknown>, "code", code, redaction);
  else if (typeof error.code === "string") error.code = redactField(memo.code, "code", error.code, redaction, true);
}

function hashWith(value: unknown, redaction: Redaction): string {
  const paths = redaction.paths;
  if (paths === undefined) throw new Error("no field paths");
  return paths.hash(value);
}

function applyRule(node: Record<string, unknown>, key: string, action: PathAction, redaction: Redaction): void {
  const value = node[key];
  if (value === undefined || value === null) return;
  if (action === "drop") delete node[key];
  else node[key] = hashWith(value, redaction);
}

/**
 * Every redaction rule over an event that is kept: drop and hash paths, keys and card numbers (the scrub walk; the
 * event validated already with VALIDATE_ONLY, which walks at least as much, so it cannot fail
 * here), then the value scanners.
 */
export function redactKept(event: DraftEvent, limits: ScrubLimits, redaction: Redaction): void {
  // Paths first: a hashed field is hashed from its value as sent, so it groups the same everywhere.
  const writes = redaction.paths ? applyFieldPaths(event as Record<string, unknown>, redaction.paths, redaction.counts) : [];
  scrubEvent(event, limits, redaction);
  // A sensitive `error` key became a string: an event's error is always an object.
  if (typeof event.error === "string") event.error = { message: event.error };
  redactKeptEvent(event, redaction);
  // The hashes go in last, as computed: no other rule reads a hash (a run of its hex digits could pass for a card number).
  for (const { node, key, value } of writes) node[key] = value;
  if (typeof event.error === "string") event.error = { message: event.error };
}
