import { afterEach, describe, expect, test } from "bun:test";
import { DEFAULT_LIMITS } from "./limits.ts";
import { createNormalizeContext, normalizeBody, normalizeEvent } from "./normalize.ts";
import { parseBody } from "./parse-body.ts";

const ctx = createNormalizeContext({ tenant: "t1", now: () => Date.UTC(2026, 10, 26), newId: () => "id" });

function rejection(text: string) {
  const parsed = parseBody(text, "application/json");
  if (!parsed.ok) throw new Error(parsed.message);
  const batch = normalizeBody(parsed, ctx);
  if (!batch.ok) throw new Error(batch.message);
  expect(batch.events).toHaveLength(0);
  return batch.rejected[0];
}

afterEach(() => {
  // Every test here must leave the shared prototype untouched.
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.hasOwn(Object.prototype, "polluted")).toBe(false);
});

describe("prototype-pollution keys are refused at any depth", () => {
  test('"__proto__" at the top level, from JSON text', () => {
    const r = rejection('{"service":"a","__proto__":{"polluted":true}}');
    expect(r).toEqual({ index: 0, code: "FORBIDDEN_KEY", error: 'key "__proto__" is not allowed (at the top level)' });
  });

  test('"__proto__" nested inside an object, naming where', () => {
    const r = rejection('{"service":"a","user":{"profile":{"__proto__":{"polluted":true}}}}');
    expect(r?.error).toBe('key "__proto__" is not allowed (in user.profile)');
  });

  test('"__proto__" inside an array element', () => {
    expect(rejection('{"service":"a","items":[{"ok":1},{"__proto__":{"polluted":true}}]}')?.error).toContain("items[1]");
  });

  test('"constructor" with a nested "prototype"', () => {
    expect(rejection('{"service":"a","constructor":{"prototype":{"polluted":true}}}')?.error).toContain('"constructor"');
  });

  test('"prototype" nested', () => {
    expect(rejection('{"service":"a","x":{"prototype":1}}')?.error).toContain('"prototype"');
  });

  test("the other events of a batch are kept", () => {
    const parsed = parseBody('[{"service":"a"},{"service":"b","__proto__":{"polluted":true}},{"service":"c"}]', "application/json");
    if (!parsed.ok) throw new Error(parsed.message);
    const batch = normalizeBody(parsed, ctx);
    if (!batch.ok) throw new Error(batch.message);
    expect(batch.events.map((e) => e.index)).toEqual([0, 2]);
    expect(batch.rejected.map((r) => [r.index, r.code])).toEqual([[1, "FORBIDDEN_KEY"]]);
  });

  test("a sensitive key does not hide a forbidden key elsewhere", () => {
    expect(rejection('{"service":"a","password":"x","meta":{"constructor":1}}')?.code).toBe("FORBIDDEN_KEY");
  });

  test("keys inherited from an already polluted Object.prototype are not walked", () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.injected = { password: "leak" };
    try {
      const result = normalizeEvent({ service: "a" }, ctx);
      expect(result.ok && Object.keys(result.event)).not.toContain("injected");
      expect(proto.injected).toEqual({ password: "leak" });
    } finally {
      delete proto.injected;
    }
  });
});

describe("field limit", () => {
  const limits = { ...DEFAULT_LIMITS, maxFields: 10 };
  const small = createNormalizeContext({ tenant: "t", limits, newId: () => "id" });

  test("keys at all depths count toward maxFields", () => {
    // 1 + 1 + 8 nested = 10 keys: at the limit.
    const nested = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, i]));
    expect(normalizeEvent({ service: "a", nested }, small).ok).toBe(true);
    const result = normalizeEvent({ service: "a", nested: { ...nested, k8: 8 } }, small);
    expect(result).toEqual({ ok: false, code: "TOO_MANY_FIELDS", error: "event has more than 10 fields (INGEST_MAX_FIELDS)" });
  });

  test("keys inside array elements count too", () => {
    const items = Array.from({ length: 5 }, () => ({ a: 1, b: 2 }));
    expect(normalizeEvent({ service: "a", items }, small)).toMatchObject({ ok: false, code: "TOO_MANY_FIELDS" });
  });

  test("the default limit of 1000 fields rejects 1001", () => {
    const wide = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`f${i}`, i]));
    expect(normalizeEvent({ service: "a", ...wide }, ctx)).toMatchObject({ ok: false, code: "TOO_MANY_FIELDS" });
  });
});

describe("depth guard for events that did not come from JSON text", () => {
  test("a self-referencing array is refused, not walked forever", () => {
    const loop: unknown[] = [];
    loop.push(loop);
    expect(normalizeEvent({ service: "a", loop }, ctx)).toMatchObject({ ok: false, code: "TOO_DEEP" });
  });
});
