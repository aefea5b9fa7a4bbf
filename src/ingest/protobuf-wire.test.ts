import { describe, expect, test } from "bun:test";
import { WireReader } from "./protobuf-wire.ts";

describe("WireReader.sameRuns", () => {
  test("equal runs of every length up to 12, at every alignment, are the same", () => {
    const bytes = new Uint8Array(64).map((_, i) => i % 16);
    const reader = new WireReader(bytes);
    for (let length = 0; length <= 12; length++) {
      for (let a = 0; a < 4; a++) expect(reader.sameRuns(a, a + 16, length)).toBe(true);
    }
  });

  test("runs that differ in any one byte are not the same", () => {
    for (let length = 1; length <= 12; length++) {
      for (let at = 0; at < length; at++) {
        const bytes = new Uint8Array(40).map((_, i) => i % 20);
        bytes[21 + at] = 99;
        expect(new WireReader(bytes).sameRuns(1, 21, length)).toBe(false);
      }
    }
  });

  test("a reader over part of a buffer compares within that part", () => {
    const whole = new Uint8Array([9, 9, 9, 1, 2, 3, 4, 5, 1, 2, 3, 4, 5]);
    expect(new WireReader(whole.subarray(3)).sameRuns(0, 5, 5)).toBe(true);
    expect(new WireReader(whole.subarray(2)).sameRuns(0, 5, 5)).toBe(false);
  });
});
