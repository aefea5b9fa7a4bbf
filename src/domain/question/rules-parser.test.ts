import { describe, expect, test } from "bun:test";
import { isHistoryQuestion, planWithRules } from "./rules-parser.ts";
import type { PriorTurn } from "./types.ts";

const vocabulary = {
  services: ["payment", "order", "user"],
  routes: ["/api/payments", "/api/orders"],
  errorCodes: ["GATEWAY_TIMEOUT", "CARD_DECLINED"],
};
const now = Date.UTC(2026, 10, 26, 12);
const plan = (question: string, history: PriorTurn[] = []) => planWithRules({ question, vocabulary, history, now });

describe("rules parser: intent", () => {
  test.each([
    ["What did I ask before?", "questions"],
    ["what were my previous questions", "questions"],
    ["이전에 뭐 물어봤지?", "questions"],
    ["아까 질문 뭐였어?", "questions"],
    ["what was the last answer?", "answer"],
    ["방금 답변 다시 알려줘", "answer"],
    ["hello", "help"],
    ["안녕하세요", "help"],
  ])("%s is CONVERSATIONAL (%s)", (question, conversation) => {
    expect(plan(question)).toEqual({ intent: "CONVERSATIONAL", conversation, unresolved: [] } as never);
  });

  test("a word that is neither understood nor a stored name is asked about, with the closest names", () => {
    expect(plan("blorp")).toMatchObject({ unresolved: ['"blorp"'], clarify: { kind: "service", term: "blorp" } });
    expect(plan("블로프 서비스 에러율")).toMatchObject({ clarify: { kind: "service", term: "블로프" } });
  });

  test("history questions are recognised without any vocabulary", () => {
    expect(isHistoryQuestion("이전에 뭐 물어봤지?")).toBe(true);
    expect(isHistoryQuestion("지난 1시간 에러 몇 건?")).toBe(false);
  });

  test("numbers are STATISTICAL even when the person says show me", () => {
    expect(plan("show me the error rate per service").intent).toBe("STATISTICAL");
    expect(plan("서비스별 에러율 보여줘").intent).toBe("STATISTICAL");
  });

  test("events are SEARCH", () => {
    expect(plan("show me payment errors").intent).toBe("SEARCH");
    expect(plan("최근 결제 실패 로그 보여줘").intent).toBe("SEARCH");
  });
});

describe("rules parser: extraction", () => {
  test("slowest routes rank by p95, top 5 unless told", () => {
    expect(plan("slowest routes today")).toMatchObject({
      query: { metric: "p95", field: "durationMs", groupBy: ["route"], timeRange: { from: "2026-11-26T00:00:00.000Z" } },
      ranking: { order: "desc", top: 5 },
    });
    expect(plan("top 3 slowest services")).toMatchObject({ query: { groupBy: ["service"] }, ranking: { top: 3 } });
    expect(plan("가장 빠른 라우트")).toMatchObject({ ranking: { order: "asc" } });
  });

  test("hasError is implied by error words, but not for a rate or a named code or status", () => {
    expect(plan("how many errors in payment")).toMatchObject({ query: { filter: { service: "payment", hasError: true } } });
    expect(plan("payment error rate")).toMatchObject({
      query: { metric: "error_rate", filter: { service: "payment" } },
    });
    expect(plan("how many GATEWAY_TIMEOUT errors")).toMatchObject({ query: { filter: { errorCode: "GATEWAY_TIMEOUT" } } });
    expect(plan("how many 502 errors")).toMatchObject({ query: { filter: { statusCode: 502 } } });
  });

  test("time series by bucket words or 'over time'", () => {
    expect(plan("requests per hour today")).toMatchObject({ query: { metric: "count", bucket: "1h" } });
    expect(plan("error rate trend in the last 6 hours")).toMatchObject({ query: { metric: "error_rate", bucket: "5m" } });
    expect(plan("결제 에러 시간별 추이")).toMatchObject({ query: { bucket: "1h", filter: { service: "payment", hasError: true } } });
  });

  test("errors like X: free text, minus any regex syntax; a code is a filter instead", () => {
    expect(plan("errors like 'connection reset'")).toMatchObject({
      intent: "SEARCH",
      search: { text: "connection reset", hasError: true },
    });
    expect(plan("errors like time(out)+")).toMatchObject({ search: { text: "time out" } });
    expect(plan("errors like GATEWAY_TIMEOUT")).toMatchObject({ search: { errorCode: "GATEWAY_TIMEOUT" } });
    expect(plan("errors like GATEWAY_TIMEOUT")).not.toHaveProperty("search.text");
    expect(plan("last 5 errors")).toMatchObject({ intent: "SEARCH", search: { limit: 5, hasError: true } });
  });

  test("a $where in the question is only ever text, never a field or an operator", () => {
    const result = plan('show me errors like "$where: sleep(1000)"');
    expect(result.intent).toBe("SEARCH");
    if (result.intent === "SEARCH") expect(result.search.text ?? "").not.toContain("$");
  });
});

describe("rules parser: follow-ups reuse the previous query", () => {
  const prior: PriorTurn[] = [
    {
      question: "payment errors in the last hour?",
      intent: "STATISTICAL",
      query: { metric: "count", filter: { service: "payment", hasError: true }, timeRange: { last: "1h" } },
    },
  ];

  test("and yesterday? / 그럼 주문은?", () => {
    expect(plan("And yesterday?", prior)).toMatchObject({
      intent: "STATISTICAL",
      query: { metric: "count", filter: { service: "payment", hasError: true }, timeRange: { from: "2026-11-25T00:00:00.000Z" } },
    });
    expect(plan("그럼 주문은?", prior)).toMatchObject({
      query: { filter: { service: "order", hasError: true }, timeRange: { last: "1h" } },
    });
  });

  test("without an earlier question it is not a follow-up", () => {
    expect(plan("And yesterday?").intent).toBe("SEARCH");
  });
});
