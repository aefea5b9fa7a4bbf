import type { BasicStatQuery, GroupField } from "../query/stat-query.ts";
import { type Entities, extractEntities } from "./entities.ts";
import * as L from "./lexicon.ts";
import { parseTimeExpression } from "./time-expr.ts";
import type { Plan, PlanContext, PriorTurn, Ranking, SearchFilters } from "./types.ts";

/**
 * The deterministic planner: the embedded default and the fallback whenever the LLM's reply
 * cannot be used. It reads the common question shapes in English and Korean and only ever
 * names values the vocabulary holds. Its output still goes through the same whitelist.
 */

interface Signals {
  lower: string;
  entities: Entities;
  time: BasicStatQuery["timeRange"];
  metric: BasicStatQuery["metric"] | undefined;
  groups: GroupField[];
  bucket: BasicStatQuery["bucket"];
  slowest: boolean;
  fastest: boolean;
  statistical: boolean;
  errors: boolean;
  top: number | undefined;
  text: string | undefined;
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

function readSignals(ctx: PlanContext): Signals {
  const lower = ctx.question.toLowerCase();
  const metric = L.METRIC_WORDS.find(([, re]) => re.test(lower))?.[0];
  const groups = L.GROUP_WORDS.filter(([, re]) => re.test(lower)).map(([field]) => field);
  const time = parseTimeExpression(ctx.question, ctx.now, ctx.tzOffsetMinutes);
  const explicitBucket = L.BUCKET_WORDS.find(([, re]) => re.test(lower))?.[0];
  const bucket = explicitBucket ?? (L.TREND.test(lower) ? autoBucket(time) : undefined);
  const slowest = L.SLOWEST.test(lower);
  const fastest = L.FASTEST.test(lower);
  const topMatch = L.TOP_N.exec(lower);
  const top = topMatch ? Number(topMatch[1] ?? topMatch[2] ?? topMatch[3]) : undefined;
  const statistical = Boolean(metric || groups.length || bucket || slowest || fastest || L.COUNT.test(lower) || L.LATENCY.test(lower));
  return {
    lower,
    entities: extractEntities(ctx.question, ctx.vocabulary),
    time,
    metric,
    groups,
    bucket,
    slowest,
    fastest,
    statistical,
    errors: L.ERROR_WORDS.test(lower),
    top: top && top > 0 ? top : undefined,
    text: likeText(ctx.question),
  };
}

function statPlan(s: Signals): Plan {
  const ranked = s.slowest || s.fastest;
  const metric = ranked ? "p95" : (s.metric ?? (L.LATENCY.test(s.lower) ? "p95" : "count"));
  const query: BasicStatQuery = { metric };
  if (metric !== "count" && metric !== "error_rate") query.field = "durationMs";
  const filter = { ...s.entities.filter };
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
  return { intent: "STATISTICAL", query, ...(ranking ? { ranking } : {}), unresolved: s.entities.unresolved };
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
  return { intent: "SEARCH", search, unresolved: s.entities.unresolved };
}

/** "And yesterday?", "그럼 주문은?": the previous question with what this one changes. */
function followUp(s: Signals, prior: PriorTurn | undefined): Plan | undefined {
  if (!prior?.query || s.statistical || L.SEARCH_WORDS.test(s.lower)) return undefined;
  const changes = Object.keys(s.entities.filter).length > 0 || s.time !== undefined;
  if (!changes || !L.FOLLOW_UP.test(s.lower)) return undefined;
  const unresolved = s.entities.unresolved;
  if (prior.intent === "STATISTICAL") {
    const previous = prior.query as BasicStatQuery;
    const query: BasicStatQuery = { ...previous, filter: { ...previous.filter, ...s.entities.filter } };
    if (s.time) query.timeRange = s.time;
    return { intent: "STATISTICAL", query, unresolved };
  }
  if (prior.intent === "SEARCH") {
    const search: SearchFilters = { ...(prior.query as SearchFilters), ...s.entities.filter };
    if (s.time) search.timeRange = s.time;
    return { intent: "SEARCH", search, unresolved };
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
  const named = Object.keys(s.entities.filter).length > 0 || s.time !== undefined || s.errors || s.text !== undefined;
  if (L.SMALL_TALK.test(lower) && !s.statistical && !named) return { intent: "CONVERSATIONAL", conversation: "help", unresolved: [] };
  if (s.statistical && s.text === undefined) return statPlan(s);
  if (named || L.SEARCH_WORDS.test(lower)) return searchPlan(s);
  return { intent: "CONVERSATIONAL", conversation: "help", unresolved: s.entities.unresolved };
}

/** True when the question is about the conversation itself: answered without the LLM or the store. */
export function isHistoryQuestion(question: string): boolean {
  const lower = question.toLowerCase();
  return L.HISTORY_QUESTIONS.test(lower) || L.ANSWER_QUESTIONS.test(lower);
}
