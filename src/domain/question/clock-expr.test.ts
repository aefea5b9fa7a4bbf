import { describe, expect, test } from "bun:test";
import { parseClockRange, rangeWords } from "./clock-expr.ts";

const NOW = Date.UTC(2026, 10, 30, 7, 0);
const at = (h: number, m: number, day = 30) => new Date(Date.UTC(2026, 10, day, h, m)).toISOString();

describe("parseClockRange", () => {
  test("between two clock times in UTC", () => {
    expect(parseClockRange("errors between 06:25 and 06:40 UTC", NOW)).toEqual({ from: at(6, 25), to: at(6, 40) });
  });

  test("am/pm carries from the end to the start: between 5 and 6 am", () => {
    expect(parseClockRange("between 5 and 6 am", NOW)).toEqual({ from: at(5, 0), to: at(6, 0) });
  });

  test("오전 6시 25분부터 6시 40분까지", () => {
    expect(parseClockRange("오전 6시 25분부터 6시 40분까지", NOW)).toEqual({ from: at(6, 25), to: at(6, 40) });
  });

  test("오후 and 한국 시간 shift into UTC", () => {
    expect(parseClockRange("한국 시간 오후 3시 25분부터 3시 40분까지", NOW)).toEqual({ from: at(6, 25), to: at(6, 40) });
  });

  test("a clock time later than now today means yesterday's", () => {
    expect(parseClockRange("since 9am", NOW)).toEqual({ from: at(9, 0, 29) });
  });

  test("the configured offset applies when the question names no zone", () => {
    expect(parseClockRange("오전 9시부터", NOW, 540)).toEqual({ from: at(0, 0) });
  });

  test("a date alone is that whole day", () => {
    expect(parseClockRange("how many requests on 2026-11-29", NOW)).toEqual({ from: at(0, 0, 29), to: at(0, 0, 30) });
  });

  test("durations are not clock times", () => {
    expect(parseClockRange("errors in the last 30 minutes", NOW)).toBeUndefined();
    expect(parseClockRange("from 5 minutes ago", NOW)).toBeUndefined();
  });
});

test("rangeWords writes a range within one day as HH:MM–HH:MM with its zone", () => {
  expect(rangeWords(at(6, 25), at(6, 40), 0, "now")).toBe("2026-11-30 06:25–06:40 UTC");
  expect(rangeWords(at(6, 25), at(6, 40), 540, "now")).toBe("2026-11-30 15:25–15:40 UTC+9");
});
