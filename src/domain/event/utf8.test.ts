import { describe, expect, test } from "bun:test";
import { utf8Length, utf8Over } from "./utf8.ts";

const encoded = (s: string) => new TextEncoder().encode(s).byteLength;

describe("utf8Length", () => {
  test("matches TextEncoder for ASCII, 2-, 3- and 4-byte characters", () => {
    for (const s of ["", "abc", "é", "€", "😀", 'a"é€😀z']) expect(utf8Length(s)).toBe(encoded(s));
  });

  test("counts a lone surrogate as the 3 bytes of U+FFFD", () => {
    expect(utf8Length("\uD800x")).toBe(encoded("\uD800x"));
    expect(utf8Length("x\uDC00")).toBe(encoded("x\uDC00"));
  });

  test("measures a slice", () => {
    expect(utf8Length("ab€cd", 1, 4)).toBe(5);
  });
});

describe("utf8Over", () => {
  test("decides from the length when it can and counts when it must", () => {
    expect(utf8Over("a".repeat(11), 10)).toBe(true);
    expect(utf8Over("a".repeat(3), 10)).toBe(false);
    expect(utf8Over("€€€€", 10)).toBe(true);
    expect(utf8Over("€€€a", 10)).toBe(false);
  });
});
