import { describe, expect, test } from "bun:test";
import { compareDistributions, findEpisode, type MinutePoint, withAnalysisBucket } from "./analysis.ts";

const minute = (i: number) => new Date(Date.UTC(2026, 10, 30, 6, i)).toISOString();
const series = (rates: number[], count = 100): MinutePoint[] => rates.map((rate, i) => ({ at: minute(i), rate, count }));

describe("findEpisode", () => {
  test("finds start, peak and end of a run of high minutes", () => {
    const rates = [...Array(20).fill(0.01), 0.3, 0.4, 0.35, 0.3, ...Array(10).fill(0.01)];
    const e = findEpisode(series(rates));
    expect(e).toMatchObject({ start: minute(20), end: minute(23), ongoing: false, baseline: 0.01 });
    expect(e?.peak).toMatchObject({ at: minute(21), rate: 0.4 });
  });

  test("an episode still high in the last minute is ongoing", () => {
    expect(findEpisode(series([...Array(20).fill(0.01), 0.3, 0.4]))?.ongoing).toBe(true);
  });

  test("one quiet minute inside an episode does not split it", () => {
    const e = findEpisode(series([...Array(20).fill(0.01), 0.4, 0.01, 0.4, 0.4, ...Array(5).fill(0.01)]));
    expect(e).toMatchObject({ start: minute(20), end: minute(23) });
  });

  test("a single stray minute of a busy service is not an incident", () => {
    expect(findEpisode(series([...Array(30).fill(0.005), 0.03, ...Array(29).fill(0.005)]))).toBeUndefined();
  });

  test("a level series has no episode", () => {
    expect(findEpisode(series(Array(60).fill(0.02)))).toBeUndefined();
  });
});

describe("compareDistributions", () => {
  const failing = (code: string, route: string, i: number) => ({ eventId: `f${i}`, route, error: { code }, sampling: { rate: 1 } });
  const ok = (route: string, i: number, rate = 1) => ({ eventId: `o${i}`, route, sampling: { rate } });

  test("names the most over-represented value of each field, largest difference first", () => {
    const target = [...Array.from({ length: 9 }, (_, i) => failing("GATEWAY_TIMEOUT", "/a", i)), failing("CARD_DECLINED", "/b", 9)];
    const rest = Array.from({ length: 10 }, (_, i) => ok(i < 5 ? "/a" : "/b", i));
    const [first, second] = compareDistributions(target, rest);
    expect(first).toMatchObject({ field: "error.code", value: "GATEWAY_TIMEOUT", targetShare: 0.9, restShare: 0 });
    expect(second).toMatchObject({ field: "route", value: "/a", targetShare: 0.9, restShare: 0.5 });
  });

  test("weights each kept event by 1/sampling.rate", () => {
    const target = [failing("X_ERR", "/a", 0)];
    // One kept event at rate 0.1 stands for ten requests: /b is 10 of 11 in the rest.
    const rest = [ok("/a", 0), ok("/b", 1, 0.1)];
    const route = compareDistributions(target, rest).find((d) => d.field === "route");
    expect(route?.restShare).toBeCloseTo(1 / 11);
  });

  test("identifiers and the fields that restate the split are not compared", () => {
    const target = [{ eventId: "a", requestId: "r1", statusCode: 502, error: { code: "E", message: "boom" } }];
    const fields = compareDistributions(target, [{ eventId: "b", requestId: "r2", statusCode: 200 }]).map((d) => d.field);
    expect(fields).toEqual(["error.code"]);
  });
});

test("an incident window longer than 16 hours is read in 5-minute buckets, so the series is never cut", () => {
  const now = Date.UTC(2026, 10, 30, 7);
  expect(withAnalysisBucket({ metric: "error_rate", bucket: "1m", timeRange: { last: "3h" } }, now).bucket).toBe("1m");
  expect(withAnalysisBucket({ metric: "error_rate", bucket: "1m", timeRange: { last: "24h" } }, now).bucket).toBe("5m");
  expect(withAnalysisBucket({ metric: "error_rate", bucket: "1m", timeRange: { last: "7d" } }, now).bucket).toBe("1h");
});
