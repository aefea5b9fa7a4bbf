import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { createNormalizeContext, normalizeEvent } from "./normalize.ts";
import {
  durationToMs,
  epochMsIso,
  futureSkewError,
  MAX_TIMESTAMP_MS,
  MIN_TIMESTAMP_MS,
  parseTimestamp,
  quickTimestampMs,
} from "./timestamp.ts";

const ms = (value: unknown) => {
  const result = parseTimestamp(value);
  return result.ok ? result.ms : result.error;
};

describe("parseTimestamp", () => {
  test("ISO-8601 with Z", () => {
    expect(ms("2026-11-26T03:00:00Z")).toBe(Date.UTC(2026, 10, 26, 3));
  });

  test("ISO-8601 with an offset and fractional seconds", () => {
    expect(ms("2026-11-26T05:30:00.123456+02:30")).toBe(Date.UTC(2026, 10, 26, 3, 0, 0, 123));
  });

  test("ISO-8601 without seconds", () => {
    expect(ms("2026-11-26T03:00Z")).toBe(Date.UTC(2026, 10, 26, 3));
  });

  test("epoch milliseconds", () => {
    expect(ms(1_764_126_000_000)).toBe(1_764_126_000_000);
  });

  test("epoch seconds are refused with a hint", () => {
    expect(ms(1_764_126_000)).toContain("epoch seconds");
  });

  test("values outside 2000–2099 are refused", () => {
    expect(ms(0)).toContain("outside");
    expect(ms(Date.UTC(2100, 0, 1))).toContain("outside");
    expect(ms("1999-12-31T23:59:59Z")).toContain("outside");
  });

  test("epoch milliseconds just outside 2000–2099 are refused naming the number as sent", () => {
    expect(ms(MAX_TIMESTAMP_MS)).toBe("timestamp 4102444800000 is outside the years 2000–2099");
    expect(ms(MIN_TIMESTAMP_MS - 0.5)).toBe("timestamp 946684799999.5 is outside the years 2000–2099");
  });

  test("epoch milliseconds carry their canonical ISO string", () => {
    expect(parseTimestamp(Date.UTC(2026, 10, 26, 3, 0, 0, 7) + 0.9)).toEqual({
      ok: true,
      ms: Date.UTC(2026, 10, 26, 3, 0, 0, 7),
      iso: "2026-11-26T03:00:00.007Z",
    });
  });

  test("an ISO string without a zone is refused", () => {
    expect(ms("2026-11-26T03:00:00")).toContain("time zone");
  });

  test("the Date#toISOString form, with and without milliseconds", () => {
    expect(ms("2026-11-26T03:00:00.250Z")).toBe(Date.UTC(2026, 10, 26, 3, 0, 0, 250));
    expect(ms("2026-11-26T03:00:00Z")).toBe(Date.UTC(2026, 10, 26, 3));
  });

  test("impossible dates in the toISOString form are refused too", () => {
    expect(ms("2026-02-30T00:00:00.000Z")).toContain("not a real date");
    expect(ms("2026-11-26T03:00:60.000Z")).toContain("not a real date");
    expect(ms("2026-1x-26T03:00:00.000Z")).toContain("not ISO-8601");
  });

  test("impossible dates and garbage are refused", () => {
    expect(ms("2026-02-30T00:00:00Z")).toContain("not a real date");
    expect(ms("2026-11-26T24:00:00Z")).toContain("not a real date");
    expect(ms("2026-11-26T03:00:00+25:00")).toContain("zone offset");
    expect(ms("yesterday")).toContain("not ISO-8601");
    expect(ms(Number.NaN)).toContain("finite");
    expect(ms(true)).toContain("got boolean");
  });
});

describe("timestamp normalisation", () => {
  const ctx = createNormalizeContext({ tenant: "t", now: () => Date.UTC(2026, 10, 26, 4), newId: () => "id" });

  test("ISO and epoch ms of the same instant normalise to the same ISO string", () => {
    const a = normalizeEvent({ service: "s", timestamp: "2026-11-26T05:00:00+02:00" }, ctx);
    const b = normalizeEvent({ service: "s", timestamp: Date.UTC(2026, 10, 26, 3) }, ctx);
    expect(a.ok && a.event.timestamp).toBe("2026-11-26T03:00:00.000Z");
    expect(b.ok && b.event.timestamp).toBe("2026-11-26T03:00:00.000Z");
  });

  test("a missing timestamp defaults to the received time", () => {
    const result = normalizeEvent({ service: "s" }, ctx);
    expect(result.ok && result.event.timestamp).toBe("2026-11-26T04:00:00.000Z");
  });

  test("an invalid timestamp rejects the event naming the field", () => {
    const result = normalizeEvent({ service: "s", timestamp: "nope" }, ctx);
    expect(!result.ok && result.error).toMatch(/^timestamp/);
  });
});

describe("durationToMs", () => {
  test("seconds, minutes, hours and days; 0 is off", () => {
    expect(durationToMs("30s")).toBe(30_000);
    expect(durationToMs("10m")).toBe(600_000);
    expect(durationToMs("1h")).toBe(3_600_000);
    expect(durationToMs("2d")).toBe(172_800_000);
    expect(durationToMs("0")).toBe(0);
  });
});

describe("futureSkewError", () => {
  const now = Date.UTC(2026, 11, 1, 12, 0, 0);
  test("within the skew, and exactly at it, is fine", () => {
    expect(futureSkewError(now + 600_000, now, 600_000, "10m")).toBeNull();
    expect(futureSkewError(now - 86_400_000, now, 600_000, "10m")).toBeNull();
  });

  test("past the skew names the time, how far ahead, the limit and the variable", () => {
    expect(futureSkewError(now + 365 * 86_400_000, now, 600_000, "10m")).toBe(
      "timestamp 2027-12-01T12:00:00.000Z is 365 d ahead of the gateway's clock; the limit is 10m (INGEST_MAX_FUTURE_SKEW)",
    );
    expect(futureSkewError(now + 600_001, now, 600_000, "10m")).toContain("is 10 min ahead");
  });

  test("a skew of 0 turns the check off", () => {
    expect(futureSkewError(now + 10 * 365 * 86_400_000, now, 0, "0")).toBeNull();
  });
});

describe("quickTimestampMs (the allocation-free path for a minute already read)", () => {
  test("answers as parseTimestamp does for canonical times in the minute parseTimestamp read last", () => {
    parseTimestamp("2026-11-26T03:04:05.678Z");
    for (const text of ["2026-11-26T03:04:00.000Z", "2026-11-26T03:04:59.999Z", "2026-11-26T03:04:17Z"]) {
      const parsed = parseTimestamp(text);
      expect(parsed.ok && quickTimestampMs(text)).toBe(parsed.ok && parsed.ms);
    }
  });

  test("leaves other minutes, impossible seconds and other forms to parseTimestamp (NaN)", () => {
    parseTimestamp("2026-11-26T03:04:05.678Z");
    for (const text of [
      "2026-11-26T03:05:00.000Z",
      "2026-11-26T03:04:60.000Z",
      "2026-11-26T03:04:05.678+00:00",
      "2026-11-26T03:04:0x.000Z",
    ]) {
      expect(quickTimestampMs(text)).toBeNaN();
    }
  });
});

describe("epochMsIso", () => {
  test("equals toISOString for every whole millisecond in 2000–2099, in any order", () => {
    const msArb = fc.integer({ min: MIN_TIMESTAMP_MS, max: MAX_TIMESTAMP_MS - 1 });
    // Runs of nearby times as a batch sends them, then far jumps: the per-second cache must follow both.
    const runArb = fc.tuple(msArb, fc.array(fc.integer({ min: -2500, max: 2500 }), { maxLength: 20 }));
    fc.assert(
      fc.property(runArb, ([start, steps]) => {
        let t = start;
        for (const step of [0, ...steps]) {
          t = Math.min(MAX_TIMESTAMP_MS - 1, Math.max(MIN_TIMESTAMP_MS, t + step));
          expect(epochMsIso(t)).toBe(new Date(t).toISOString());
        }
      }),
      { numRuns: 5000 },
    );
  });

  test("the first and last milliseconds of the range", () => {
    expect(epochMsIso(MIN_TIMESTAMP_MS)).toBe("2000-01-01T00:00:00.000Z");
    expect(epochMsIso(MAX_TIMESTAMP_MS - 1)).toBe("2099-12-31T23:59:59.999Z");
  });
});
