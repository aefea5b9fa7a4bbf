import { expect, test } from "bun:test";
import { deriveFields } from "./derive.ts";
import { addEvent, finalize, newPartial } from "./evaluate.ts";
import { planQuery } from "./plan.ts";
import { parseStatQuery, type StatQuery } from "./stat-query.ts";

const plan = (query: StatQuery) => {
  const parsed = parseStatQuery(query);
  if (!parsed.ok) throw new Error(parsed.error);
  return planQuery(parsed.query, { tenant: "t", now: 0 });
};

test("write-time fields: weight from the rate, error flag like the sampler's, duration bin", () => {
  const derived = deriveFields({ timestamp: "2026-11-26T00:00:00Z", statusCode: 503, durationMs: 12, sampling: { rate: 0.05 } }, 1);
  expect(derived).toMatchObject({ ts: Date.parse("2026-11-26T00:00:00Z"), w: 20, sampled: 1, err: 1, d: 12 });
  expect(deriveFields({ error: "boom", sampling: { rate: 0 } }, 5)).toMatchObject({
    ts: 5,
    w: 1,
    sampled: 0,
    err: 1,
    d: null,
    txt: "boom",
  });
  expect(deriveFields({ statusCode: 404, durationMs: -1 }, 5)).toMatchObject({ err: 0, d: null, hb: null });
});

test("no groups and no match: one row, count 0, other metrics null", () => {
  expect(finalize(plan({ metric: "count" }), [])).toEqual({ rows: [{ value: 0 }], estimated: false });
  expect(finalize(plan({ metric: "p95" }), [])).toEqual({ rows: [{ value: null }], estimated: false });
  expect(finalize(plan({ metric: "count", groupBy: ["service"] }), [])).toEqual({ rows: [], estimated: false });
});

test("top lists sort by value, then keys; series by bucket first; limit applies last", () => {
  const p = plan({ metric: "count", groupBy: ["service"], limit: 2 });
  const parts = ["b", "a", "c"].map((s, i) => {
    const part = newPartial([s], null);
    part.w = i === 2 ? 1 : 5;
    return part;
  });
  expect(finalize(p, parts).rows).toEqual([
    { service: "a", value: 5 },
    { service: "b", value: 5 },
  ]);
  const series = plan({ metric: "count", bucket: "1h" });
  const early = newPartial([], 0);
  const late = newPartial([], 3_600_000);
  early.w = 1;
  late.w = 9;
  expect(finalize(series, [late, early]).rows.map((r) => r.bucket)).toEqual(["1970-01-01T00:00:00.000Z", "1970-01-01T01:00:00.000Z"]);
});

test("error rate and average are weighted", () => {
  const p = plan({ metric: "error_rate" });
  const part = newPartial([], null);
  addEvent(p, part, deriveFields({ statusCode: 500, sampling: { rate: 1 } }, 0));
  addEvent(p, part, deriveFields({ statusCode: 200, sampling: { rate: 0.25 } }, 0));
  expect(finalize(p, [part])).toEqual({ rows: [{ value: 1 / 5 }], estimated: true });
  const a = plan({ metric: "avg" });
  const avg = newPartial([], null);
  addEvent(a, avg, deriveFields({ durationMs: 10, sampling: { rate: 0.5 } }, 0));
  addEvent(a, avg, deriveFields({ durationMs: 40, sampling: { rate: 1 } }, 0));
  expect(finalize(a, [avg]).rows).toEqual([{ value: 20 }]);
});
