import { type BasicStatQuery, type GroupField, type GroupKey, METRICS } from "../query/stat-query.ts";
import { type Attributes, readAttributes } from "./attributes.ts";
import { type Entities, extractEntities } from "./entities.ts";
import * as L from "./lexicon.ts";
import { parseTimeExpression } from "./time-expr.ts";
import type {
  AnalysisKind,
  Clarification,
  Plan,
  PlanContext,
  PlanStatQuery,
  PriorTurn,
  Ranking,
  RateUnit,
  SearchFilters,
} from "./types.ts";

/**
 * The deterministic planner: the embedded default and the fallback whenever the LLM's reply
 * cannot be used. It reads the common question shapes in English and Korean and only ever
 * names values the vocabulary holds. Its output still goes through the same whitelist.
 */

interface Signals {
  lower: string;
  entities: Entities;
  /** `attr:` groups and attribute equality filters (kept-event fields). */
  attributes: Attributes;
  time: BasicStatQuery["timeRange"];
  metric: BasicStatQuery["metric"] | undefined;
  groups: GroupKey[];
  bucket: BasicStatQuery["bucket"];
  slowest: boolean;
  fastest: boolean;
  statistical: boolean;
  errors: boolean;
  top: number | undefined;
  text: string | undefined;
  rate: RateUnit | undefined;
  analysis: AnalysisKind | undefined;
  compare: "yesterday" | "last_week" | undefined;
  /** Something the question asks for that the data cannot answer (a metric, a grouping). */
  unsupported: Clarification | undefined;
}

/** The free text of "errors like X", as a plain substring: regex syntax and `$` are dropped, not escaped. */
function likeText(question: string): string | undefined {
  for (const re of L.LIKE_TEXT) {
    const text = re
      .exec(question)?.[1]
      ?.replace(/[\\^$()|+*?[\]{}]/g, " ")
      .replace(/\s+/g, " ")
      .trim();
    if (text) return text.slice(0, 200);
  }
  return undefined;
}

function autoBucket(range: BasicStatQuery["timeRange"]): BasicStatQuery["bucket"] {
  const last = range && "last" in range ? range.last : "24h";
  const match = /^(\d+)([mhd])$/.exec(last);
  const minutes = Number(match?.[1] ?? 24) * (match?.[2] === "d" ? 1440 : match?.[2] === "h" ? 60 : 1);
  if (minutes <= 60) return "1m";
  if (minutes <= 360) return "5m";
  if (minutes <= 2880) return "1h";
  return "1d";
}

function analysisKind(lower: string): AnalysisKind | undefined {
  if (L.WHAT_DIFFERS.test(lower)) return "what_differs";
  if (L.IS_OVER.test(lower)) return "is_over";
  if (L.WHEN_STARTED.test(lower)) return "when_started";
  if (L.WHAT_HAPPENED.test(lower)) return "what_happened";
  return undefined;
}

/** A metric or a grouping the data cannot answer: asked about instead of answering something else. */
function unsupported(lower: string, attributes: Attributes): Clarification | undefined {
  const metric = L.UNSUPPORTED_METRIC.exec(lower)?.[0];
  if (metric) return { kind: "metric", term: metric, candidates: [...METRICS] };
  return attributes.clarify;
}

function readSignals(ctx: PlanContext): Signals {
  const lower = ctx.question.toLowerCase();
  const metric = L.METRIC_WORDS.find(([, re]) => re.test(lower))?.[0];
  const attributes = readAttributes(ctx.question, ctx.vocabulary.fields ?? []);
  const groups: GroupKey[] = [...L.GROUP_WORDS.filter(([, re]) => re.test(lower)).map(([field]) => field), ...attributes.groups];
  // "in the last hour compared with yesterday": the window is read without the comparison's "yesterday".
  const compared = L.COMPARE.exec(ctx.question.toLowerCase());
  const timeText = compared
    ? ctx.question.slice(0, compared.index) + ctx.question.slice(compared.index + compared[0].length)
    : ctx.question;
  const time = parseTimeExpression(timeText, ctx.now, ctx.tzOffsetMinutes);
  const rate: RateUnit | undefined = L.PER_SECOND.test(lower) ? "second" : L.PER_MINUTE.test(lower) ? "minute" : undefined;
  const explicitBucket = L.BUCKET_WORDS.find(([, re]) => re.test(lower))?.[0];
  const bucket =
    (rate === "minute" && explicitBucket === "1m" ? undefined : explicitBucket) ?? (L.TREND.test(lower) ? autoBucket(time) : undefined);
  const slowest = L.SLOWEST.test(lower);
  const fastest = L.FASTEST.test(lower);
  const topMatch = L.TOP_N.exec(lower);
  const top = topMatch ? Number(topMatch[1] ?? topMatch[2] ?? topMatch[3]) : undefined;
  // "errors for payments between 06:25 and 06:40": a noun and a window, nothing asking to list them, is a count.
  const counted =
    time !== undefined &&
    !L.SEARCH_WORDS.test(lower) &&
    !L.LAST_N.test(lower) &&
    /\b(?:errors?|failures?|requests?|calls?|hits?)\b|에러|오류|실패|요청/.test(lower);
  const statistical = Boolean(
    metric || groups.length || bucket || slowest || fastest || rate || counted || L.COUNT.test(lower) || L.LATENCY.test(lower),
  );
  const compareMatch = L.COMPARE.exec(lower);
  const compareWord = compareMatch?.[1] ?? compareMatch?.[2] ?? compareMatch?.[3] ?? compareMatch?.[4];
  const text = likeText(ctx.question);
  return {
    lower,
    entities: extractEntities(attributes.text, ctx.vocabulary, text),
    attributes,
    time,
    metric,
    groups,
    bucket,
    slowest,
    fastest,
    statistical,
    errors: L.ERROR_WORDS.test(lower),
    top: top && top > 0 ? top : undefined,
    text,
    rate,
    analysis: analysisKind(lower),
    compare: compareWord ? (/yesterday|어제/.test(compareWord) ? "yesterday" : "last_week") : undefined,
    unsupported: unsupported(lower, attributes),
  };
}

/** The notes every plan carries: words not understood, names read by alias or typo, a question to ask. */
function notes(s: Signals): { unresolved: string[]; resolved?: Plan["resolved"]; clarify?: Clarification } {
  // A named metric or grouping the data lacks is the more telling question to ask back.
  const clarify = s.unsupported ?? s.entities.clarify;
  const resolved = [...s.entities.resolved, ...s.attributes.resolved];
  return {
    unresolved: s.unsupported ? [...s.entities.unresolved, `${s.unsupported.kind} "${s.unsupported.term}"`] : s.entities.unresolved,
    ...(resolved.length ? { resolved } : {}),
    ...(clarify ? { clarify } : {}),
  };
}

/**
 * Scope of an incident question: the named service/route, the asked time or the last 3 hours.
 * "Is it over?" right after a question about payments is still about payments.
 */
function analysisPlan(s: Signals, kind: AnalysisKind, prior: PriorTurn | undefined): Plan {
  const { hasError: _, statusCode: __, ...named } = s.entities.filter;
  const previous = prior?.intent === "ANALYSIS" || prior?.intent === "STATISTICAL" ? (prior.query as PlanStatQuery) : undefined;
  // The change-point series is read from rollups: attribute filters do not carry into an analysis.
  const { hasError: _h, statusCode: _s, attr: _a, ...inherited } = previous?.filter ?? {};
  const filter = Object.keys(named).length ? named : inherited;
  const time = s.time ?? (prior?.intent === "ANALYSIS" ? previous?.timeRange : undefined);
  const query: BasicStatQuery = { metric: "error_rate", timeRange: time ?? { last: "3h" }, bucket: "1m" };
  if (Object.keys(filter).length) query.filter = filter;
  const cohort =
    kind === "what_differs" && L.SLOW_COHORT.test(s.lower) && !/\bfail|error|에러|오류|실패/.test(s.lower) ? "slow" : undefined;
  return { intent: "ANALYSIS", analysis: { kind, query, ...(cohort ? { cohort } : {}) }, ...notes(s) };
}

function statPlan(s: Signals): Plan {
  const ranked = s.slowest || s.fastest;
  const metric = ranked ? "p95" : (s.metric ?? (L.LATENCY.test(s.lower) ? "p95" : "count"));
  const query: PlanStatQuery = { metric };
  if (metric !== "count" && metric !== "error_rate") query.field = "durationMs";
  const filter: NonNullable<PlanStatQuery["filter"]> = { ...s.entities.filter };
  if (Object.keys(s.attributes.filter).length) filter.attr = s.attributes.filter;
  if (s.errors && metric !== "error_rate" && !filter.errorCode && filter.statusCode === undefined) filter.hasError = true;
  if (Object.keys(filter).length) query.filter = filter;
  if (s.time) query.timeRange = s.time;
  let groups = s.groups;
  if (ranked && groups.length === 0) groups = [/서비스|service/.test(s.lower) ? "service" : "route"];
  if (groups.length) query.groupBy = groups.slice(0, 3);
  if (s.bucket) query.bucket = s.bucket;
  let ranking: Ranking | undefined;
  if (ranked) ranking = { order: s.fastest ? "asc" : "desc", top: s.top ?? 5 };
  else if (s.top && groups.length) ranking = { order: "desc", top: s.top };
  const rate = metric === "count" && !s.bucket ? s.rate : undefined;
  return {
    intent: "STATISTICAL",
    query,
    ...(ranking ? { ranking } : {}),
    ...(rate ? { rate } : {}),
    ...(s.compare && !s.bucket ? { compare: s.compare } : {}),
    ...notes(s),
  };
}

function searchPlan(s: Signals): Plan {
  const { filter } = s.entities;
  const search: SearchFilters = {};
  for (const key of ["service", "route", "statusCode", "errorCode", "method"] as const) {
    if (filter[key] !== undefined) Object.assign(search, { [key]: filter[key] });
  }
  // "errors like GATEWAY_TIMEOUT" already became a filter; repeating it as text would only narrow by accident.
  const grounded = [filter.errorCode, filter.service, filter.route].some((v) => v && s.text && v.toLowerCase() === s.text.toLowerCase());
  if (s.text && !grounded) search.text = s.text;
  if (s.errors && !filter.errorCode && filter.statusCode === undefined) search.hasError = true;
  if (s.time) search.timeRange = s.time;
  const lastN = L.LAST_N.exec(s.lower);
  const limit = Number(lastN?.[1] ?? lastN?.[2] ?? s.top ?? 0);
  if (limit > 0) search.limit = Math.min(limit, 100);
  return { intent: "SEARCH", search, ...notes(s) };
}

/** The search behind a numbers question: its filters, errors only for an error metric. */
function drillSearch(prior: PriorTurn): SearchFilters {
  const previous = prior.query as PlanStatQuery;
  const { attr: _, ...filter } = previous.filter ?? {};
  const search: SearchFilters = { ...filter };
  if (previous.metric === "error_rate" && !search.errorCode && search.statusCode === undefined) search.hasError = true;
  if (previous.timeRange) search.timeRange = previous.timeRange;
  return search;
}

/**
 * "And yesterday?", "only for payments", "그 중에 결제 서비스만", "최근 10분은?", "by route instead",
 * "show me one": the previous query with what this one changes, never a fresh start.
 */
function followUp(s: Signals, prior: PriorTurn | undefined): Plan | undefined {
  if (!prior?.query || s.analysis) return undefined;
  const numbers = prior.intent === "STATISTICAL" || prior.intent === "ANALYSIS";
  if (numbers && L.DRILL.test(s.lower)) {
    const search = { ...drillSearch(prior), ...s.entities.filter, limit: /\bone\b|하나|한\s*(?:개|건)/.test(s.lower) ? 1 : 5 };
    return { intent: "SEARCH", search, ...notes(s) };
  }
  const ownQuestion = s.metric !== undefined || s.slowest || s.fastest || L.COUNT.test(s.lower) || L.LATENCY.test(s.lower);
  const regroup = s.groups.length > 0 && !ownQuestion;
  // "에러만 보면?", "only the errors": the previous numbers, errors only.
  const previousStat = prior.intent === "STATISTICAL" ? (prior.query as PlanStatQuery) : undefined;
  const errorsOnly = s.errors && previousStat !== undefined && previousStat.metric !== "error_rate" && !previousStat.filter?.hasError;
  const changes =
    Object.keys(s.entities.filter).length > 0 || s.time !== undefined || regroup || errorsOnly || s.entities.clarify !== undefined;
  const marker = L.FOLLOW_UP.test(s.lower) || L.NARROW.test(s.lower);
  if (!changes || !marker || ownQuestion || (L.SEARCH_WORDS.test(s.lower) && prior.intent !== "SEARCH" && !L.NARROW.test(s.lower)))
    return undefined;
  if (prior.intent === "STATISTICAL" || prior.intent === "ANALYSIS") {
    const previous = prior.query as PlanStatQuery;
    const filter = { ...previous.filter, ...s.entities.filter };
    if (errorsOnly) filter.hasError = true;
    if (Object.keys(s.attributes.filter).length) filter.attr = { ...previous.filter?.attr, ...s.attributes.filter };
    const query: PlanStatQuery = { ...previous, ...(Object.keys(filter).length ? { filter } : {}) };
    if (s.time) query.timeRange = s.time;
    if (regroup) query.groupBy = s.groups.slice(0, 3);
    if (prior.intent === "ANALYSIS") {
      // An analysis follow-up keeps the earlier turn's kind: "only for checkout" after "when did it start?".
      const kind = s.analysis ?? prior.kind ?? "what_happened";
      const { attr: _, ...basicFilter } = query.filter ?? {};
      const groupBy = query.groupBy?.filter((g): g is GroupField => !g.startsWith("attr:"));
      const basic: BasicStatQuery = { ...query, filter: basicFilter, groupBy };
      if (!groupBy?.length) delete basic.groupBy;
      if (!Object.keys(basicFilter).length) delete basic.filter;
      return { intent: "ANALYSIS", analysis: { kind, query: basic }, ...notes(s) };
    }
    return { intent: "STATISTICAL", query, ...notes(s) };
  }
  if (prior.intent === "SEARCH") {
    const search: SearchFilters = { ...(prior.query as SearchFilters), ...s.entities.filter };
    if (s.time) search.timeRange = s.time;
    return { intent: "SEARCH", search, ...notes(s) };
  }
  return undefined;
}

/** Classifies and extracts in one pass. */
export function planWithRules(ctx: PlanContext): Plan {
  const lower = ctx.question.toLowerCase();
  if (L.ANSWER_QUESTIONS.test(lower)) return { intent: "CONVERSATIONAL", conversation: "answer", unresolved: [] };
  if (L.HISTORY_QUESTIONS.test(lower)) return { intent: "CONVERSATIONAL", conversation: "questions", unresolved: [] };
  const s = readSignals(ctx);
  const prior = [...ctx.history].reverse().find((t) => t.intent !== "CONVERSATIONAL");
  const follow = followUp(s, prior);
  if (follow) return follow;
  if (s.analysis) return analysisPlan(s, s.analysis, prior);
  const named = Object.keys(s.entities.filter).length > 0 || s.time !== undefined || s.errors || s.text !== undefined;
  if (L.SMALL_TALK.test(lower) && !s.statistical && !named && !s.entities.clarify)
    return { intent: "CONVERSATIONAL", conversation: "help", unresolved: [] };
  if ((s.statistical || s.unsupported) && s.text === undefined) return statPlan(s);
  if (named || L.SEARCH_WORDS.test(lower)) return searchPlan(s);
  if (s.entities.clarify) return statPlan(s);
  return { intent: "CONVERSATIONAL", conversation: "help", ...notes(s) };
}

/** True when the question is about the conversation itself: answered without the LLM or the store. */
export function isHistoryQuestion(question: string): boolean {
  const lower = question.toLowerCase();
  return L.HISTORY_QUESTIONS.test(lower) || L.ANSWER_QUESTIONS.test(lower);
}
