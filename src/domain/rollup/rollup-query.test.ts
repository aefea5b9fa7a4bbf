import { describe, expect, test } from "bun:test";
import { planQuery } from "../query/plan.ts";
import { parseStatQuery, type StatQuery } from "../query/stat-query.ts";
import { DIMENSION_SETS, FULL_SET } from "./dimension-sets.ts";
import { HOUR_MS, MINUTE_MS, type RollupRecord } from "./rollup.ts";
import { answerableFromRollups, evaluateRollups, planRollupSpans } from "./rollup-query.ts";

const T0 = Date.parse("2026-11-26T00:00:00Z");
const plan = (query: StatQuery, now = T0 + 3 * HOUR_MS + 30 * MINUTE_MS + 15_000) => {
  const parsed = parseStatQuery(query);
  if (!parsed.ok) throw new Error(parsed.error);
  return planQuery(parsed.query, { tenant: "t", now });
};

const record = (start: number, patch: Partial<RollupRecord> = {}): RollupRecord => ({
  start,
  service: "payment",
  route: "/pay",
  method: "POST",
  statusCode: 200,
  errorCode: null,
  error: 0,
  count: 10,
  durationCount: 10,
  durationSum: 1000,
  durationMin: 50,
  durationMax: 150,
  bins: [0, 200, 200, 10],
  exemplars: [],
  ...patch,
});

describe("planRollupSpans", () => {
  test("whole hours come from hour rows and the ragged edges from minute rows, widened to whole minutes", () => {
    const p = plan({ metric: "count", timeRange: { last: "3h" } });
    const spans = planRollupSpans(p);
    expect(spans.from).toBe(T0 + 30 * MINUTE_MS);
    expect(spans.to).toBe(T0 + 3 * HOUR_MS + 31 * MINUTE_MS);
    expect(spans.spans).toEqual([
      { resolution: "minute", from: T0 + 30 * MINUTE_MS, to: T0 + HOUR_MS },
      { resolution: "hour", from: T0 + HOUR_MS, to: T0 + 3 * HOUR_MS },
      { resolution: "minute", from: T0 + 3 * HOUR_MS, to: T0 + 3 * HOUR_MS + 31 * MINUTE_MS },
    ]);
  });

  test("a bucket shorter than an hour reads minute rows only", () => {
    const spans = planRollupSpans(plan({ metric: "count", timeRange: { last: "3h" }, bucket: "5m" }));
    expect(spans.spans.map((s) => s.resolution)).toEqual(["minute"]);
  });

  test("a range within one hour reads minute rows only", () => {
    expect(planRollupSpans(plan({ metric: "count", timeRange: { last: "15m" } })).spans).toHaveLength(1);
  });

  test("whole UTC days come from day rows, the hours and minutes around them from finer rows", () => {
    const now = T0 + 12 * HOUR_MS + 34 * MINUTE_MS + 56_000;
    const spans = planRollupSpans(plan({ metric: "count", timeRange: { last: "7d" } }, now)).spans;
    expect(spans.map((s) => [s.resolution, (s.to - s.from) / MINUTE_MS])).toEqual([
      ["minute", 26],
      ["hour", 11 * 60],
      ["day", 6 * 24 * 60],
      ["hour", 12 * 60],
      ["minute", 35],
    ]);
    expect(spans.every((s, i) => i === 0 || s.from === spans[i - 1]?.to)).toBe(true);
  });

  test("only resolutions that divide the bucket are read: 1h buckets never read day rows, 1d buckets do", () => {
    const now = T0 + 12 * HOUR_MS;
    const hourly = planRollupSpans(plan({ metric: "count", timeRange: { last: "7d" }, bucket: "1h" }, now));
    expect(new Set(hourly.spans.map((s) => s.resolution))).toEqual(new Set(["hour"]));
    const daily = planRollupSpans(plan({ metric: "count", timeRange: { last: "7d" }, bucket: "1d" }, now));
    expect(daily.spans.map((s) => s.resolution)).toEqual(["hour", "day", "hour"]);
  });

  test("the smallest dimension set holding every field filtered or grouped on is read", () => {
    const setOf = (query: Partial<StatQuery>) => planRollupSpans(plan({ metric: "count", ...query })).set;
    expect(DIMENSION_SETS[setOf({})]).toEqual([]);
    expect(DIMENSION_SETS[setOf({ filter: { hasError: true } })]).toEqual([]);
    expect(DIMENSION_SETS[setOf({ groupBy: ["service"] })]).toEqual(["service"]);
    expect(DIMENSION_SETS[setOf({ groupBy: ["errorCode"], filter: { service: "payment" } })]).toEqual([
      "service",
      "statusCode",
      "errorCode",
    ]);
    expect(DIMENSION_SETS[setOf({ groupBy: ["route"], filter: { service: "payment" } })]).toEqual(["service", "route", "method"]);
    expect(setOf({ groupBy: ["route"], filter: { statusCode: { gte: 500 } } })).toBe(FULL_SET);
  });

  test("rows carry their bins only for percentiles", () => {
    expect(planRollupSpans(plan({ metric: "p95" })).bins).toBe(true);
    for (const metric of ["count", "error_rate", "avg", "min", "max"] as const) expect(planRollupSpans(plan({ metric })).bins).toBe(false);
  });
});

describe("answerableFromRollups", () => {
  test("dimension filters (with operators), groupBys and duration metrics are answerable", () => {
    expect(
      answerableFromRollups(plan({ metric: "p95", filter: { statusCode: { gte: 500 }, route: { in: ["/a"] } }, groupBy: ["service"] })),
    ).toBe(true);
  });

  test("attr: fields, attr: filters and duration filters are not", () => {
    expect(answerableFromRollups(plan({ metric: "count", groupBy: ["attr:user.plan"] }))).toBe(false);
    expect(answerableFromRollups(plan({ metric: "count", filter: { attr: { "user.plan": "pro" } } }))).toBe(false);
    expect(answerableFromRollups(plan({ metric: "avg", field: "attr:cart.total" }))).toBe(false);
    expect(answerableFromRollups(plan({ metric: "count", filter: { durationMs: { gt: 100 } } }))).toBe(false);
  });
});

describe("evaluateRollups", () => {
  const p = (query: StatQuery) => {
    const qp = plan(query);
    return { qp, range: planRollupSpans(qp) };
  };
  const inRange = T0 + 3 * HOUR_MS + 10 * MINUTE_MS;

  test("counts and error rates are exact sums, never estimated", () => {
    const { qp, range } = p({ metric: "error_rate", timeRange: { last: "1h" } });
    const result = evaluateRollups(qp, range, [record(inRange), record(inRange, { error: 1, statusCode: 503, count: 5 })]);
    expect(result).toEqual({ rows: [{ value: 5 / 15 }], estimated: false });
  });

  test("operators filter rows by their dimensions; hasError reads the error flag", () => {
    const { qp, range } = p({ metric: "count", timeRange: { last: "1h" }, filter: { statusCode: { gte: 500 }, hasError: true } });
    const rows = [
      record(inRange),
      record(inRange, { error: 1, statusCode: 503, count: 5 }),
      record(inRange, { error: 1, statusCode: 200, count: 2 }),
    ];
    expect(evaluateRollups(qp, range, rows).rows).toEqual([{ value: 5 }]);
  });

  test("avg, min, max and percentiles merge duration sums and histograms", () => {
    const rows = [record(inRange), record(inRange, { durationSum: 3000, durationMin: 10, durationMax: 900, bins: [0, 300, 300, 10] })];
    const value = (metric: "avg" | "min" | "max" | "p50" | "p99") => {
      const { qp, range } = p({ metric, timeRange: { last: "1h" } });
      return evaluateRollups(qp, range, rows).rows[0]?.value;
    };
    expect(value("avg")).toBe(200);
    expect(value("min")).toBe(10);
    expect(value("max")).toBe(900);
    expect(value("p50")).toBeLessThan(value("p99") as number);
  });

  test("rows outside the answered range are ignored", () => {
    const { qp, range } = p({ metric: "count", timeRange: { last: "1h" } });
    expect(evaluateRollups(qp, range, [record(T0), record(inRange)]).rows).toEqual([{ value: 10 }]);
  });

  test("grouped rows carry the exemplars of their group", () => {
    const { qp, range } = p({ metric: "count", timeRange: { last: "1h" }, groupBy: ["route"] });
    const result = evaluateRollups(qp, range, [
      record(inRange, { exemplars: ["e1"] }),
      record(inRange, { route: "/b", exemplars: ["e2", "e3"] }),
    ]);
    expect(result.rows).toEqual([
      { route: "/b", value: 10, exemplars: ["e2", "e3"] },
      { route: "/pay", value: 10, exemplars: ["e1"] },
    ]);
  });

  test("buckets align to the bucket size", () => {
    const { qp, range } = p({ metric: "count", timeRange: { last: "1h" }, bucket: "15m" });
    const result = evaluateRollups(qp, range, [record(inRange), record(inRange + MINUTE_MS), record(inRange + 20 * MINUTE_MS)]);
    expect(result.rows.map((r) => [r.bucket, r.value])).toEqual([
      ["2026-11-26T03:00:00.000Z", 20],
      ["2026-11-26T03:30:00.000Z", 10],
    ]);
  });
});
