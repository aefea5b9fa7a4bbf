import { describe, expect, test } from "bun:test";
import { isoTimestamp } from "../../src/sdk/iso-time.ts";

describe("isoTimestamp", () => {
  test("gives Date#toISOString's text for times within, across and before the cached second", () => {
    const base = Date.UTC(2026, 11, 1, 17, 31, 53, 0);
    const times = [base, base + 42, base + 999, base + 1000, base + 1, base - 1, base + 86_400_000 + 7, 0, -1, -1001, 1.9, base + 0.5];
    for (const ms of times) expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
  });

  test("years outside 0000–9999 are written as Date writes them", () => {
    for (const ms of [Date.UTC(10_000, 0, 1, 0, 0, 0, 5), Date.UTC(-1, 0, 1, 0, 0, 0, 5)]) {
      expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
      expect(isoTimestamp(ms + 1)).toBe(new Date(ms + 1).toISOString());
    }
  });
});
