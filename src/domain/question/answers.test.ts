import { describe, expect, test } from "bun:test";
import { conversationAnswer } from "./answer-conversation.ts";
import { searchAnswer } from "./answer-search.ts";
import { statAnswer } from "./answer-stat.ts";
import { detectLanguage, topicParticle } from "./format.ts";

const now = Date.UTC(2026, 10, 26, 12);

describe("statAnswer", () => {
  test("a single number, in English and Korean", () => {
    const query = { metric: "count", filter: { service: "payment", hasError: true }, timeRange: { last: "1h" } } as const;
    const result = { rows: [{ value: 1234.4 }], estimated: false };
    expect(statAnswer({ query, result, language: "en", now })).toBe("There were 1,234 errors for service payment in the last hour.");
    expect(statAnswer({ query, result, language: "ko", now })).toBe("지난 1시간 동안 payment 서비스의 에러는 1,234건입니다.");
  });

  test("rates as percentages, latency in ms, estimates flagged", () => {
    const rate = statAnswer({
      query: { metric: "error_rate" },
      result: { rows: [{ value: 0.125 }], estimated: true },
      language: "en",
      now,
    });
    expect(rate).toBe("The error rate in the last 24 hours was 12.50%. (Estimated from sampled events.)");
    const p95 = statAnswer({
      query: { metric: "p95", field: "durationMs", filter: { route: "/api/x" } },
      result: { rows: [{ value: 2350.4 }], estimated: false },
      language: "ko",
      now,
    });
    expect(p95).toBe("지난 24시간 동안 /api/x의 p95 지연 시간은 2,350ms입니다.");
  });

  test("nothing matched", () => {
    const answer = statAnswer({
      query: { metric: "avg", field: "durationMs" },
      result: { rows: [{ value: null }], estimated: false },
      language: "en",
      now,
    });
    expect(answer).toBe("No matching events in the last 24 hours.");
  });

  test("a ranking sorts and cuts the rows it names", () => {
    const rows = [
      { route: "/a", value: 10 },
      { route: "/b", value: 300 },
      { route: "/c", value: 20 },
    ];
    const answer = statAnswer({
      query: { metric: "p95", field: "durationMs", groupBy: ["route"] },
      result: { rows, estimated: false },
      ranking: { order: "desc", top: 2 },
      language: "en",
      now,
    });
    expect(answer).toBe(
      "Slowest 2 routes by p95 latency in the last 24 hours: 1. /b 300 ms, 2. /c 20 ms. (2 of 3 shown; all rows are in data)",
    );
  });

  test("a time series is summarised", () => {
    const rows = [
      { bucket: "2026-11-26T10:00:00.000Z", value: 4 },
      { bucket: "2026-11-26T11:00:00.000Z", value: 9 },
    ];
    const answer = statAnswer({
      query: { metric: "count", bucket: "1h", timeRange: { last: "6h" } },
      result: { rows, estimated: false },
      language: "en",
      now,
    });
    expect(answer).toContain("total 13");
    expect(answer).toContain("peak 9 at 2026-11-26T11:00Z");
  });
});

describe("searchAnswer and conversationAnswer", () => {
  const events = [
    {
      timestamp: "2026-11-26T11:59:00Z",
      service: "payment",
      method: "POST",
      route: "/api/payments",
      statusCode: 502,
      error: { code: "GATEWAY_TIMEOUT", message: "upstream\ntimed out" },
    },
    { timestamp: "2026-11-26T11:58:00Z", service: "payment", error: { code: "GATEWAY_TIMEOUT" } },
  ];

  test("hits: count, common codes, the newest on one line", () => {
    const answer = searchAnswer({ search: { service: "payment", text: "timeout" }, events, hasMore: true, language: "en", now });
    expect(answer).toContain('Found 2+ events (service payment, matching "timeout"), newest first.');
    expect(answer).toContain("GATEWAY_TIMEOUT ×2");
    expect(answer).toContain("Newest: 2026-11-26T11:59:00Z payment POST /api/payments 502 GATEWAY_TIMEOUT — upstream timed out");
  });

  test("no hits, in Korean", () => {
    expect(searchAnswer({ search: { hasError: true }, events: [], hasMore: false, language: "ko", now })).toBe(
      "조건(에러만)에 맞는 이벤트가 없습니다.",
    );
  });

  test("earlier questions come from the history only", () => {
    const history = [
      { question: "payment errors?", intent: "STATISTICAL" as const, answer: "There were 3 errors." },
      { question: "what did I ask?", intent: "CONVERSATIONAL" as const, answer: "…" },
    ];
    expect(conversationAnswer("questions", history, "en")).toBe("Your earlier questions in this session: 1. payment errors?");
    expect(conversationAnswer("questions", [], "ko")).toBe("이 세션에서 이전에 하신 질문이 없습니다.");
    expect(conversationAnswer("answer", history, "en")).toBe('My last answer (to "payment errors?") was: There were 3 errors.');
  });

  test("language and particles", () => {
    expect(detectLanguage("지난 1시간 payment")).toBe("ko");
    expect(detectLanguage("payment errors")).toBe("en");
    expect(topicParticle("요청")).toBe("은");
    expect(topicParticle("에러")).toBe("는");
  });
});
