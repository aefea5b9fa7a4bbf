import { ATTR_PATH } from "../query/stat-query.ts";
import { closest, editDistance, typoBudget } from "./fuzzy.ts";
import type { FieldInfo } from "./types.ts";

/**
 * The tenant's own event attributes (`region`, `user.plan`…) as questions reach them: seen in the
 * newest kept events, named by their last segment, a synonym or a Korean word, and answered as
 * `attr:<path>` from kept events (estimates). A field the data does not hold is never produced.
 */

/** Fields every event has and the query already names as rollup dimensions, or the gateway's own. */
const NOT_ATTRIBUTES =
  /^(?:service|route|method|statusCode|durationMs|timestamp|eventId|requestId|tenant|receivedAt|message|traceId|spanId|_id|_q|sampling|error)(?:\.|$)/;
/** Fields with at most this many distinct values list them, so "enterprise" can be read as user.plan=enterprise. */
const MAX_VALUES = 20;
const MAX_FIELDS = 100;

/** Every scalar attribute path of the events, with its values when there are few. */
export function seenFields(events: readonly Record<string, unknown>[]): FieldInfo[] {
  const values = new Map<string, Set<string> | null>();
  const walk = (value: unknown, path: string, depth: number) => {
    if (depth > 8 || values.size > MAX_FIELDS * 2) return;
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) walk(inner, path ? `${path}.${key}` : key, depth + 1);
      return;
    }
    if (!["string", "number", "boolean"].includes(typeof value) || NOT_ATTRIBUTES.test(path) || !ATTR_PATH.test(path)) return;
    const seen = values.get(path);
    if (seen === null) return;
    const set = seen ?? new Set<string>();
    set.add(String(value));
    values.set(path, set.size > MAX_VALUES ? null : set);
  };
  for (const event of events) walk(event, "", 0);
  return [...values.entries()]
    .slice(0, MAX_FIELDS)
    .map(([path, set]) => ({ path, values: set ? [...set].sort() : [] }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

/** Words people use for a field, in both languages, mapped to the names fields usually have. */
const SYNONYMS: readonly (readonly [RegExp, readonly string[]])[] = [
  [/^(?:regions?|리전|지역|region별)$/, ["region", "aws_region", "cloud_region", "location"]],
  [/^(?:plans?|tiers?|subscriptions?|플랜|요금제|등급|티어|구독)$/, ["plan", "tier", "subscription"]],
  [/^(?:countr(?:y|ies)|국가|나라)$/, ["country", "country_code"]],
  [/^(?:versions?|버전)$/, ["version", "app_version"]],
  [/^(?:browsers?|브라우저)$/, ["browser", "user_agent"]],
  [/^(?:devices?|기기|디바이스|단말)$/, ["device", "platform"]],
  [/^(?:platforms?|플랫폼|os)$/, ["platform", "os"]],
  [/^(?:users?|사용자|유저)$/, ["user.id", "user"]],
  [/^(?:zones?|존|az)$/, ["zone", "availability_zone", "az"]],
  [/^(?:hosts?|호스트|서버|servers?)$/, ["host", "hostname", "server"]],
  [/^(?:environments?|envs?|환경)$/, ["env", "environment"]],
];

const last = (path: string) => path.split(".").at(-1)?.toLowerCase() ?? "";

/**
 * The field a word names: an exact path or last segment (singular or plural), a synonym, or a
 * typo within a small edit distance. `how` says which, so the answer can state the choice.
 */
export function resolveField(word: string, fields: readonly FieldInfo[]): { path: string; how: "exact" | "alias" | "typo" } | undefined {
  const w = word.toLowerCase();
  const exact = fields.find((f) => f.path.toLowerCase() === w || last(f.path) === w || `${last(f.path)}s` === w);
  if (exact) return { path: exact.path, how: "exact" };
  for (const [re, names] of SYNONYMS) {
    if (!re.test(w)) continue;
    for (const name of names) {
      const hit = fields.find((f) => f.path.toLowerCase() === name || last(f.path) === name);
      if (hit) return { path: hit.path, how: "alias" };
    }
  }
  if (!/^[a-z][a-z0-9_-]*$/.test(w)) return undefined;
  const budget = typoBudget(w.length);
  const near = fields
    .map((f) => ({ f, d: editDistance(w, last(f.path), budget) }))
    .filter((x) => x.d <= budget)
    .sort((a, b) => a.d - b.d)[0];
  return near ? { path: near.f.path, how: "typo" } : undefined;
}

/** The closest seen field paths to an unknown word, for a clarification. */
export function closestFields(word: string, fields: readonly FieldInfo[]): string[] {
  return closest(
    word,
    fields.map((f) => f.path),
    5,
  );
}

/** A stored value the question names (`enterprise`, `us-east-1`) for a field with few values: its field, value and span. */
export function findFieldValues(
  question: string,
  fields: readonly FieldInfo[],
): Array<{ path: string; value: string; start: number; length: number }> {
  const lower = question.toLowerCase();
  const out: Array<{ path: string; value: string; start: number; length: number }> = [];
  const taken = new Set<string>();
  for (const field of fields) {
    for (const value of [...field.values].sort((a, b) => b.length - a.length)) {
      if (value.length < 3 || !/[A-Za-z]/.test(value) || taken.has(field.path)) continue;
      const re = new RegExp(`(?<![A-Za-z0-9_.-])${value.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![A-Za-z0-9_-])`);
      const hit = re.exec(lower);
      if (!hit) continue;
      out.push({ path: field.path, value, start: hit.index, length: value.length });
      taken.add(field.path);
    }
  }
  return out;
}
