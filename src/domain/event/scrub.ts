import type { Rejection } from "./errors.ts";
import { redactValue } from "./pii.ts";
import { REDACTED, type Redaction, redactCardNumbers } from "./redaction.ts";

export interface ScrubLimits {
  maxFields: number;
  /**
   * Depth of the event itself is 1. This walk is where a body parsed without a pre-scan has its
   * depth refused (see parseJsonBody's `depth: "walk"`); it also stops cycles in objects not from JSON.
   */
  maxDepth: number;
}

/** TOO_DEEP refuses the whole body, the other codes only this event (see normalizeBody). */
export type ScrubFailure = { code: Rejection["code"] | "TOO_DEEP"; error: string };

/**
 * One iterative walk (explicit stack, no recursion) over an event that counts object keys at all
 * depths, refuses prototype-pollution keys (`__proto__`, `constructor`, `prototype`: harmless in
 * JSON.parse output, dangerous once a consumer merges or assigns the event), and redacts.
 *
 * It MUTATES `event` in place: events come freshly parsed from JSON and are owned by the gateway,
 * so copying would only cost time. Callers holding objects they still need must clone first.
 * Returns null when the event is acceptable. Array elements are not fields; their size is bounded
 * by the per-event byte limit instead.
 */
export function scrubEvent(event: Record<string, unknown>, limits: ScrubLimits, redaction: Redaction): ScrubFailure | null {
  // Every accepted event is validated, nearly all of them pass: a lean recursive check answers
  // those; the walk below runs on a failure, to name it exactly as it always has.
  if (redaction === VALIDATE_ONLY && fieldsLeft(event, 1, limits.maxDepth, limits.maxFields) >= 0) return null;
  const nodes: object[] = [event];
  const depths: number[] = [1];
  let fields = 0;
  const cards = redaction.cardNumbers;
  const counts = redaction.counts;

  while (nodes.length > 0) {
    const node = nodes.pop() as object;
    const depth = depths.pop() as number;
    if (depth > limits.maxDepth) return tooDeep(limits.maxDepth);
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const value: unknown = node[i];
        if (typeof value === "string") {
          if (cards) {
            const clean = redactCardNumbers(value, counts);
            if (clean !== value) node[i] = clean;
          }
        } else if (typeof value === "object" && value !== null) {
          nodes.push(value);
          depths.push(depth + 1);
        }
      }
      continue;
    }
    const record = node as Record<string, unknown>;
    // for…in is JSC's fastest key walk here; hasOwn skips anything enumerable on a polluted prototype.
    for (const key in record) {
      if (!Object.hasOwn(record, key)) continue;
      if (++fields > limits.maxFields) {
        return { code: "TOO_MANY_FIELDS", error: `event has more than ${limits.maxFields} fields (INGEST_MAX_FIELDS)` };
      }
      if (key === "__proto__" || key === "constructor" || key === "prototype") {
        const path = pathTo(event, record);
        const where = path === "" ? "at the top level" : `in ${path}`;
        return { code: "FORBIDDEN_KEY", error: `key "${key}" is not allowed (${where})` };
      }
      if (redaction.isSensitiveKey(key)) {
        // A redacted value is not walked, but its nesting still counts: depth is refused anywhere in a body.
        const secret = record[key];
        if (typeof secret === "object" && secret !== null && nestsDeeper(secret, limits.maxDepth - depth)) return tooDeep(limits.maxDepth);
        record[key] = REDACTED;
        counts.key++;
        continue;
      }
      const value = record[key];
      if (typeof value === "string") {
        // Top-level ids stay exact: redacting them would give distinct events one id.
        if (cards && !(depth === 1 && (key === "requestId" || key === "eventId"))) {
          const clean = redactCardNumbers(value, counts);
          if (clean !== value) record[key] = clean;
        }
      } else if (typeof value === "object" && value !== null) {
        nodes.push(value);
        depths.push(depth + 1);
      }
    }
  }
  // The route is a rollup key, counted for every accepted event: it gets the value scanners here,
  // the rest of the event only if it is kept (redactKeptEvent).
  const route = event.route;
  if (typeof route === "string") {
    const clean = redactValue(route, redaction.values, (rule) => counts[rule]++);
    if (clean !== route) event.route = clean;
  }
  return null;
}

/**
 * Validation without redaction: the scrub walk still counts fields, refuses hostile keys and deep
 * nesting for every event, but leaves values alone. Ingest redacts only what it keeps (dropped
 * events go nowhere) plus the few fields that rollups count (see redactDimensions).
 */
export const VALIDATE_ONLY: Redaction = {
  keys: new Set<string>(),
  cardNumbers: false,
  values: { email: false, phone: false, iban: false, jwt: false, bearer: false },
  isSensitiveKey: () => false,
  counts: { key: 0, card: 0, email: 0, phone: 0, iban: 0, jwt: 0, bearer: 0, drop: 0, hash: 0 },
};

/**
 * The field budget left after `record` (the container at `depth`), or -1 when it holds a forbidden
 * key, nests past `maxDepth` or runs the budget out: scrubEvent's checks without redaction, so
 * it succeeds exactly when that walk with VALIDATE_ONLY does. Recursion is bounded by `maxDepth`.
 */
function fieldsLeft(record: Record<string, unknown>, depth: number, maxDepth: number, left: number): number {
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    if (--left < 0 || key === "__proto__" || key === "constructor" || key === "prototype") return -1;
    const value = record[key];
    if (typeof value === "object" && value !== null) {
      left = containerLeft(value, depth, maxDepth, left);
      if (left < 0) return -1;
    }
  }
  return left;
}

/** fieldsLeft for an array: its elements are not fields, the containers among them are walked. */
function elementsLeft(array: unknown[], depth: number, maxDepth: number, left: number): number {
  for (let i = 0; i < array.length; i++) {
    const value = array[i];
    if (typeof value === "object" && value !== null) {
      left = containerLeft(value, depth, maxDepth, left);
      if (left < 0) return -1;
    }
  }
  return left;
}

/** The fields left after walking a container found at `depth`, or -1 past the depth limit. */
function containerLeft(value: object, depth: number, maxDepth: number, left: number): number {
  if (depth >= maxDepth) return -1;
  return Array.isArray(value)
    ? elementsLeft(value, depth + 1, maxDepth, left)
    : fieldsLeft(value as Record<string, unknown>, depth + 1, maxDepth, left);
}

function tooDeep(maxDepth: number): ScrubFailure {
  return { code: "TOO_DEEP", error: `nesting depth is over the limit of ${maxDepth} (INGEST_MAX_DEPTH)` };
}

/**
 * Whether `value` nests more than `maxDepth` containers (a container is 1), walked iteratively and
 * stopping at the first level past the limit, so cycles end too. For the rare values the scrub walk
 * does not finish: rejected events and redacted subtrees.
 */
export function nestsDeeper(value: unknown, maxDepth: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  const nodes: object[] = [value];
  const depths: number[] = [1];
  while (nodes.length > 0) {
    const node = nodes.pop() as object;
    const depth = depths.pop() as number;
    if (depth > maxDepth) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === "object" && child !== null) {
        nodes.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

/** Dotted path from `root` to the container `target`, for error messages only (so the walk builds no paths). */
function pathTo(root: object, target: object): string {
  const nodes: object[] = [root];
  const paths: string[] = [""];
  const seen = new Set<object>();
  while (nodes.length > 0) {
    const node = nodes.pop() as object;
    const path = paths.pop() as string;
    if (node === target) return path;
    if (seen.has(node)) continue;
    seen.add(node);
    const entries: Array<[string, unknown]> = Array.isArray(node)
      ? node.map((v: unknown, i): [string, unknown] => [`${path}[${i}]`, v])
      : Object.keys(node).map((k): [string, unknown] => [path === "" ? k : `${path}.${k}`, (node as Record<string, unknown>)[k]]);
    for (const [childPath, value] of entries) {
      if (typeof value === "object" && value !== null) {
        nodes.push(value);
        paths.push(childPath);
      }
    }
  }
  return "";
}
