import { describe, expect, test } from "bun:test";
import { DEFAULT_LIMITS } from "./limits.ts";
import { createNormalizeContext, normalizeBody } from "./normalize.ts";
import { parseBody } from "./parse-body.ts";

// POST /v1/events parses bodies within one event's size without the pre-scan ("walk"): depth is then
// refused by normalizeBody's walk. These pin that the answer is the same as with the scan.

const JSON_TYPE = "application/json";
const NDJSON = "application/x-ndjson";
const ctx = createNormalizeContext({ tenant: "t", newId: () => "id" });

/** A valid event whose object nesting is exactly `depth` (the event itself is 1). */
function eventOfDepth(depth: number): string {
  return `{"service":"x","a":${'{"a":'.repeat(depth - 2)}{}${"}".repeat(depth - 1)}`;
}

/** parse with the walk, then normalise: what the route answers. */
function ingest(text: string, contentType = JSON_TYPE, limits = DEFAULT_LIMITS) {
  const parsed = parseBody(text, contentType, limits, { depth: "walk" });
  if (!parsed.ok) return parsed;
  return normalizeBody(parsed, createNormalizeContext({ tenant: "t", limits, newId: () => "id" }));
}

describe("depth by walk: refused whole, as with the scan", () => {
  test("an event at exactly the limit is kept", () => {
    const result = ingest(`[${eventOfDepth(32)}]`);
    expect(result).toMatchObject({ ok: true, rejected: [] });
  });

  test("one level past the limit in the second event refuses the whole body, naming the index", () => {
    const result = ingest(`[{"service":"ok"},${eventOfDepth(33)}]`);
    expect(result).toMatchObject({ ok: false, status: 400, code: "TOO_DEEP" });
    if (!result.ok) expect(result.message).toBe("nesting depth reached 33 in the event at index 1; the limit is 32 (INGEST_MAX_DEPTH)");
  });

  test("a lone event one level too deep is refused", () => {
    expect(ingest(eventOfDepth(33))).toMatchObject({ ok: false, status: 400, code: "TOO_DEEP" });
  });

  test("200,000 nested arrays inside an event are parsed without recursion and refused", () => {
    const text = `{"service":"x","deep":${"[".repeat(200_000)}${"]".repeat(200_000)}}`;
    expect(ingest(text)).toMatchObject({ ok: false, status: 400, code: "TOO_DEEP" });
  });

  test("depth in an element that is not an object is still refused, not just rejected", () => {
    expect(ingest(`[{"service":"ok"},${"[".repeat(40)}${"]".repeat(40)}]`)).toMatchObject({ status: 400, code: "TOO_DEEP" });
  });

  test("depth after a forbidden key in the same event is still refused", () => {
    const text = `[{"service":"a","__proto__":1,"later":${eventOfDepth(40)}}]`;
    expect(ingest(text)).toMatchObject({ status: 400, code: "TOO_DEEP" });
  });

  test("depth under a redacted key is still refused", () => {
    expect(ingest(`{"service":"a","password":${eventOfDepth(40)}}`)).toMatchObject({ status: 400, code: "TOO_DEEP" });
  });

  test("a shallow object under a redacted key is redacted, not refused", () => {
    const result = ingest(`{"service":"a","password":{"p":{"q":1}}}`);
    expect(result).toMatchObject({ ok: true, events: [{ event: { password: "[REDACTED]" } }] });
  });

  test("invalid deep JSON falls back to the scan and is named too deep", () => {
    expect(ingest("[".repeat(100_000))).toMatchObject({ status: 400, code: "TOO_DEEP" });
  });

  test("invalid shallow JSON is INVALID_JSON", () => {
    expect(ingest('[{"service":"a"},]')).toMatchObject({ status: 400, code: "INVALID_JSON" });
  });

  test("a too-deep NDJSON line refuses the whole body", () => {
    expect(ingest(`{"service":"ok"}\n${eventOfDepth(33)}\n`, NDJSON)).toMatchObject({ status: 400, code: "TOO_DEEP" });
  });

  test("more events than the limit is 413 without the scan too", () => {
    const limits = { ...DEFAULT_LIMITS, maxEvents: 3 };
    expect(ingest('[{"service":"a"},{"service":"a"},{"service":"a"},{"service":"a"}]', JSON_TYPE, limits)).toMatchObject({
      status: 413,
      code: "TOO_MANY_EVENTS",
    });
  });

  test("a body over one event's size is scanned, so an oversized event is rejected by index", () => {
    const limits = { ...DEFAULT_LIMITS, maxEventBytes: 100 };
    const big = JSON.stringify({ service: "b", pad: "x".repeat(200) });
    const result = ingest(`[{"service":"a"},${big},{"service":"c"}]`, JSON_TYPE, limits);
    expect(result).toMatchObject({ ok: true, rejected: [{ index: 1, code: "EVENT_TOO_LARGE" }] });
    if (result.ok) expect(result.events.map((e) => e.index)).toEqual([0, 2]);
  });

  test("a declared byte size decides the path: the scan runs when the body is over one event's size", () => {
    const limits = { ...DEFAULT_LIMITS, maxEventBytes: 100 };
    const text = `[${JSON.stringify({ service: "b", pad: "x".repeat(200) })}]`;
    const parsed = parseBody(text, JSON_TYPE, limits, { depth: "walk", bytes: text.length });
    expect(parsed).toMatchObject({ ok: true, items: [], rejected: [{ index: 0, code: "EVENT_TOO_LARGE" }] });
  });

  test("the same body gives the same events by scan and by walk", () => {
    const text = JSON.stringify([{ service: "a", x: { y: [1, { z: 2 }] } }, 42, { service: "c", password: "p" }]);
    const byScan = parseBody(text, JSON_TYPE);
    const byWalk = parseBody(text, JSON_TYPE, DEFAULT_LIMITS, { depth: "walk" });
    expect(byWalk).toEqual(byScan);
    if (!byScan.ok) throw new Error(byScan.message);
    expect(normalizeBody(byScan, ctx)).toMatchObject({ ok: true, rejected: [{ index: 1, code: "INVALID_EVENT" }] });
  });
});
