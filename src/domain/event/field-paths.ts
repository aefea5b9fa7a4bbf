import { hmacSha256, toHex } from "../hash/sha256.ts";

/**
 * REDACT_DROP_PATHS / REDACT_HASH_PATHS: dotted field paths removed from kept events, or replaced
 * by a keyed hash (HMAC-SHA-256, hex, `hmac:` prefix) so a user id can still be grouped and
 * counted without being readable. A path matches nested objects (`{"user":{"email":…}}`), flat
 * dotted keys (`{"user.email":…}`) and any mix of the two, the same under `attributes` (where OTLP
 * attributes arrive: `{"attributes":{"user.email":…}}`), and goes through arrays element by
 * element (`items.sku` reaches every item's sku).
 */

export type PathAction = "drop" | "hash";

/** The fields rollup rows hold for every event (kept or not); their rules also run in redactDimensions. */
export const ROLLUP_FIELDS = ["service", "route", "method", "error.code"] as const;
export type RollupField = (typeof ROLLUP_FIELDS)[number];

/** Fields the gateway sets or needs whole: no path may start with them (`service` may be hashed, not dropped). */
export const PROTECTED_FIELDS: readonly string[] = ["tenant", "receivedAt", "sampling", "eventId", "timestamp"];

export const HASH_PREFIX = "hmac:";

/** Where the OTLP mapper puts every attribute it has no wide-event field for. */
const OTLP_ATTRIBUTES = "attributes";

export interface FieldPathRules {
  /** Each path split into segments, with the action it gets. */
  readonly paths: readonly { segments: readonly string[]; action: PathAction; rollupField: boolean }[];
  /** What redactDimensions applies to the rollup fields: a path equal to one, or `error` (the object holding error.code). */
  readonly rollup: ReadonlyMap<RollupField, PathAction>;
  /** `hmac:<hex>` of the value (strings as they are, anything else as its JSON). */
  hash(value: unknown): string;
}

export interface FieldPathOptions {
  drop?: readonly string[];
  hash?: readonly string[];
  /** Required when `hash` is not empty. */
  hashKey?: string;
}

/** Why a path is refused, or null. For config: the caller names the variable. */
export function pathProblem(path: string, action: PathAction): string | null {
  const segments = path.split(".");
  if (segments.some((s) => s.length === 0)) return `"${path}" is not a dotted field path (empty segment)`;
  const first = segments[0] ?? "";
  if (PROTECTED_FIELDS.includes(first)) return `"${path}": ${first} is set by the gateway and cannot be redacted`;
  if (action === "drop" && path === "service") return `"service" is required on every event; hash it instead`;
  return null;
}

/** Undefined when no path is configured, so the hot path tests one field. Throws on a bad path or a missing key. */
export function compileFieldPaths(options: FieldPathOptions): FieldPathRules | undefined {
  const drop = options.drop ?? [];
  const hash = options.hash ?? [];
  if (drop.length === 0 && hash.length === 0) return undefined;
  const entries = [...drop.map((p) => [p, "drop"] as const), ...hash.map((p) => [p, "hash"] as const)];
  const paths: { segments: string[]; action: PathAction; rollupField: boolean }[] = [];
  const rollup = new Map<RollupField, PathAction>();
  for (const [path, action] of entries) {
    const problem = pathProblem(path, action);
    if (problem) throw new RangeError(problem);
    const rollupField = (ROLLUP_FIELDS as readonly string[]).includes(path);
    paths.push({ segments: path.split("."), action, rollupField });
    // /v1/logs puts OTLP attributes under `attributes`: `user.id` must reach `attributes["user.id"]` too.
    if (!rollupField && path !== "error" && !path.startsWith(`${OTLP_ATTRIBUTES}.`) && path !== OTLP_ATTRIBUTES) {
      paths.push({ segments: [OTLP_ATTRIBUTES, ...path.split(".")], action, rollupField: false });
    }
    if (rollupField) rollup.set(path as RollupField, action);
    else if (path === "error") rollup.set("error.code", action);
  }
  let mac: ((message: string) => Uint8Array) | undefined;
  if (hash.length > 0) {
    if (options.hashKey === undefined) throw new RangeError("hash paths need a key");
    mac = hmacSha256(options.hashKey);
  }
  return {
    paths,
    rollup,
    hash(value) {
      if (mac === undefined) throw new Error("no hash key");
      return HASH_PREFIX + toHex(mac(typeof value === "string" ? value : JSON.stringify(value)));
    },
  };
}

/** A value to put back once the other rules have run: a hash must reach the store exactly as computed. */
export interface HashWrite {
  node: Record<string, unknown>;
  key: string;
  value: string;
}

/**
 * Applies every path to a kept event, in place: drops at once; hashes are computed from the values
 * as sent and returned as writes for the caller to apply after the key and value rules (which could
 * otherwise take a run of hex digits for a card number). Counts one per field dropped or hashed.
 * The rollup fields themselves were handled by redactDimensions for every event: here their hashes
 * are only carried over, and a rollup path reaches only the flat key of the same name
 * (`{"error.code": …}`).
 */
export function applyFieldPaths(
  event: Record<string, unknown>,
  rules: FieldPathRules,
  counts: { drop: number; hash: number },
): HashWrite[] {
  const writes: HashWrite[] = [];
  for (const { segments, action, rollupField } of rules.paths) {
    const act = (node: Record<string, unknown>, key: string) => {
      const value = node[key];
      if (value === null || value === undefined) return;
      if (action === "drop") {
        delete node[key];
        counts.drop++;
        return;
      }
      writes.push({ node, key, value: rules.hash(value) });
      node[key] = ""; // until the writes: nothing for the other rules to find or count
      counts.hash++;
    };
    if (!rollupField) {
      visit(event, segments, 0, act);
      continue;
    }
    if (segments.length > 1 && Object.hasOwn(event, segments.join("."))) act(event, segments.join("."));
    if (action === "hash") carryOver(event, segments, writes);
  }
  return writes;
}

/** The hash redactDimensions put in a rollup field, to be written back after the other rules. */
function carryOver(event: Record<string, unknown>, segments: readonly string[], writes: HashWrite[]): void {
  const [first, second] = segments;
  const node = second === undefined ? event : event[first as string];
  const key = (second ?? first) as string;
  if (typeof node !== "object" || node === null || Array.isArray(node)) return;
  const value = (node as Record<string, unknown>)[key];
  if (typeof value !== "string") return;
  writes.push({ node: node as Record<string, unknown>, key, value });
  (node as Record<string, unknown>)[key] = "";
}

/** Every (object, key) that `segments[from..]` names under `value`; each run of segments may be one flat dotted key. */
function visit(value: unknown, segments: readonly string[], from: number, act: (node: Record<string, unknown>, key: string) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) visit(item, segments, from, act);
    return;
  }
  if (typeof value !== "object" || value === null) return;
  const node = value as Record<string, unknown>;
  let key = "";
  for (let to = from; to < segments.length; to++) {
    key = to === from ? (segments[to] as string) : `${key}.${segments[to]}`;
    if (!Object.hasOwn(node, key)) continue;
    if (to === segments.length - 1) act(node, key);
    else visit(node[key], segments, to + 1, act);
  }
}
