import { describe, expect, test } from "bun:test";
import { scanJson } from "./scan-json.ts";

const deep = (open: string, close: string, n: number) => open.repeat(n) + close.repeat(n);

describe("scanJson", () => {
  test("reports the depth of a nested object", () => {
    expect(scanJson('{"a":{"b":[1,{"c":2}]}}', { maxDepth: 10 })).toMatchObject({ ok: true, topLevel: "object", depth: 4 });
  });

  test("ignores brackets, braces and escaped quotes inside strings", () => {
    const text = '{"a":"[[[{{{\\"]]]\\\\","b":1}';
    expect(JSON.parse(text)).toEqual({ a: '[[[{{{"]]]\\', b: 1 });
    expect(scanJson(text, { maxDepth: 1 })).toMatchObject({ ok: true, depth: 1 });
  });

  test("stops at the first container past maxDepth without reading the rest", () => {
    const result = scanJson(`${deep("[", "]", 10_000)}garbage`, { maxDepth: 32 });
    expect(result).toEqual({ ok: false, reason: "TOO_DEEP", depth: 33, offset: 32 });
  });

  test("accepts depth exactly at maxDepth", () => {
    expect(scanJson(deep("[", "]", 32), { maxDepth: 32 })).toMatchObject({ ok: true, depth: 32 });
  });

  test("records trimmed element bounds of a top-level array", () => {
    const text = '[ {"a":1} ,\n  "x,y" , [1,2] ,3]';
    const result = scanJson(text, { maxDepth: 5 });
    if (!result.ok) throw new Error("scan failed");
    const slices = [];
    for (let i = 0; i < result.elements.length; i += 2) slices.push(text.slice(result.elements[i], result.elements[i + 1]));
    expect(slices).toEqual(['{"a":1}', '"x,y"', "[1,2]", "3"]);
  });

  test("an empty array has no elements", () => {
    expect(scanJson("[ ]", { maxDepth: 5 })).toMatchObject({ ok: true, topLevel: "array", elements: [] });
  });

  test("stops as soon as the array has more than maxElements", () => {
    const result = scanJson(`[${"{},".repeat(100)}{}]`, { maxDepth: 5, maxElements: 10 });
    expect(result).toMatchObject({ ok: false, reason: "TOO_MANY_ELEMENTS", count: 11 });
  });

  test("reports an unterminated string", () => {
    expect(scanJson('{"a":"abc', { maxDepth: 5 })).toMatchObject({ ok: false, reason: "UNBALANCED" });
  });

  test("reports a stray closing bracket", () => {
    expect(scanJson("{}}", { maxDepth: 5 })).toMatchObject({ ok: false, reason: "UNBALANCED", offset: 2 });
  });

  test("classifies scalars and whitespace-only text", () => {
    expect(scanJson(' "x" ', { maxDepth: 5 })).toMatchObject({ ok: true, topLevel: "scalar", depth: 0 });
    expect(scanJson(" \n\t", { maxDepth: 5 })).toMatchObject({ ok: true, topLevel: "empty" });
  });
});
