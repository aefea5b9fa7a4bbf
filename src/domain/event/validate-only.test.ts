import { describe, expect, test } from "bun:test";
import { compileRedaction } from "./redaction.ts";
import { scrubEvent, VALIDATE_ONLY } from "./scrub.ts";

// The same checks through the general walk: a redaction that replaces nothing, but is not VALIDATE_ONLY.
const INERT = compileRedaction({ keys: [], cardNumbers: false, values: [] });
const LIMITS = { maxFields: 6, maxDepth: 3 };

const cases: Array<[string, () => Record<string, unknown>]> = [
  ["flat, at the field limit", () => ({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 })],
  ["flat, one field over", () => ({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7 })],
  ["nested fields counted at every depth", () => ({ a: { b: { c: 1, d: 2 } }, e: 1, f: 2 })],
  ["nested fields one over", () => ({ a: { b: { c: 1, d: 2 } }, e: 1, f: 2, g: 3 })],
  ["at the depth limit", () => ({ a: { b: { c: 1 } } })],
  ["one level too deep", () => ({ a: { b: { c: {} } } })],
  ["too deep inside an array", () => ({ a: [[{ b: 1 }]] })],
  ["array elements are not fields", () => ({ a: [1, 2, 3, 4, 5, 6, 7, 8, 9], b: 1 })],
  ["__proto__ nested in an array", () => JSON.parse('{"a":[{"__proto__":{}}]}') as Record<string, unknown>],
  ["constructor at the top", () => ({ constructor: 1 })],
  ["prototype nested", () => ({ a: { prototype: 1 } })],
];

describe("scrubEvent with VALIDATE_ONLY (the lean check) answers as the general walk does", () => {
  for (const [name, make] of cases) {
    test(name, () => {
      expect(scrubEvent(make(), LIMITS, VALIDATE_ONLY)).toEqual(scrubEvent(make(), LIMITS, INERT));
    });
  }

  test("the cases include passes and each kind of failure", () => {
    const outcomes = new Set(cases.map(([, make]) => scrubEvent(make(), LIMITS, INERT)?.code ?? "ok"));
    expect([...outcomes].sort()).toEqual(["FORBIDDEN_KEY", "TOO_DEEP", "TOO_MANY_FIELDS", "ok"]);
  });
});
