import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { jsonBytes, jsonNumberBytes, jsonStringBytes, TOO_DEEP } from "./json-size.ts";

const utf8 = (text: string) => new TextEncoder().encode(text).length;

describe("jsonBytes", () => {
  test("is the UTF-8 size of JSON.stringify for any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(jsonBytes(value, 1000)).toBe(utf8(JSON.stringify(value)));
      }),
      { numRuns: 500 },
    );
  });

  test("is the UTF-8 size of JSON.stringify for values JSON cannot hold as they are (undefined, NaN, -0)", () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 4 }), (value) => {
        const text = JSON.stringify(value);
        expect(jsonBytes(value, 1000)).toBe(text === undefined ? 0 : utf8(text));
      }),
      { numRuns: 500 },
    );
  });

  test("with plain strings, counts each string as its length plus quotes", () => {
    expect(jsonBytes({ a: ["bc", "d"] }, 10, true)).toBe(JSON.stringify({ a: ["bc", "d"] }).length);
  });

  test("refuses to go past the depth given", () => {
    let value: unknown = 1;
    for (let i = 0; i < 5; i++) value = [value];
    expect(jsonBytes(value, 5)).toBe(7 + 4);
    expect(jsonBytes(value, 4)).toBe(TOO_DEEP);
    expect(jsonBytes({ a: { b: {} } }, 2)).toBe(TOO_DEEP);
  });

  test("a string's size counts JSON escapes and UTF-8 bytes", () => {
    for (const text of ["", "plain", 'q"b\\', "\n\t\u0001\u001f", "é€😀", "\ud800"]) {
      expect(jsonStringBytes(text)).toBe(utf8(JSON.stringify(text)));
    }
  });
});

describe("jsonNumberBytes", () => {
  const written = (n: number) => (JSON.stringify(n) as string).length;

  test("is the length of JSON.stringify for any double", () => {
    fc.assert(
      fc.property(fc.double(), (n) => {
        expect([n, jsonNumberBytes(n)]).toEqual([n, written(n)]);
      }),
      { numRuns: 20000 },
    );
  });

  test("is the length of JSON.stringify for decimals with a few digits, as telemetry sends them", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 12 }), (m, k) => {
        const n = m / 10 ** k;
        expect([n, jsonNumberBytes(n)]).toEqual([n, written(n)]);
      }),
      { numRuns: 20000 },
    );
  });

  test("is the length of JSON.stringify at the edges of plain notation and of exact integers", () => {
    const edges = [0, -0, 1e-6, 1e-7, 9.99e-7, 1e15 - 0.5, 1e15, 1e21, 1e21 - 65536, 2 ** 53, 2 ** 53 + 2, -(2 ** 60), 0.1 + 0.2];
    for (const n of [...edges, ...edges.map((e) => -e), 1 - 2 ** -53, 123456789.12345678, 5e-324, Number.MAX_VALUE]) {
      expect([n, jsonNumberBytes(n)]).toEqual([n, written(n)]);
    }
    expect(jsonNumberBytes(Number.NaN)).toBe(4);
    expect(jsonNumberBytes(Number.NEGATIVE_INFINITY)).toBe(4);
  });
});
