import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { jsonBytes, jsonStringBytes, TOO_DEEP } from "./json-size.ts";

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
