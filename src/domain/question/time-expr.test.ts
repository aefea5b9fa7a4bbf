import { describe, expect, test } from "bun:test";
import { dayStart, describeTimeRange, parseTimeExpression } from "./time-expr.ts";

const NOW = Date.UTC(2026, 10, 26, 12, 30); // Thursday
const TODAY = "2026-11-26T00:00:00.000Z";
const YESTERDAY = "2026-11-25T00:00:00.000Z";

describe("parseTimeExpression", () => {
  test.each([
    ["in the last hour", { last: "1h" }],
    ["over the past 30 minutes", { last: "30m" }],
    ["last 24h", { last: "24h" }],
    ["past two days", { last: "2d" }],
    ["last week", { last: "7d" }],
    ["previous 3 weeks", { last: "21d" }],
    ["지난 1시간 동안", { last: "1h" }],
    ["지난 한 시간", { last: "1h" }],
    ["최근 30분", { last: "30m" }],
    ["지난 7일", { last: "7d" }],
    ["지난주", { last: "7d" }],
    ["일주일 동안", { last: "7d" }],
    ["6시간 동안 에러", { last: "6h" }],
  ])("%s", (text, expected) => {
    expect(parseTimeExpression(text, NOW)).toEqual(expected);
  });

  test("calendar days resolve against the injected clock", () => {
    expect(parseTimeExpression("errors today", NOW)).toEqual({ from: TODAY });
    expect(parseTimeExpression("오늘 에러", NOW)).toEqual({ from: TODAY });
    expect(parseTimeExpression("how many yesterday", NOW)).toEqual({ from: YESTERDAY, to: TODAY });
    expect(parseTimeExpression("어제 결제", NOW)).toEqual({ from: YESTERDAY, to: TODAY });
    expect(parseTimeExpression("since yesterday", NOW)).toEqual({ from: YESTERDAY });
    expect(parseTimeExpression("this week", NOW)).toEqual({ from: "2026-11-23T00:00:00.000Z" }); // Monday
  });

  test("a time zone moves where today starts (KST is UTC+9)", () => {
    const kstMorning = Date.UTC(2026, 10, 26, 1, 0); // 10:00 KST
    expect(parseTimeExpression("오늘", kstMorning, 540)).toEqual({ from: "2026-11-25T15:00:00.000Z" });
    expect(dayStart(kstMorning, 540)).toBe(Date.UTC(2026, 10, 25, 15));
  });

  test.each(["last 5 errors", "최근 일어난 에러", "recent errors", "per hour", "지난 시간", "p95 latency"])("no time in %s", (text) => {
    expect(parseTimeExpression(text, NOW)).toBeUndefined();
  });

  test("windows beyond the whitelist's 9999 units are not produced", () => {
    expect(parseTimeExpression("last 2000 weeks", NOW)).toBeUndefined();
  });
});

describe("describeTimeRange", () => {
  test("names windows in both languages", () => {
    expect(describeTimeRange({ last: "1h" }, NOW, "en")).toBe("in the last hour");
    expect(describeTimeRange({ last: "30m" }, NOW, "en")).toBe("in the last 30 minutes");
    expect(describeTimeRange(undefined, NOW, "en")).toBe("in the last 24 hours");
    expect(describeTimeRange({ last: "1h" }, NOW, "ko")).toBe("지난 1시간 동안");
    expect(describeTimeRange({ from: TODAY }, NOW, "en")).toBe("today");
    expect(describeTimeRange({ from: YESTERDAY, to: TODAY }, NOW, "ko")).toBe("어제");
    expect(describeTimeRange({ from: "2026-11-01T00:00:00Z", to: "2026-11-02T00:00:00Z" }, NOW, "en")).toBe("on 2026-11-01 (UTC)");
  });
});
