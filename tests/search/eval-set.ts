import type { BasicStatFilter, BasicStatQuery, StatFilter, StatQuery, TimeRange } from "../../src/domain/query/stat-query.ts";
import type { AnalysisKind, SearchFilters } from "../../src/domain/question/types.ts";

/**
 * The natural-language evaluation set: questions an on-call engineer asks about the demo's
 * payment-shop hour (tests/search/demo-data.ts), in English and Korean, each with what a right
 * answer is. Written as people ask, not as the parser's tests are worded. The clock is EVAL_NOW.
 *
 * Services: search, catalog, cart, auth, checkout, payment. Routes: /api/search, /api/items/:id,
 * /api/cart/items, /api/login, /api/checkout, /api/payments, /api/payments/refund. Error codes:
 * CARD_DECLINED, GATEWAY_TIMEOUT, STOCK_CONFLICT, INTERNAL. Incident: 06:25–06:35 UTC on /api/payments.
 */

export const EVAL_NOW = Date.UTC(2026, 10, 30, 7, 0, 0);
/** `field`: kept-event attributes, reached as `attr:` fields. */
export const CATEGORIES = ["entity", "time", "follow-up", "rate", "analysis", "field", "unknown"] as const;
export type Category = (typeof CATEGORIES)[number];

export type Expected =
  | { intent: "STATISTICAL"; query: StatQuery; rate?: "second" | "minute" }
  | { intent: "SEARCH"; search: SearchFilters }
  | { intent: "ANALYSIS"; kind: AnalysisKind; filter?: StatFilter; timeRange?: TimeRange }
  /** A warning or a clarifying question, never a plain answer. */
  | { reported: true };

export interface EvalCase {
  category: Category;
  /** Earlier questions in the same session (follow-ups). */
  before?: string[];
  question: string;
  expect: Expected;
}

const LATENCY = new Set(["avg", "min", "max", "p50", "p95", "p99"]);
function stat(metric: BasicStatQuery["metric"], filter?: BasicStatFilter, extra: Partial<BasicStatQuery> = {}): Expected {
  const query: BasicStatQuery = { metric };
  if (LATENCY.has(metric)) query.field = "durationMs";
  if (filter && Object.keys(filter).length) query.filter = filter;
  if (extra.timeRange) query.timeRange = extra.timeRange;
  if (extra.groupBy) query.groupBy = extra.groupBy;
  if (extra.bucket) query.bucket = extra.bucket;
  return { intent: "STATISTICAL", query };
}
const rate = (unit: "second" | "minute", filter?: BasicStatFilter, timeRange?: TimeRange): Expected => {
  const e = stat("count", filter, timeRange ? { timeRange } : {}) as Extract<Expected, { intent: "STATISTICAL" }>;
  return { ...e, rate: unit };
};
const analysis = (kind: AnalysisKind, filter?: BasicStatFilter): Expected => ({ intent: "ANALYSIS", kind, ...(filter ? { filter } : {}) });
const reported: Expected = { reported: true };

const DAY = 86_400_000;
const at = (h: number, m = 0, dayOffset = 0) => new Date(Date.UTC(2026, 10, 30, h, m) + dayOffset * DAY).toISOString();
const between = (h1: number, m1: number, h2: number, m2: number, dayOffset = 0): TimeRange => ({
  from: at(h1, m1, dayOffset),
  to: at(h2, m2, dayOffset),
});
const YESTERDAY: TimeRange = { from: at(0, 0, -1), to: at(0, 0) };
const TODAY: TimeRange = { from: at(0, 0) };
const last = (l: string): TimeRange => ({ last: l });

const P = { service: "payment" };
const C = { service: "checkout" };

export const EVAL_SET: EvalCase[] = [
  // ── entity: names by alias, transliteration, route fragment, typo ─────────────────────────────
  { category: "entity", question: "checkout avg response time", expect: stat("avg", C) },
  { category: "entity", question: "체크아웃 평균 응답 시간", expect: stat("avg", C) },
  { category: "entity", question: "체크아웃 서비스 p95 얼마야", expect: stat("p95", C) },
  { category: "entity", question: "how many payment errors are there", expect: stat("count", { ...P, hasError: true }) },
  { category: "entity", question: "결제 쪽 에러 몇 건이야?", expect: stat("count", { ...P, hasError: true }) },
  { category: "entity", question: "페이먼트 에러율 알려줘", expect: stat("error_rate", P) },
  { category: "entity", question: "what's the failure rate on paymnt", expect: stat("error_rate", P) },
  { category: "entity", question: "checkuot latency p99", expect: stat("p99", C) },
  { category: "entity", question: "error rate of the refund endpoint", expect: stat("error_rate", { route: "/api/payments/refund" }) },
  { category: "entity", question: "환불 API 에러율은?", expect: stat("error_rate", { route: "/api/payments/refund" }) },
  { category: "entity", question: "p95 for the login route", expect: stat("p95", { route: "/api/login" }) },
  { category: "entity", question: "로그인 응답 시간 중앙값", expect: stat("p50", { route: "/api/login" }) },
  { category: "entity", question: "장바구니 서비스 요청 수", expect: stat("count", { service: "cart" }) },
  { category: "entity", question: "카트 최대 응답시간은?", expect: stat("max", { service: "cart" }) },
  { category: "entity", question: "검색 서비스 평균 지연", expect: stat("avg", { service: "search" }) },
  { category: "entity", question: "상품 카탈로그 트래픽 몇 건?", expect: stat("count", { service: "catalog" }) },
  { category: "entity", question: "how many GATEWAY_TIMEOUTs", expect: stat("count", { errorCode: "GATEWAY_TIMEOUT" }) },
  { category: "entity", question: "count of gateway timeout errors", expect: stat("count", { errorCode: "GATEWAY_TIMEOUT" }) },
  { category: "entity", question: "게이트웨이 타임아웃 몇 번 났어", expect: stat("count", { errorCode: "GATEWAY_TIMEOUT" }) },
  { category: "entity", question: "카드 거절 건수", expect: stat("count", { errorCode: "CARD_DECLINED" }) },
  { category: "entity", question: "재고 충돌 에러 몇 개야?", expect: stat("count", { errorCode: "STOCK_CONFLICT" }) },
  { category: "entity", question: "how many CARD_DECLIND", expect: stat("count", { errorCode: "CARD_DECLINED" }) },
  { category: "entity", question: "p99 latency of /api/payments", expect: stat("p99", { route: "/api/payments" }) },
  { category: "entity", question: "/api/checkout 에러율", expect: stat("error_rate", { route: "/api/checkout" }) },
  { category: "entity", question: "avg duration of /api/paymnts", expect: stat("avg", { route: "/api/payments" }) },
  { category: "entity", question: "error rate per service", expect: stat("error_rate", undefined, { groupBy: ["service"] }) },
  { category: "entity", question: "서비스별 에러율 보여줘", expect: stat("error_rate", undefined, { groupBy: ["service"] }) },
  { category: "entity", question: "top 5 error codes", expect: stat("count", { hasError: true }, { groupBy: ["errorCode"] }) },
  { category: "entity", question: "에러 코드 상위 5개 보여줘", expect: stat("count", { hasError: true }, { groupBy: ["errorCode"] }) },
  { category: "entity", question: "가장 많이 난 에러 코드가 뭐야", expect: stat("count", { hasError: true }, { groupBy: ["errorCode"] }) },
  { category: "entity", question: "how many 504s did payment return", expect: stat("count", { ...P, statusCode: 504 }) },
  { category: "entity", question: "결제 서비스 504 응답 몇 건", expect: stat("count", { ...P, statusCode: 504 }) },
  { category: "entity", question: "show me the latest checkout failures", expect: { intent: "SEARCH", search: { ...C, hasError: true } } },
  { category: "entity", question: "체크아웃 실패 로그 보여줘", expect: { intent: "SEARCH", search: { ...C, hasError: true } } },
  { category: "entity", question: "결제 실패 이벤트 찾아줘", expect: { intent: "SEARCH", search: { ...P, hasError: true } } },
  { category: "entity", question: "slowest endpoints", expect: stat("p95", undefined, { groupBy: ["route"] }) },
  { category: "entity", question: "제일 느린 엔드포인트는?", expect: stat("p95", undefined, { groupBy: ["route"] }) },

  // ── time: absolute ranges, clock times, calendar words, relative windows ─────────────────────
  {
    category: "time",
    question: "errors for payments between 06:25 and 06:40 UTC",
    expect: stat("count", { ...P, hasError: true }, { timeRange: between(6, 25, 6, 40) }),
  },
  {
    category: "time",
    question: "payment error rate from 6:25 to 6:40",
    expect: stat("error_rate", P, { timeRange: between(6, 25, 6, 40) }),
  },
  { category: "time", question: "checkout p95 06:00-06:30", expect: stat("p95", C, { timeRange: between(6, 0, 6, 30) }) },
  { category: "time", question: "how many requests since 6am", expect: stat("count", undefined, { timeRange: { from: at(6, 0) } }) },
  { category: "time", question: "errors since 6:30 am", expect: stat("count", { hasError: true }, { timeRange: { from: at(6, 30) } }) },
  { category: "time", question: "how many errors yesterday", expect: stat("count", { hasError: true }, { timeRange: YESTERDAY }) },
  { category: "time", question: "payment latency today", expect: stat("p95", P, { timeRange: TODAY }) },
  { category: "time", question: "error rate in the past 15 minutes", expect: stat("error_rate", undefined, { timeRange: last("15m") }) },
  { category: "time", question: "requests over the last two hours", expect: stat("count", undefined, { timeRange: last("2h") }) },
  {
    category: "time",
    question: "payment failures in the previous 45 minutes, how many?",
    expect: stat("count", { ...P, hasError: true }, { timeRange: last("45m") }),
  },
  {
    category: "time",
    question: "how many requests on 2026-11-29",
    expect: stat("count", undefined, { timeRange: { from: at(0, 0, -1), to: at(0, 0) } }),
  },
  {
    category: "time",
    question: "error rate between 5 and 6 am",
    expect: stat("error_rate", undefined, { timeRange: between(5, 0, 6, 0) }),
  },
  {
    category: "time",
    question: "average latency from 06:30 to 06:45 utc for checkout",
    expect: stat("avg", C, { timeRange: between(6, 30, 6, 45) }),
  },
  {
    category: "time",
    question: "payment errors minute by minute over the last hour",
    expect: stat("count", { ...P, hasError: true }, { timeRange: last("1h"), bucket: "1m" }),
  },
  {
    category: "time",
    question: "오전 6시 25분부터 6시 40분까지 결제 에러율",
    expect: stat("error_rate", P, { timeRange: between(6, 25, 6, 40) }),
  },
  {
    category: "time",
    question: "오전 6시부터 6시 30분까지 요청 몇 건?",
    expect: stat("count", undefined, { timeRange: between(6, 0, 6, 30) }),
  },
  { category: "time", question: "6:25부터 6:40까지 체크아웃 평균 응답 시간", expect: stat("avg", C, { timeRange: between(6, 25, 6, 40) }) },
  { category: "time", question: "오전 6시부터 에러 몇 건", expect: stat("count", { hasError: true }, { timeRange: { from: at(6, 0) } }) },
  {
    category: "time",
    question: "오전 6시 반 이후 결제 에러 수",
    expect: stat("count", { ...P, hasError: true }, { timeRange: { from: at(6, 30) } }),
  },
  { category: "time", question: "어제 에러 몇 건이었어?", expect: stat("count", { hasError: true }, { timeRange: YESTERDAY }) },
  { category: "time", question: "오늘 결제 에러율은?", expect: stat("error_rate", P, { timeRange: TODAY }) },
  { category: "time", question: "최근 15분 에러율", expect: stat("error_rate", undefined, { timeRange: last("15m") }) },
  { category: "time", question: "지난 30분 동안 체크아웃 요청 수", expect: stat("count", C, { timeRange: last("30m") }) },
  { category: "time", question: "지난 두 시간 결제 p95", expect: stat("p95", P, { timeRange: last("2h") }) },
  {
    category: "time",
    question: "11월 29일 요청 수",
    expect: stat("count", undefined, { timeRange: { from: at(0, 0, -1), to: at(0, 0) } }),
  },
  { category: "time", question: "새벽 5시부터 6시까지 에러율", expect: stat("error_rate", undefined, { timeRange: between(5, 0, 6, 0) }) },
  { category: "time", question: "06:30~06:45 결제 평균 지연 시간", expect: stat("avg", P, { timeRange: between(6, 30, 6, 45) }) },
  {
    category: "time",
    question: "지난 1시간 결제 에러 분당 추이",
    expect: stat("count", { ...P, hasError: true }, { timeRange: last("1h"), bucket: "1m" }),
  },
  {
    category: "time",
    question: "한국 시간 오후 3시 25분부터 3시 40분까지 결제 에러율",
    expect: stat("error_rate", P, { timeRange: between(6, 25, 6, 40) }),
  },
  {
    category: "time",
    question: "어제 하루 동안 결제 에러 몇 건",
    expect: stat("count", { ...P, hasError: true }, { timeRange: YESTERDAY }),
  },

  // ── rate: per second / per minute ────────────────────────────────────────────────────────────
  { category: "rate", question: "requests per second", expect: rate("second") },
  { category: "rate", question: "what's our rps right now over the last 10 minutes", expect: rate("second", undefined, last("10m")) },
  { category: "rate", question: "payment requests per second in the last hour", expect: rate("second", P, last("1h")) },
  { category: "rate", question: "throughput of checkout in the last 30 minutes", expect: rate("second", C, last("30m")) },
  { category: "rate", question: "how many requests per minute does search get", expect: rate("minute", { service: "search" }) },
  {
    category: "rate",
    question: "errors per minute for payment in the past hour",
    expect: rate("minute", { ...P, hasError: true }, last("1h")),
  },
  { category: "rate", question: "rpm on /api/login", expect: rate("minute", { route: "/api/login" }) },
  { category: "rate", question: "qps for the catalog service", expect: rate("second", { service: "catalog" }) },
  { category: "rate", question: "초당 요청 수", expect: rate("second") },
  { category: "rate", question: "결제 초당 요청 몇 건이야?", expect: rate("second", P) },
  { category: "rate", question: "지난 1시간 체크아웃 초당 요청", expect: rate("second", C, last("1h")) },
  { category: "rate", question: "최근 10분 초당 처리량", expect: rate("second", undefined, last("10m")) },
  { category: "rate", question: "분당 요청 수 알려줘", expect: rate("minute") },
  { category: "rate", question: "결제 분당 에러 건수", expect: rate("minute", { ...P, hasError: true }) },
  { category: "rate", question: "검색 서비스 분당 처리량은?", expect: rate("minute", { service: "search" }) },
  { category: "rate", question: "지난 30분 로그인 초당 요청", expect: rate("second", { route: "/api/login" }, last("30m")) },

  // ── follow-up: narrow, shift time, regroup, drill ────────────────────────────────────────────
  {
    category: "follow-up",
    before: ["error rate in the last hour"],
    question: "only for payments",
    expect: stat("error_rate", P, { timeRange: last("1h") }),
  },
  {
    category: "follow-up",
    before: ["error rate in the last hour"],
    question: "just checkout",
    expect: stat("error_rate", C, { timeRange: last("1h") }),
  },
  {
    category: "follow-up",
    before: ["p95 latency of payment in the last hour"],
    question: "and the last 10 minutes?",
    expect: stat("p95", P, { timeRange: last("10m") }),
  },
  {
    category: "follow-up",
    before: ["p95 latency of payment in the last hour"],
    question: "what about yesterday?",
    expect: stat("p95", P, { timeRange: YESTERDAY }),
  },
  {
    category: "follow-up",
    before: ["error rate per service in the last hour"],
    question: "by route instead",
    expect: stat("error_rate", undefined, { timeRange: last("1h"), groupBy: ["route"] }),
  },
  {
    category: "follow-up",
    before: ["how many errors in the last hour"],
    question: "and for checkout?",
    expect: stat("count", { ...C, hasError: true }, { timeRange: last("1h") }),
  },
  {
    category: "follow-up",
    before: ["how many errors in the last hour"],
    question: "only the POST /api/payments ones",
    expect: stat("count", { route: "/api/payments", method: "POST", hasError: true }, { timeRange: last("1h") }),
  },
  {
    category: "follow-up",
    before: ["payment error rate in the last hour"],
    question: "show me one",
    expect: { intent: "SEARCH", search: { ...P, hasError: true, timeRange: last("1h"), limit: 1 } },
  },
  {
    category: "follow-up",
    before: ["count of GATEWAY_TIMEOUT in the last hour"],
    question: "give me an example",
    expect: { intent: "SEARCH", search: { errorCode: "GATEWAY_TIMEOUT", timeRange: last("1h"), limit: 5 } },
  },
  {
    category: "follow-up",
    before: ["average latency per service today"],
    question: "same but for yesterday",
    expect: stat("avg", undefined, { timeRange: YESTERDAY, groupBy: ["service"] }),
  },
  {
    category: "follow-up",
    before: ["error rate in the last hour"],
    question: "now only refund",
    expect: stat("error_rate", { route: "/api/payments/refund" }, { timeRange: last("1h") }),
  },
  {
    category: "follow-up",
    before: ["how many requests did checkout get in the last hour"],
    question: "what about between 06:25 and 06:35?",
    expect: stat("count", C, { timeRange: between(6, 25, 6, 35) }),
  },
  { category: "follow-up", before: ["what happened to payments?"], question: "only for checkout", expect: analysis("what_happened", C) },
  {
    category: "follow-up",
    before: ["error rate in the last hour", "only for payments"],
    question: "and the last 15 minutes?",
    expect: stat("error_rate", P, { timeRange: last("15m") }),
  },
  {
    category: "follow-up",
    before: ["지난 1시간 에러율"],
    question: "그 중에 결제 서비스만",
    expect: stat("error_rate", P, { timeRange: last("1h") }),
  },
  {
    category: "follow-up",
    before: ["지난 1시간 에러율"],
    question: "체크아웃만",
    expect: stat("error_rate", C, { timeRange: last("1h") }),
  },
  {
    category: "follow-up",
    before: ["지난 1시간 결제 에러율"],
    question: "최근 10분은?",
    expect: stat("error_rate", P, { timeRange: last("10m") }),
  },
  {
    category: "follow-up",
    before: ["지난 1시간 결제 에러율"],
    question: "어제는?",
    expect: stat("error_rate", P, { timeRange: YESTERDAY }),
  },
  {
    category: "follow-up",
    before: ["지난 1시간 서비스별 에러율"],
    question: "라우트별로 다시",
    expect: stat("error_rate", undefined, { timeRange: last("1h"), groupBy: ["route"] }),
  },
  {
    category: "follow-up",
    before: ["지난 1시간 에러 몇 건?"],
    question: "그럼 장바구니는?",
    expect: stat("count", { service: "cart", hasError: true }, { timeRange: last("1h") }),
  },
  {
    category: "follow-up",
    before: ["지난 1시간 결제 에러율"],
    question: "하나만 보여줘",
    expect: { intent: "SEARCH", search: { ...P, hasError: true, timeRange: last("1h"), limit: 1 } },
  },
  {
    category: "follow-up",
    before: ["지난 1시간 게이트웨이 타임아웃 몇 건"],
    question: "예시 보여줘",
    expect: { intent: "SEARCH", search: { errorCode: "GATEWAY_TIMEOUT", timeRange: last("1h"), limit: 5 } },
  },
  {
    category: "follow-up",
    before: ["오늘 서비스별 평균 응답 시간"],
    question: "어제는 어땠어?",
    expect: stat("avg", undefined, { timeRange: YESTERDAY, groupBy: ["service"] }),
  },
  {
    category: "follow-up",
    before: ["지난 1시간 에러율"],
    question: "그중에서 환불만",
    expect: stat("error_rate", { route: "/api/payments/refund" }, { timeRange: last("1h") }),
  },
  {
    category: "follow-up",
    before: ["지난 1시간 체크아웃 요청 수"],
    question: "6시 25분부터 6시 35분까지는?",
    expect: stat("count", C, { timeRange: between(6, 25, 6, 35) }),
  },
  { category: "follow-up", before: ["결제에 무슨 일이 있었어?"], question: "체크아웃은?", expect: analysis("what_happened", C) },
  {
    category: "follow-up",
    before: ["지난 1시간 에러율", "결제만"],
    question: "최근 15분은?",
    expect: stat("error_rate", P, { timeRange: last("15m") }),
  },
  {
    category: "follow-up",
    before: ["지난 1시간 결제 p95"],
    question: "검색 서비스로 바꿔줘",
    expect: stat("p95", { service: "search" }, { timeRange: last("1h") }),
  },
  {
    category: "follow-up",
    before: ["지난 1시간 결제 p95"],
    question: "그리고 최근 20분",
    expect: stat("p95", P, { timeRange: last("20m") }),
  },
  {
    category: "follow-up",
    before: ["지난 1시간 에러 코드별 에러 수"],
    question: "그 중 결제만",
    expect: stat("count", { ...P, hasError: true }, { timeRange: last("1h"), groupBy: ["errorCode"] }),
  },

  // ── analysis: what happened, when it started, is it over, what is different ──────────────────
  { category: "analysis", question: "what happened to payments?", expect: analysis("what_happened", P) },
  { category: "analysis", question: "what's going on with checkout", expect: analysis("what_happened", C) },
  { category: "analysis", question: "anything wrong with the payment service?", expect: analysis("what_happened", P) },
  { category: "analysis", question: "why is payment failing?", expect: analysis("what_happened", P) },
  { category: "analysis", question: "when did the payment outage start?", expect: analysis("when_started", P) },
  { category: "analysis", question: "when did the payment incident begin", expect: analysis("when_started", P) },
  { category: "analysis", question: "what time did the errors start?", expect: analysis("when_started") },
  { category: "analysis", question: "is the payment incident over?", expect: analysis("is_over", P) },
  { category: "analysis", question: "are payments still failing?", expect: analysis("is_over", P) },
  { category: "analysis", question: "has checkout recovered?", expect: analysis("is_over", C) },
  { category: "analysis", question: "what is different about the failing requests?", expect: analysis("what_differs") },
  { category: "analysis", question: "what is different about the failing payment requests?", expect: analysis("what_differs", P) },
  { category: "analysis", question: "what do the failed payment calls have in common", expect: analysis("what_differs", P) },
  { category: "analysis", question: "how do the slow requests differ from the rest?", expect: analysis("what_differs") },
  { category: "analysis", question: "결제에 무슨 일이 있었어?", expect: analysis("what_happened", P) },
  { category: "analysis", question: "체크아웃 무슨 문제 있어?", expect: analysis("what_happened", C) },
  { category: "analysis", question: "결제 서비스 왜 이래?", expect: analysis("what_happened", P) },
  { category: "analysis", question: "결제 장애 상황 요약해줘", expect: analysis("what_happened", P) },
  { category: "analysis", question: "결제 장애 언제 시작됐어?", expect: analysis("when_started", P) },
  { category: "analysis", question: "결제 에러가 언제부터 늘었어?", expect: analysis("when_started", P) },
  { category: "analysis", question: "장애가 몇 시부터였지?", expect: analysis("when_started") },
  { category: "analysis", question: "결제 장애 끝났어?", expect: analysis("is_over", P) },
  { category: "analysis", question: "결제 아직도 실패 중이야?", expect: analysis("is_over", P) },
  { category: "analysis", question: "체크아웃 복구됐어?", expect: analysis("is_over", C) },
  { category: "analysis", question: "실패한 요청들은 뭐가 달라?", expect: analysis("what_differs") },
  { category: "analysis", question: "실패한 결제 요청은 무엇이 다른가요?", expect: analysis("what_differs", P) },
  { category: "analysis", question: "결제 실패 요청들의 공통점이 뭐야", expect: analysis("what_differs", P) },
  { category: "analysis", question: "느린 요청들은 다른 요청과 어떤 차이가 있어?", expect: analysis("what_differs") },
  { category: "analysis", question: "에러 난 요청의 특징 알려줘", expect: analysis("what_differs") },
  { category: "analysis", question: "결제 장애 언제 끝났어?", expect: analysis("is_over", P) },

  // ── unknown: names that do not exist, words the parser cannot map ────────────────────────────
  ...[
    "How many requests did shipping get?",
    "error rate of the inventory service",
    "p95 of notifications",
    "how many errors did billing-api have in the last hour",
    "latency of zebra",
    "what's the error rate for /api/shipping",
    "how many requests hit /api/orders/v2",
    "count of PAYMENT_EXPLODED errors",
    "how many RATE_LIMITED errors today",
    "average latency of the recommendations service",
    "how many requests did foobar serve",
    "error rate of warehouse",
    "p99 for emailer",
    "how slow is the ledger service",
    "cpu usage of payment",
    "memory of the checkout service",
    "apdex for payments",
    "how many requests by datacenter",
    "error rate by kubernetes pod",
    "p95 by build number",
    "빌드별 요청 수",
    "파드별 에러율",
    "how many requests did kafka-proxy get",
    "show events from the fraud service",
    "availability of checkout last hour",
    "disk usage today",
    "p95 of /api/v3/charge",
  ].map((question): EvalCase => ({ category: "unknown", question, expect: reported })),
  ...[
    "배송 서비스 요청 몇 건?",
    "재고 서비스 에러율",
    "알림 서비스 p95",
    "정산 서비스 에러 몇 건이야",
    "물류 서비스 응답 시간",
    "추천 서비스 평균 지연",
    "/api/shipping 에러율",
    "/api/orders/v2 요청 수",
    "PAYMENT_EXPLODED 에러 몇 건",
    "RATE_LIMITED 에러 몇 번 났어",
    "쿠폰 서비스 에러율 알려줘",
    "포인트 서비스 요청 수",
    "결제 CPU 사용률",
    "체크아웃 메모리 사용량",
    "데이터센터별 요청 수",
    "zebra 서비스 요청 수",
    "foobar 에러율은?",
    "체크아웃 가용성은?",
    "디스크 사용량 알려줘",
    "리뷰 서비스 p99",
    "/api/v3/charge 지연 시간",
    "fraud 서비스 에러 보여줘",
    "메일 서비스 초당 요청",
  ].map((question): EvalCase => ({ category: "unknown", question, expect: reported })),
];

/**
 * A second batch written after the parser was tuned on the first, and run once before any change:
 * 43 of 48 passed on that first run (analysis 3 of 8); the analysis words it missed were added after.
 */
export const SECOND_BATCH: EvalCase[] = [
  { category: "entity", question: "is checkout slow? give me the p95", expect: stat("p95", C) },
  { category: "entity", question: "payments error percentage", expect: stat("error_rate", P) },
  { category: "entity", question: "how many requests did the cart service handle", expect: stat("count", { service: "cart" }) },
  { category: "entity", question: "median latency for catalog", expect: stat("p50", { service: "catalog" }) },
  { category: "entity", question: "stock conflict count", expect: stat("count", { errorCode: "STOCK_CONFLICT" }) },
  { category: "entity", question: "결제 서비스의 최대 지연 시간은 얼마였어", expect: stat("max", P) },
  { category: "entity", question: "주문 에러율 좀 알려줄래?", expect: stat("error_rate", C) },
  { category: "entity", question: "인증 서비스 요청 몇 건 들어왔어", expect: stat("count", { service: "auth" }) },
  { category: "entity", question: "카드 승인 거절이 몇 건이야", expect: stat("count", { errorCode: "CARD_DECLINED" }) },
  { category: "entity", question: "라우트별 p99 보여줘", expect: stat("p99", undefined, { groupBy: ["route"] }) },
  {
    category: "time",
    question: "checkout errors from 06:20 to 06:50",
    expect: stat("count", { ...C, hasError: true }, { timeRange: between(6, 20, 6, 50) }),
  },
  {
    category: "time",
    question: "what was the payment error rate between 6:30 and 6:35 utc",
    expect: stat("error_rate", P, { timeRange: between(6, 30, 6, 35) }),
  },
  { category: "time", question: "p95 since 5am", expect: stat("p95", undefined, { timeRange: { from: at(5, 0) } }) },
  { category: "time", question: "how many requests in the last 90 minutes", expect: stat("count", undefined, { timeRange: last("90m") }) },
  {
    category: "time",
    question: "오전 6시 20분부터 6시 50분까지 체크아웃 에러 몇 건",
    expect: stat("count", { ...C, hasError: true }, { timeRange: between(6, 20, 6, 50) }),
  },
  { category: "time", question: "오늘 오전 5시 이후 p95", expect: stat("p95", undefined, { timeRange: { from: at(5, 0) } }) },
  { category: "time", question: "지난 90분 요청 수", expect: stat("count", undefined, { timeRange: last("90m") }) },
  { category: "time", question: "어제 결제 평균 응답 시간", expect: stat("avg", P, { timeRange: YESTERDAY }) },
  { category: "rate", question: "how many requests per second is payment doing", expect: rate("second", P) },
  { category: "rate", question: "checkout req/s over the past 20 minutes", expect: rate("second", C, last("20m")) },
  { category: "rate", question: "결제 서비스 초당 몇 건 처리해?", expect: rate("second", P) },
  { category: "rate", question: "지난 10분 분당 에러 수", expect: rate("minute", { hasError: true }, last("10m")) },
  {
    category: "follow-up",
    before: ["p99 latency in the last hour"],
    question: "only payment",
    expect: stat("p99", P, { timeRange: last("1h") }),
  },
  {
    category: "follow-up",
    before: ["error count per route today"],
    question: "by service instead",
    expect: stat("count", { hasError: true }, { timeRange: TODAY, groupBy: ["service"] }),
  },
  {
    category: "follow-up",
    before: ["checkout error rate in the last hour"],
    question: "how about the last 5 minutes",
    expect: stat("error_rate", C, { timeRange: last("5m") }),
  },
  {
    category: "follow-up",
    before: ["지난 1시간 p99 지연 시간"],
    question: "결제 서비스만 보여줘",
    expect: stat("p99", P, { timeRange: last("1h") }),
  },
  {
    category: "follow-up",
    before: ["오늘 라우트별 에러 수"],
    question: "서비스별로 바꿔줘",
    expect: stat("count", { hasError: true }, { timeRange: TODAY, groupBy: ["service"] }),
  },
  {
    category: "follow-up",
    before: ["지난 1시간 체크아웃 에러율"],
    question: "최근 5분만",
    expect: stat("error_rate", C, { timeRange: last("5m") }),
  },
  { category: "analysis", question: "did something break in payment?", expect: analysis("what_happened", P) },
  { category: "analysis", question: "when did checkout errors start spiking?", expect: analysis("when_started", C) },
  { category: "analysis", question: "is payment back to normal?", expect: analysis("is_over", P) },
  { category: "analysis", question: "what sets the failed requests apart?", expect: analysis("what_differs") },
  { category: "analysis", question: "결제 쪽에 이상 있어?", expect: analysis("what_happened", P) },
  { category: "analysis", question: "결제 에러 몇 시에 시작됐어?", expect: analysis("when_started", P) },
  { category: "analysis", question: "결제 이제 정상이야?", expect: analysis("is_over", P) },
  { category: "analysis", question: "실패 요청이랑 정상 요청 차이가 뭐야?", expect: analysis("what_differs") },
  ...[
    "what is the error rate of tickets",
    "latency of /api/tickets",
    "count of FRAUD_BLOCKED",
    "how many requests did legacy-gw receive",
    "p95 by country",
    "network usage of cart",
    "티켓 서비스 에러율",
    "/api/tickets 지연 시간",
    "FRAUD_BLOCKED 몇 건",
    "legacy-gw 요청 수",
    "국가별 p95",
    "카트 네트워크 사용량",
  ].map((question): EvalCase => ({ category: "unknown", question, expect: reported })),
];

/** A third batch, also run once before any change: 35 of 38 passed (half hour, 분당 몇 건, "summarize the payment incident"). */
export const THIRD_BATCH: EvalCase[] = [
  { category: "entity", question: "give me the 99th percentile for payments", expect: stat("p99", P) },
  { category: "entity", question: "how often does checkout fail", expect: stat("error_rate", C) },
  { category: "entity", question: "number of INTERNAL errors", expect: stat("count", { errorCode: "INTERNAL" }) },
  { category: "entity", question: "what's the slowest service", expect: stat("p95", undefined, { groupBy: ["service"] }) },
  { category: "entity", question: "결제 에러 비율이 어떻게 돼?", expect: stat("error_rate", P) },
  { category: "entity", question: "체크아웃 실패율", expect: stat("error_rate", C) },
  { category: "entity", question: "내부 오류 몇 건 났어", expect: stat("count", { errorCode: "INTERNAL" }) },
  { category: "entity", question: "가장 느린 서비스 알려줘", expect: stat("p95", undefined, { groupBy: ["service"] }) },
  { category: "time", question: "payment error rate for the last half hour", expect: stat("error_rate", P, { timeRange: last("30m") }) },
  {
    category: "time",
    question: "checkout errors after 6:40",
    expect: stat("count", { ...C, hasError: true }, { timeRange: { from: at(6, 40) } }),
  },
  {
    category: "time",
    question: "error rate 6:20 to 6:30 utc",
    expect: stat("error_rate", undefined, { timeRange: between(6, 20, 6, 30) }),
  },
  { category: "time", question: "지난 30분간 결제 에러율", expect: stat("error_rate", P, { timeRange: last("30m") }) },
  {
    category: "time",
    question: "6시 40분 이후 체크아웃 에러 수",
    expect: stat("count", { ...C, hasError: true }, { timeRange: { from: at(6, 40) } }),
  },
  {
    category: "time",
    question: "오전 6시 20분에서 6시 30분 사이 에러율",
    expect: stat("error_rate", undefined, { timeRange: between(6, 20, 6, 30) }),
  },
  { category: "rate", question: "what's the request rate per second for search", expect: rate("second", { service: "search" }) },
  { category: "rate", question: "검색 초당 요청량", expect: rate("second", { service: "search" }) },
  { category: "rate", question: "payment failures per minute", expect: rate("minute", { ...P, hasError: true }) },
  { category: "rate", question: "결제 실패 분당 몇 건", expect: rate("minute", { ...P, hasError: true }) },
  {
    category: "follow-up",
    before: ["p95 per route in the last hour"],
    question: "what about just payment?",
    expect: stat("p95", P, { timeRange: last("1h"), groupBy: ["route"] }),
  },
  {
    category: "follow-up",
    before: ["checkout error rate in the last hour"],
    question: "and payment?",
    expect: stat("error_rate", P, { timeRange: last("1h") }),
  },
  {
    category: "follow-up",
    before: ["지난 1시간 라우트별 p95"],
    question: "결제만 보면?",
    expect: stat("p95", P, { timeRange: last("1h"), groupBy: ["route"] }),
  },
  {
    category: "follow-up",
    before: ["지난 1시간 체크아웃 에러율"],
    question: "결제는?",
    expect: stat("error_rate", P, { timeRange: last("1h") }),
  },
  { category: "analysis", question: "summarize the payment incident", expect: analysis("what_happened", P) },
  { category: "analysis", question: "when did things go wrong with checkout?", expect: analysis("when_started", C) },
  { category: "analysis", question: "is the checkout outage resolved?", expect: analysis("is_over", C) },
  { category: "analysis", question: "what do the slow payment requests have in common?", expect: analysis("what_differs", P) },
  { category: "analysis", question: "결제 장애 분석해줘", expect: analysis("what_happened", P) },
  { category: "analysis", question: "체크아웃 에러는 언제 시작됐지?", expect: analysis("when_started", C) },
  { category: "analysis", question: "체크아웃 장애 해결됐어?", expect: analysis("is_over", C) },
  { category: "analysis", question: "느린 결제 요청들의 공통점은?", expect: analysis("what_differs", P) },
  ...[
    "error rate of the partner-api",
    "how many requests did gateway-v2 get",
    "p95 of /api/wallet",
    "latency by browser",
    "결제 브라우저별 에러율",
    "파트너 서비스 요청 몇 건",
    "/api/wallet 에러율",
    "WALLET_LOCKED 에러 몇 건",
  ].map((question): EvalCase => ({ category: "unknown", question, expect: reported })),
];

/** Kept-event attributes (`region`, `user.plan`) asked about as fields: answered as `attr:` estimates. */
const FIELD_CASES: EvalCase[] = [
  {
    category: "field",
    question: "error rate by region",
    expect: { intent: "STATISTICAL", query: { metric: "error_rate", groupBy: ["attr:region"] } },
  },
  {
    category: "field",
    question: "지역별 에러율",
    expect: { intent: "STATISTICAL", query: { metric: "error_rate", groupBy: ["attr:region"] } },
  },
  {
    category: "field",
    question: "요금제별 요청 수",
    expect: { intent: "STATISTICAL", query: { metric: "count", groupBy: ["attr:user.plan"] } },
  },
  {
    category: "field",
    question: "p95 latency by customer tier",
    expect: { intent: "STATISTICAL", query: { metric: "p95", field: "durationMs", groupBy: ["attr:user.plan"] } },
  },
  {
    category: "field",
    question: "count of payments where plan is enterprise",
    expect: { intent: "STATISTICAL", query: { metric: "count", filter: { service: "payment", attr: { "user.plan": "enterprise" } } } },
  },
  {
    category: "field",
    question: "requests per customer tier",
    expect: { intent: "STATISTICAL", query: { metric: "count", groupBy: ["attr:user.plan"] } },
  },
  { category: "field", question: "latency by shard", expect: reported },
  { category: "field", question: "count where plan is platinum", expect: reported },
  { category: "field", question: "샤드별 에러율", expect: reported },
];

/** Everything `npm run eval:search` runs. */
export const ALL_CASES: EvalCase[] = [...EVAL_SET, ...SECOND_BATCH, ...THIRD_BATCH, ...FIELD_CASES];
