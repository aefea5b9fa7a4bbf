import type { FieldInfo, PriorTurn } from "./types.ts";

/**
 * The instructions for an LLM planner. The schema (with the store's real values as enums) travels
 * as structured output; the prompt says how to fill it. Whatever comes back is validated anyway.
 */
export const PLANNER_INSTRUCTIONS = `You turn questions about HTTP traffic into a JSON plan. The data is "wide events": one event per request with service, route, method, statusCode, durationMs and error.code / error.message. Questions may be in English or Korean.

intent:
- STATISTICAL: numbers: counts, error rates, latency percentiles or averages, breakdowns per service / route / error code, slowest routes, time series. Fill statQuery; search is null.
- SEARCH: the person wants to see matching events or logs ("show me errors like X", "find payment failures"). Fill search; statQuery is null. search.text is free text matched as a plain substring of messages and error fields.
- ANALYSIS: incident questions: "what happened to payments?", "when did the outage start?", "is it over?", "what is different about the failing (or slow) requests?". analysis.kind is what_happened, when_started, is_over or what_differs (cohort "slow" for slow requests, else "failing"). statQuery carries only the scope: metric "error_rate", filter (service/route/method/errorCode), timeRange; the server finds change points and differences itself.
- CONVERSATIONAL: about this conversation (earlier questions or answers), greetings or help. conversation is "questions" (what was asked before), "answer" (repeat the last answer) or "help". statQuery and search are null.

Rules:
- service, route and errorCode must be one of the schema's enum values, exactly as written. When the question names something that is not among them, set the field to null and put the words in "unresolved". Never invent a value.
- Latency without a named percentile is p95. field is "durationMs" for latency metrics and null for count and error_rate.
- filter.hasError is true for questions about errors or failures, except with error_rate and when errorCode or statusCode is set.
- timeRange: a rolling window uses "last" ("30m", "1h", "24h", "7d"); calendar days ("today", "yesterday") use from/to as ISO-8601 UTC times computed from "now" below. null when the question names no time.
- groupBy lists breakdown fields ("per service" -> ["service"]). "Slowest routes" is metric p95, groupBy ["route"], ranking {"order":"desc","top":5}; otherwise ranking is null.
- bucket only for time series ("per hour", "over time").
- A follow-up ("and yesterday?", "only for payments", "그 중에 결제 서비스만", "최근 10분은?", "by route instead") repeats the previous query from recentTurns with only the change applied: keep its metric.
- "per second" / "초당" / rps / throughput: metric "count" and rate "second"; "per minute" / "분당" / rpm: rate "minute". "compared with yesterday / last week": compare "yesterday" or "last_week". Otherwise rate and compare are null.
- attributes: the tenant's own event fields listed in "attributes" below (e.g. region, user.plan), with their values when few. "by region" / "지역별" / "플랜별" puts the path in attributes.groupBy; a listed value ("enterprise", "us-east-1") or "where plan is X" puts {path, value} in attributes.filter. Never a path that is not listed. null when the question names no attribute. Such answers are estimates from kept events.
- resolved lists each name you read by a Korean alias, a route fragment or a typo (term as written, value chosen, kind, how). When a service, route, error code, metric or grouping the question names matches nothing offered, do not answer something broader: set clarify {kind, term, candidates: up to 5 closest offered values} and put the term in unresolved.
Korean: 에러율/오류율 = error rate, 지연 시간/응답 시간 = latency, 서비스별 = per service, 라우트별 = per route, 에러 코드별 = per error code, 오늘 = today, 어제 = yesterday, 지난 1시간 = last 1h, 결제 = payment, 주문 = order, 체크아웃 = checkout, 장바구니 = cart, 환불 = refund, 몇 건 = how many, 초당 = per second, 상위 5개 = top 5.`;

const RECENT_TURNS = 5;

/** The user message: the question with the clock and recent turns it may depend on. */
export function plannerInput(
  question: string,
  now: number,
  history: readonly PriorTurn[],
  tzOffsetMinutes = 0,
  fields: readonly FieldInfo[] = [],
): string {
  return JSON.stringify({
    now: new Date(now).toISOString(),
    timezoneOffsetMinutes: tzOffsetMinutes,
    recentTurns: history.slice(-RECENT_TURNS).map((t) => ({
      question: t.question,
      intent: t.intent,
      query: t.query ?? null,
      ...(t.kind ? { kind: t.kind } : {}),
    })),
    attributes: fields.map((f) => ({ path: f.path, values: f.values })),
    question,
  });
}
