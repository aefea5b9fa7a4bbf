import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { StatQuery, StatRow } from "../../src/domain/query/stat-query.ts";
import { detectLanguage, formatValue } from "../../src/domain/question/format.ts";
import { dayStart } from "../../src/domain/question/time-expr.ts";
import type { Intent, SearchFilters } from "../../src/domain/question/types.ts";
import { type SearchHarness, startSearchApp } from "./harness.ts";
import { seedEvents } from "./seed.ts";

/**
 * The issue's acceptance run: seeded events, 24 questions in English and Korean through
 * POST /v1/search on the embedded default (embedded store, rules parser, memory sessions), in one
 * session. Each gets the intent and query a person would expect; STATISTICAL numbers equal
 * POST /v1/query's for the same query, SEARCH hits equal GET /v1/events', CONVERSATIONAL ones
 * never touch the store.
 */

const NOW = Date.now(); // the search's pinned clock; /v1/query runs at real time moments later (seeds avoid window edges)
const TODAY = new Date(dayStart(NOW)).toISOString();
const YESTERDAY = { from: new Date(dayStart(NOW) - 86_400_000).toISOString(), to: TODAY };
const SESSION = "e2e-session-0001";

interface Case {
  question: string;
  intent: Intent;
  query?: StatQuery | SearchFilters;
  /** Earlier questions a CONVERSATIONAL answer must list. */
  lists?: string[];
}

const CASES: Case[] = [
  { question: "How many requests in the last hour?", intent: "STATISTICAL", query: { metric: "count", timeRange: { last: "1h" } } },
  {
    question: "How many errors did payment have in the last hour?",
    intent: "STATISTICAL",
    query: { metric: "count", filter: { service: "payment", hasError: true }, timeRange: { last: "1h" } },
  },
  {
    question: "And yesterday?",
    intent: "STATISTICAL",
    query: { metric: "count", filter: { service: "payment", hasError: true }, timeRange: YESTERDAY },
  },
  {
    question: "What's the error rate per service today?",
    intent: "STATISTICAL",
    query: { metric: "error_rate", groupBy: ["service"], timeRange: { from: TODAY } },
  },
  {
    question: "p95 latency of /api/payments in the last 6 hours",
    intent: "STATISTICAL",
    query: { metric: "p95", field: "durationMs", filter: { route: "/api/payments" }, timeRange: { last: "6h" } },
  },
  { question: "What are the slowest routes?", intent: "STATISTICAL", query: { metric: "p95", field: "durationMs", groupBy: ["route"] } },
  {
    question: "Errors by error code in the last 24 hours",
    intent: "STATISTICAL",
    query: { metric: "count", filter: { hasError: true }, groupBy: ["errorCode"], timeRange: { last: "24h" } },
  },
  {
    question: "How many 502s yesterday?",
    intent: "STATISTICAL",
    query: { metric: "count", filter: { statusCode: 502 }, timeRange: YESTERDAY },
  },
  {
    question: "average response time for order service over the past 30 minutes",
    intent: "STATISTICAL",
    query: { metric: "avg", field: "durationMs", filter: { service: "order" }, timeRange: { last: "30m" } },
  },
  {
    question: "How many POST requests per route in the last 2 hours?",
    intent: "STATISTICAL",
    query: { metric: "count", filter: { method: "POST" }, groupBy: ["route"], timeRange: { last: "2h" } },
  },
  { question: "Show me errors like timeout", intent: "SEARCH", query: { text: "timeout", hasError: true } },
  { question: "Find payment events with GATEWAY_TIMEOUT", intent: "SEARCH", query: { service: "payment", errorCode: "GATEWAY_TIMEOUT" } },
  {
    question: "What did I ask before?",
    intent: "CONVERSATIONAL",
    lists: ["How many requests in the last hour?", "Find payment events with GATEWAY_TIMEOUT"],
  },
  {
    question: "지난 1시간 동안 결제 에러율은?",
    intent: "STATISTICAL",
    query: { metric: "error_rate", filter: { service: "payment" }, timeRange: { last: "1h" } },
  },
  {
    question: "그럼 주문은?",
    intent: "STATISTICAL",
    query: { metric: "error_rate", filter: { service: "order" }, timeRange: { last: "1h" } },
  },
  {
    question: "오늘 서비스별 요청 수 알려줘",
    intent: "STATISTICAL",
    query: { metric: "count", groupBy: ["service"], timeRange: { from: TODAY } },
  },
  {
    question: "어제 결제 서비스 에러 몇 건이었어?",
    intent: "STATISTICAL",
    query: { metric: "count", filter: { service: "payment", hasError: true }, timeRange: YESTERDAY },
  },
  { question: "가장 느린 라우트 보여줘", intent: "STATISTICAL", query: { metric: "p95", field: "durationMs", groupBy: ["route"] } },
  {
    question: "에러 코드별 에러 수 (지난 24시간)",
    intent: "STATISTICAL",
    query: { metric: "count", filter: { hasError: true }, groupBy: ["errorCode"], timeRange: { last: "24h" } },
  },
  {
    question: "/api/orders 의 p99 지연 시간은?",
    intent: "STATISTICAL",
    query: { metric: "p99", field: "durationMs", filter: { route: "/api/orders" } },
  },
  { question: "최근 결제 실패 로그 보여줘", intent: "SEARCH", query: { service: "payment", hasError: true } },
  { question: "'timeout' 같은 에러 찾아줘", intent: "SEARCH", query: { text: "timeout", hasError: true } },
  { question: "이전에 뭐 물어봤지?", intent: "CONVERSATIONAL", lists: ["지난 1시간 동안 결제 에러율은?", "'timeout' 같은 에러 찾아줘"] },
  {
    question: "payment error rate over time in the last 6 hours",
    intent: "STATISTICAL",
    query: { metric: "error_rate", filter: { service: "payment" }, timeRange: { last: "6h" }, bucket: "5m" },
  },
];

let h: SearchHarness;
beforeAll(async () => {
  h = await startSearchApp({ events: seedEvents(NOW), clock: () => NOW });
});
afterAll(async () => {
  await h.close();
});

async function viaQueryRoute(query: StatQuery): Promise<{ rows: StatRow[]; estimated: boolean }> {
  const response = await h.request("/v1/query", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(query),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { rows: StatRow[]; estimated: boolean };
}

async function viaEventsRoute(search: SearchFilters): Promise<Record<string, unknown>[]> {
  const params = new URLSearchParams({ limit: "200" });
  for (const key of ["service", "route", "errorCode"] as const) if (search[key]) params.set(key, String(search[key]));
  if (search.text) params.set("q", search.text);
  const response = await h.request(`/v1/events?${params}`);
  expect(response.status).toBe(200);
  const { events } = (await response.json()) as { events: Record<string, unknown>[] };
  const isError = (e: Record<string, unknown>) => e.error !== undefined || (typeof e.statusCode === "number" && e.statusCode >= 500);
  return events.filter((e) => !search.hasError || isError(e)).slice(0, search.limit ?? 20);
}

describe("POST /v1/search end to end (embedded store, rules parser, memory sessions)", () => {
  test("the table has 20+ questions in both languages", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(20);
    expect(CASES.filter((c) => detectLanguage(c.question) === "ko").length).toBeGreaterThanOrEqual(8);
  });

  for (const c of CASES) {
    test(`${c.intent}: ${c.question}`, async () => {
      const callsBefore = h.store.calls;
      const { status, body } = await h.ask(c.question, SESSION);
      expect(status).toBe(200);
      expect(body.sessionId).toBe(SESSION);
      expect(body.intent).toBe(c.intent);
      expect(body.warnings).toBeUndefined();
      const answer = String(body.answer);
      const data = body.data as Record<string, unknown>;

      if (c.intent === "CONVERSATIONAL") {
        expect(body.query).toBeUndefined();
        expect(h.store.calls).toBe(callsBefore); // answered from the session alone
        for (const earlier of c.lists ?? []) expect(answer).toContain(earlier);
        return;
      }
      expect(body.query).toEqual(c.query as never);

      if (c.intent === "STATISTICAL") {
        const query = body.query as StatQuery;
        const direct = await viaQueryRoute(query);
        expect(data.rows).toEqual(direct.rows);
        expect(data.estimated).toBe(direct.estimated);
        const lang = detectLanguage(c.question);
        if (!query.groupBy && !query.bucket) expect(answer).toContain(formatValue(query.metric, direct.rows[0]?.value, lang));
        if (query.groupBy && !query.bucket) {
          const top = [...direct.rows].sort((a, b) => (b.value ?? -1) - (a.value ?? -1))[0];
          expect(answer).toContain(formatValue(query.metric, top?.value, lang));
        }
        if (direct.estimated) expect(answer).toMatch(/Estimated from sampled events|샘플링된 이벤트로 추정/);
        return;
      }
      const expected = await viaEventsRoute(body.query as SearchFilters);
      const events = data.events as Record<string, unknown>[];
      expect(events.length).toBeGreaterThan(0);
      expect(events.map((e) => e.eventId)).toEqual(expected.map((e) => e.eventId));
    });
  }

  test("the numbers are about real traffic, not empty answers", async () => {
    const lastHour = await viaQueryRoute({ metric: "count", filter: { service: "payment", hasError: true }, timeRange: { last: "1h" } });
    expect(lastHour.rows[0]?.value).toBeGreaterThan(5);
    const { body } = await h.ask("How many errors did payment have in the last hour?", "e2e-session-0002");
    expect(body.answer).toBe(
      `There were ${formatValue("count", lastHour.rows[0]?.value, "en")} errors for service payment in the last hour. [Answered: count of service payment, errors only, in the last hour, exact (rollups).]`,
    );
  });

  test("the session holds the turns, and the tenant can list it", async () => {
    const history = await h.request(`/v1/search/sessions/${SESSION}`);
    const { turns } = (await history.json()) as { turns: { question: string; intent: string; query?: unknown }[] };
    expect(turns.length).toBe(20); // SESSION_MAX_TURNS default: the oldest questions dropped off
    expect(turns.at(-1)?.question).toBe(CASES.at(-1)?.question);
    const list = await h.request("/v1/search/sessions");
    const { sessions } = (await list.json()) as { sessions: { sessionId: string }[] };
    expect(sessions.map((s) => s.sessionId)).toContain(SESSION);
  });
});
