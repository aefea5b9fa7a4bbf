import { describe, expect, spyOn, test } from "bun:test";
import { DEFAULT_LIMITS } from "./limits.ts";
import { parseBody } from "./parse-body.ts";

const JSON_TYPE = "application/json";
const NDJSON = "application/x-ndjson";

/** An event whose object nesting is exactly `depth` (the event itself is 1). */
function eventOfDepth(depth: number): string {
  return `${'{"a":'.repeat(depth - 1)}{"service":"x"}${"}".repeat(depth - 1)}`;
}

describe("parseBody: depth limit", () => {
  test("10,000 nested arrays are refused with 400 before JSON.parse runs", () => {
    const parse = spyOn(JSON, "parse");
    const result = parseBody(`${"[".repeat(10_000)}${"]".repeat(10_000)}`, JSON_TYPE);
    expect(parse).not.toHaveBeenCalled();
    parse.mockRestore();
    expect(result).toMatchObject({ ok: false, status: 400, code: "TOO_DEEP" });
    if (!result.ok) expect(result.message).toMatch(/reached 33 .*limit is 32/);
  });

  test("10,000 nested objects are refused with 400", () => {
    const text = `${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`;
    expect(parseBody(text, JSON_TYPE)).toMatchObject({ status: 400, code: "TOO_DEEP" });
  });

  test("deep nesting that is unbalanced is still refused as too deep, not parsed", () => {
    expect(parseBody("[".repeat(100_000), JSON_TYPE)).toMatchObject({ status: 400, code: "TOO_DEEP" });
  });

  test("brackets inside a string do not count toward depth", () => {
    const text = JSON.stringify({ service: "x", note: "[".repeat(10_000) + "{".repeat(10_000) });
    expect(parseBody(text, JSON_TYPE).ok).toBe(true);
  });

  test("an event at exactly the depth limit is accepted, alone and in a batch", () => {
    expect(parseBody(eventOfDepth(32), JSON_TYPE).ok).toBe(true);
    expect(parseBody(`[${eventOfDepth(32)}]`, JSON_TYPE).ok).toBe(true);
  });

  test("one level past the limit refuses the whole body, alone and in a batch", () => {
    expect(parseBody(eventOfDepth(33), JSON_TYPE)).toMatchObject({ status: 400, code: "TOO_DEEP" });
    expect(parseBody(`[{"service":"ok"},${eventOfDepth(33)}]`, JSON_TYPE)).toMatchObject({ status: 400, code: "TOO_DEEP" });
  });

  test("a too-deep NDJSON line refuses the whole body with 400", () => {
    const text = `{"service":"ok"}\n${eventOfDepth(33)}\n`;
    const result = parseBody(text, NDJSON);
    expect(result).toMatchObject({ status: 400, code: "TOO_DEEP" });
    if (!result.ok) expect(result.message).toContain("index 1");
  });
});

describe("parseBody: batch and event size limits", () => {
  test("more than maxEvents in a JSON array is 413 naming the limit", () => {
    const text = `[${Array.from({ length: 10_001 }, () => "{}").join(",")}]`;
    const result = parseBody(text, JSON_TYPE);
    expect(result).toMatchObject({ ok: false, status: 413, code: "TOO_MANY_EVENTS" });
    if (!result.ok) expect(result.message).toContain("10000");
  });

  test("exactly maxEvents is accepted", () => {
    const text = `[${Array.from({ length: 10_000 }, () => "{}").join(",")}]`;
    expect(parseBody(text, JSON_TYPE).ok).toBe(true);
  });

  test("more than maxEvents NDJSON lines is 413", () => {
    const limits = { ...DEFAULT_LIMITS, maxEvents: 3 };
    expect(parseBody("{}\n{}\n{}\n{}\n", NDJSON, limits)).toMatchObject({ status: 413, code: "TOO_MANY_EVENTS" });
    expect(parseBody("{}\n{}\n\n{}\n\n", NDJSON, limits).ok).toBe(true);
  });

  test("an array element over maxEventBytes is rejected by index and the rest kept", () => {
    const limits = { ...DEFAULT_LIMITS, maxEventBytes: 100 };
    const big = JSON.stringify({ service: "x", pad: "y".repeat(200) });
    const result = parseBody(`[{"service":"a"}, ${big}, {"service":"c"}]`, JSON_TYPE, limits);
    if (!result.ok) throw new Error(result.message);
    expect(result.items.map((i) => i.index)).toEqual([0, 2]);
    expect(result.rejected).toEqual([{ index: 1, code: "EVENT_TOO_LARGE", error: expect.stringContaining("100 bytes") }]);
  });

  test("event size counts UTF-8 bytes, not UTF-16 units", () => {
    const limits = { ...DEFAULT_LIMITS, maxEventBytes: 64 };
    // 20 units of "é" are 40 bytes: {"s":"…"} is 48 units but 68 bytes.
    const event = JSON.stringify({ s: "é".repeat(20), t: "aaaaaaaaaaaaaaaaa" });
    expect(event.length).toBeLessThanOrEqual(64);
    const result = parseBody(`[${event}]`, JSON_TYPE, limits);
    expect(result.ok && result.rejected.map((r) => r.code)).toEqual(["EVENT_TOO_LARGE"]);
  });

  test("a single object over maxEventBytes is rejected at index 0", () => {
    const limits = { ...DEFAULT_LIMITS, maxEventBytes: 64 };
    const result = parseBody(JSON.stringify({ service: "x", pad: "y".repeat(100) }), JSON_TYPE, limits);
    expect(result.ok && result.rejected).toEqual([{ index: 0, code: "EVENT_TOO_LARGE", error: expect.any(String) }]);
  });

  test("an NDJSON line over maxEventBytes is rejected by index", () => {
    const limits = { ...DEFAULT_LIMITS, maxEventBytes: 64 };
    const text = `{"service":"a"}\n${JSON.stringify({ pad: "y".repeat(100) })}\n{"service":"c"}`;
    const result = parseBody(text, NDJSON, limits);
    expect(result.ok && result.rejected.map((r) => [r.index, r.code])).toEqual([[1, "EVENT_TOO_LARGE"]]);
  });
});
