import { applyFieldPaths, type PathAction } from "./field-paths.ts";
import type { DraftEvent } from "./normalize.ts";
import { type OnRedacted, redactValue } from "./pii.ts";
import { REDACTED, type Redaction, redactCardNumbers } from "./redaction.ts";
import { VALIDATE_ONLY } from "./scrub.ts";

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
 * Every redaction rule over an event that is kept: drop and hash paths, then in one walk sensitive
 * keys, card numbers and the value scanners. The event was validated (VALIDATE_ONLY), so the walk
 * counts no fields and checks no depth: it must not stop early, or what it had not reached yet
 * would be stored unredacted.
 */
export function redactKept(event: DraftEvent, redaction: Redaction): void {
  // Paths first: a hashed field is hashed from its value as sent, so it groups the same everywhere.
  const writes = redaction.paths ? applyFieldPaths(event as Record<string, unknown>, redaction.paths, redaction.counts) : [];
  redactWalk(event, redaction);
  // A sensitive `error` key became a string: an event's error is always an object.
  if (typeof event.error === "string") event.error = { message: event.error };
  // The hashes go in last, as computed: no other rule reads a hash (a run of its hex digits could pass for a card number).
  for (const { node, key, value } of writes) node[key] = value;
  if (typeof event.error === "string") event.error = { message: event.error };
}

/** Top-level fields the value scanners leave alone: ids must stay exact to stay distinct, and the gateway's own fields. */
const EXACT_FIELDS = new Set(["requestId", "eventId", "traceId", "spanId", "timestamp", "receivedAt", "tenant", "service"]);

/** One counter callback per redaction, so the walk allocates no closure per event. */
const counters = new WeakMap<Redaction, OnRedacted>();

function counterOf(redaction: Redaction): OnRedacted {
  let count = counters.get(redaction);
  if (count === undefined) {
    const counts = redaction.counts;
    count = (rule) => {
      counts[rule]++;
    };
    counters.set(redaction, count);
  }
  return count;
}

/**
 * The scrub walk's redaction (scrubEvent with a real Redaction) and redactKeptEvent's value
 * scanners over each string in one pass, with the same rules and counts: a sensitive key's value
 * is replaced whole and not walked; every other string gets the card-number check (not the
 * top-level requestId and eventId), then the scanners (not the top-level EXACT_FIELDS).
 */
function redactWalk(event: Record<string, unknown>, redaction: Redaction): void {
  const counts = redaction.counts;
  const cards = redaction.cardNumbers;
  const on = redaction.values;
  const scan = on.email || on.phone || on.iban || on.jwt || on.bearer;
  const count = counterOf(redaction);
  const nodes: object[] = [event];
  while (nodes.length > 0) {
    const node = nodes.pop() as Record<string, unknown> | unknown[];
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const value: unknown = node[i];
        if (typeof value === "string") {
          let clean = cards ? redactCardNumbers(value, counts) : value;
          if (scan) clean = redactValue(clean, on, count);
          if (clean !== value) node[i] = clean;
        } else if (typeof value === "object" && value !== null) nodes.push(value);
      }
      continue;
    }
    const top = node === event;
    // for…in is JSC's fastest key walk here; hasOwn skips anything enumerable on a polluted prototype.
    for (const key in node) {
      if (!Object.hasOwn(node, key)) continue;
      if (redaction.isSensitiveKey(key)) {
        node[key] = REDACTED;
        counts.key++;
        continue;
      }
      const value = node[key];
      if (typeof value === "string") {
        let clean = value;
        if (cards && !(top && (key === "requestId" || key === "eventId"))) clean = redactCardNumbers(clean, counts);
        if (scan && !(top && EXACT_FIELDS.has(key))) clean = redactValue(clean, on, count);
        if (clean !== value) node[key] = clean;
      } else if (typeof value === "object" && value !== null) nodes.push(value);
    }
  }
}
