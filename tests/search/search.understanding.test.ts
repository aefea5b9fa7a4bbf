import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { StatQuery, StatRow } from "../../src/domain/query/stat-query.ts";
import { seedDemo } from "./demo-data.ts";
import { EVAL_SET } from "./eval-set.ts";
import { type SearchHarness, startSearchApp } from "./harness.ts";

/**
 * Never silently wrong, through POST /v1/search on the demo hour (embedded store, rules parser):
 * names resolved by alias, fragment or typo say so; names that match nothing are asked about;
 * follow-ups edit the previous query; clock times, rates and Korean/English parity.
 */

const NOW = Date.UTC(2026, 10, 30, 7, 0, 0);
let h: SearchHarness;
beforeAll(async () => {
  h = await startSearchApp({ clock: () => NOW });
  await seedDemo(h.store, NOW);
});
afterAll(async () => {
  await h.close();
});

type Body = Record<string, unknown> & { answer?: string };
let sessions = 0;
const session = () => `understanding-${String(sessions++).padStart(4, "0")}`;

/** POST /v1/query runs on the real clock: relative windows are sent as from/to around the pinned NOW. */
async function viaQueryRoute(query: StatQuery): Promise<StatRow[]> {
  const r = query.timeRange;
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 };
  const ms = r && "last" in r ? Number.parseInt(r.last, 10) * unit[r.last.slice(-1) as keyof typeof unit] : 86_400_000;
  const range = r && !("last" in r) ? r : { from: new Date(NOW - ms).toISOString(), to: new Date(NOW).toISOString() };
  const response = await h.request("/v1/query", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...query, timeRange: range }),
  });
  return ((await response.json()) as { rows: StatRow[] }).rows;
}

describe("names that match nothing are asked about, never answered", () => {
  test("a service that does not exist gets a clarifying question, not the tenant's total", async () => {
    const { status, body } = await h.ask("How many requests did shipping get?");
    expect(status).toBe(200);
    expect(body.intent).toBe("CONVERSATIONAL");
    expect(body.query).toBeUndefined();
    expect(body.data).toBeUndefined();
    expect(body.clarification).toMatchObject({ kind: "service", term: "shipping" });
    expect((body.clarification as { candidates: string[] }).candidates.length).toBeGreaterThan(0);
    expect(body.warnings).toEqual([expect.objectContaining({ code: "CLARIFICATION_NEEDED" })]);
  });

  test("a Korean service word the data lacks gets a clarifying question in Korean", async () => {
    const { body } = await h.ask("배송 서비스 요청 몇 건?");
    expect(body.clarification).toMatchObject({ kind: "service", term: "배송" });
    expect(body.answer).toContain("찾지 못해");
  });

  test("an error code spelled like one but not stored is asked about with the stored codes", async () => {
    const { body } = await h.ask("how many PAYMENT_EXPLODED errors?");
    expect(body.clarification).toMatchObject({ kind: "errorCode", term: "PAYMENT_EXPLODED" });
    expect((body.clarification as { candidates: string[] }).candidates).toContain("GATEWAY_TIMEOUT");
  });

  test("a grouping the data has no dimension or seen field for is asked about, with the ones it has", async () => {
    const { body } = await h.ask("error rate by datacenter");
    expect(body.clarification).toMatchObject({ kind: "field", term: "datacenter" });
  });

  test("a metric the data cannot answer is asked about, never swapped for a count", async () => {
    const { body } = await h.ask("결제 CPU 사용률");
    expect(body.clarification).toMatchObject({ kind: "metric" });
    expect(body.query).toBeUndefined();
  });

  test("every question of the unknown-names set (50+) comes back with a warning or a clarifying question", async () => {
    const unknown = EVAL_SET.filter((c) => c.category === "unknown");
    expect(unknown.length).toBeGreaterThanOrEqual(50);
    for (const c of unknown) {
      const { body } = await h.ask(c.question, session());
      const warned = ((body.warnings as { code: string }[] | undefined) ?? []).some((w) =>
        ["UNRESOLVED", "CLARIFICATION_NEEDED"].includes(w.code),
      );
      expect({ question: c.question, reported: body.clarification !== undefined || warned }).toEqual({
        question: c.question,
        reported: true,
      });
    }
  });
});

describe("names resolved by alias, fragment or typo are stated in the answer", () => {
  test("체크아웃 is the checkout service, and its average is checkout's, not everyone's", async () => {
    const { body } = await h.ask("체크아웃 평균 응답 시간");
    expect(body.query).toEqual({ metric: "avg", field: "durationMs", filter: { service: "checkout" } });
    expect(body.resolved).toEqual([{ term: "체크아웃", value: "checkout", kind: "service", how: "alias" }]);
    expect(body.answer).toContain("'체크아웃' → 서비스 checkout");
    const [row] = await viaQueryRoute(body.query as StatQuery);
    expect((body.data as { rows: StatRow[] }).rows[0]?.value).toBe(row?.value ?? -1);
  });

  test("a typo is read as the closest stored name, and the answer says so", async () => {
    const { body } = await h.ask("what's the failure rate on paymnt");
    expect(body.query).toEqual({ metric: "error_rate", filter: { service: "payment" } });
    expect(body.answer).toContain("'paymnt' read as service payment (closest match)");
  });

  test("a route fragment with a route word is read as the route", async () => {
    const { body } = await h.ask("error rate of the refund endpoint");
    expect(body.query).toEqual({ metric: "error_rate", filter: { route: "/api/payments/refund" } });
    expect(body.answer).toContain("route fragment");
  });

  test("every numbers answer ends by saying what it answered, with the window and exactness", async () => {
    const { body } = await h.ask("POST /api/payments error rate between 06:25 and 06:40 UTC");
    expect(body.answer).toContain("[Answered: error rate of POST /api/payments, during 2026-11-30 06:25–06:40 UTC, exact (rollups).]");
  });
});

describe("follow-ups edit the previous query", () => {
  test("'only for payments' keeps the error rate and narrows the filter", async () => {
    const s = session();
    await h.ask("error rate in the last hour", s);
    const { body } = await h.ask("only for payments", s);
    expect(body.query).toEqual({ metric: "error_rate", filter: { service: "payment" }, timeRange: { last: "1h" } });
  });

  test("'그 중에 결제 서비스만' keeps the error rate and narrows the filter", async () => {
    const s = session();
    await h.ask("지난 1시간 에러율", s);
    const { body } = await h.ask("그 중에 결제 서비스만", s);
    expect(body.query).toEqual({ metric: "error_rate", filter: { service: "payment" }, timeRange: { last: "1h" } });
  });

  test("'최근 10분은?' keeps the metric and the filter and changes only the window", async () => {
    const s = session();
    await h.ask("지난 1시간 결제 에러율", s);
    const { body } = await h.ask("최근 10분은?", s);
    expect(body.query).toEqual({ metric: "error_rate", filter: { service: "payment" }, timeRange: { last: "10m" } });
  });

  test("'by route instead' regroups and keeps the rest", async () => {
    const s = session();
    await h.ask("error rate per service in the last hour", s);
    const { body } = await h.ask("by route instead", s);
    expect(body.query).toEqual({ metric: "error_rate", timeRange: { last: "1h" }, groupBy: ["route"] });
  });

  test("'show me one' drills into an event behind the number", async () => {
    const s = session();
    await h.ask("payment error rate in the last hour", s);
    const { body } = await h.ask("show me one", s);
    expect(body.intent).toBe("SEARCH");
    expect(body.query).toEqual({ service: "payment", hasError: true, timeRange: { last: "1h" }, limit: 1 });
    expect((body.data as { events: unknown[] }).events).toHaveLength(1);
  });
});

describe("time and rates", () => {
  test("an absolute UTC range is the query's range", async () => {
    const { body } = await h.ask("errors for payments between 06:25 and 06:40 UTC");
    expect(body.query).toEqual({
      metric: "count",
      filter: { service: "payment", hasError: true },
      timeRange: { from: "2026-11-30T06:25:00.000Z", to: "2026-11-30T06:40:00.000Z" },
    });
  });

  test("오전 6시 25분부터 6시 40분까지 is the same range", async () => {
    const { body } = await h.ask("오전 6시 25분부터 6시 40분까지 결제 에러 몇 건");
    expect((body.query as StatQuery).timeRange).toEqual({ from: "2026-11-30T06:25:00.000Z", to: "2026-11-30T06:40:00.000Z" });
  });

  test("requests per second is the exact count divided by the range's seconds", async () => {
    const { body } = await h.ask("requests per second in the last hour");
    const [row] = await viaQueryRoute({ metric: "count", timeRange: { last: "1h" } });
    const rate = (body.data as { rate: { unit: string; value: number; seconds: number } }).rate;
    expect(rate).toEqual({ unit: "second", value: (row?.value ?? 0) / 3600, seconds: 3600 });
    expect(body.answer).toStartWith(`${rate.value.toFixed(2)} requests per second.`);
  });

  test("초당 요청 is the same rate as requests per second", async () => {
    const en = await h.ask("requests per second in the last hour");
    const ko = await h.ask("지난 1시간 초당 요청 수");
    expect(ko.body.query).toEqual(en.body.query as never);
    expect((ko.body.data as { rate: unknown }).rate).toEqual((en.body.data as { rate: unknown }).rate);
  });

  test("'어제와 비교' keeps the asked window too", async () => {
    const { body } = await h.ask("최근 1시간 결제 에러율 어제와 비교");
    expect(body.query).toEqual({ metric: "error_rate", filter: { service: "payment" }, timeRange: { last: "1h" } });
    expect((body.data as { compare: { period: string } }).compare.period).toBe("yesterday");
  });

  test("'compared with yesterday' answers both windows side by side", async () => {
    const { body } = await h.ask("payment error rate in the last hour compared with yesterday");
    expect(body.query).toEqual({ metric: "error_rate", filter: { service: "payment" }, timeRange: { last: "1h" } });
    expect((body.data as { compare: { period: string } }).compare.period).toBe("yesterday");
  });
});

describe("Korean and English ask the same question", () => {
  test("'에러 코드 상위 5개 보여줘' is 'top 5 error codes'", async () => {
    const en = await h.ask("top 5 error codes");
    const ko = await h.ask("에러 코드 상위 5개 보여줘");
    expect(en.body.intent).toBe("STATISTICAL");
    expect(ko.body.query).toEqual(en.body.query as never);
    expect((ko.body.data as Body).rows).toEqual((en.body.data as Body).rows);
  });
});
