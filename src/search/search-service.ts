import { plainString, type StatResult, type TimeRange } from "../domain/query/stat-query.ts";
import { withAnalysisBucket } from "../domain/question/analysis.ts";
import { differenceAnswer, episodeAnswer } from "../domain/question/answer-analysis.ts";
import { clarificationAnswer } from "../domain/question/answer-clarify.ts";
import { compareSentence } from "../domain/question/answer-compare.ts";
import { conversationAnswer } from "../domain/question/answer-conversation.ts";
import { searchAnswer } from "../domain/question/answer-search.ts";
import { statAnswer } from "../domain/question/answer-stat.ts";
import { retrieveCandidates } from "../domain/question/candidates.ts";
import { answeredNote, resolutionNote } from "../domain/question/describe.ts";
import { seenFields } from "../domain/question/fields.ts";
import { detectLanguage } from "../domain/question/format.ts";
import {
  clarificationNote,
  llmFallbackNote,
  type SearchWarning,
  sessionDegradedNote,
  unresolvedNote,
  withNotes,
} from "../domain/question/notes.ts";
import { isHistoryQuestion, planWithRules } from "../domain/question/rules-parser.ts";
import { MAX_STORED_ANSWER, type SessionTurn } from "../domain/question/session-turn.ts";
import type {
  Clarification,
  FieldInfo,
  Intent,
  Plan,
  PlanStatQuery,
  RateUnit,
  Resolution,
  SearchFilters,
  Vocabulary,
} from "../domain/question/types.ts";
import type { EventStore, QueryScope } from "../ports/event-store.ts";
import type { Llm } from "../ports/llm.ts";
import type { SessionCache, SessionRef } from "../ports/session-cache.ts";
import { answerStatQuery } from "../stats/stat-service.ts";
import { planQuestion } from "./plan-question.ts";
import { runDifference, runEpisode } from "./run-analysis.ts";
import { runSearch } from "./run-plan.ts";

/** POST /v1/search's use case: question → plan (LLM or rules) → store → answer, remembered per session. */

export interface SearchServiceOptions {
  store: EventStore;
  sessions: SessionCache;
  llm: Llm;
  llmTimeoutMs: number;
  clock?: () => number;
  tzOffsetMinutes?: number;
}

export interface SearchAnswer {
  sessionId: string;
  intent: Intent;
  query?: PlanStatQuery | SearchFilters;
  answer: string;
  data?: Record<string, unknown>;
  warnings?: SearchWarning[];
  /** Asked instead of answering: a name that matched nothing stored, with the closest values. */
  clarification?: Clarification;
  /** Names read by alias, route fragment or typo, and the value each became. */
  resolved?: Resolution[];
}

type RunResult = { answer: string; query?: PlanStatQuery | SearchFilters; data?: Record<string, unknown> };

const DAY = 86_400_000;

/** The same window a day or a week earlier, for "compared with yesterday / last week". */
function shifted(range: TimeRange | undefined, now: number, by: number): TimeRange {
  const r = range ?? { last: "24h" };
  if ("last" in r) {
    const match = /^(\d+)([mhd])$/.exec(r.last);
    const ms = Number(match?.[1] ?? 24) * (match?.[2] === "d" ? DAY : match?.[2] === "h" ? 3_600_000 : 60_000);
    return { from: new Date(now - ms - by).toISOString(), to: new Date(now - by).toISOString() };
  }
  const to = r.to ? Date.parse(r.to) : now;
  return { from: new Date(Date.parse(r.from) - by).toISOString(), to: new Date(to - by).toISOString() };
}

const rangeSeconds = (result: StatResult): number | undefined =>
  result.range ? (Date.parse(result.range.to) - Date.parse(result.range.from)) / 1000 : undefined;

export interface SearchCounters {
  questions: number;
  llmFallbacks: number;
}

const PLAIN = plainString(512);
/** Kept events read to learn the tenant's attribute names. */
const FIELD_SAMPLE = 200;
const EMPTY_VOCABULARY: Vocabulary = { services: [], routes: [], errorCodes: [] };

export class SearchService {
  readonly counters: SearchCounters = { questions: 0, llmFallbacks: 0 };
  private readonly clock: () => number;

  constructor(private readonly options: SearchServiceOptions) {
    this.clock = options.clock ?? Date.now;
  }

  /**
   * The tenant's distinct values (the factory's store caches them briefly), minus any the
   * whitelist would refuse (regex syntax, `$`…): a plan could not use them anyway.
   */
  private async vocabulary(tenant: string): Promise<Vocabulary> {
    const { store } = this.options;
    const plain = (values: string[] | undefined) => (values ?? []).filter((v) => PLAIN.safeParse(v).success);
    const [services, routes, errorCodes] = await Promise.all(
      (["service", "route", "errorCode"] as const).map((field) => store.distinct(field, { tenant })),
    );
    const fields = await this.fields(tenant);
    return { services: plain(services), routes: plain(routes), errorCodes: plain(errorCodes), fields };
  }

  /**
   * Attribute paths (and their values, when few) of the tenant's newest kept events: what "by
   * region" or "enterprise" can name. One page, so a field only older events carry is not offered.
   */
  private async fields(tenant: string): Promise<FieldInfo[]> {
    const page = await this.options.store.find({ limit: FIELD_SAMPLE }, { tenant, now: this.clock() });
    return seenFields(page.events).filter((f) => PLAIN.safeParse(f.path).success);
  }

  async ask(question: string, ref: SessionRef): Promise<SearchAnswer> {
    const { sessions, llm, tzOffsetMinutes } = this.options;
    const now = this.clock();
    const language = detectLanguage(question);
    this.counters.questions++;
    const history = await sessions.history(ref);
    const prior = history.map(({ question, intent, query, kind }) => ({
      question,
      intent,
      ...(query ? { query } : {}),
      ...(kind ? { kind } : {}),
    }));
    const warnings: SearchWarning[] = [];

    // Questions about the conversation never need the model, the vocabulary or the store.
    let plan: Plan;
    let vocabulary = EMPTY_VOCABULARY;
    if (isHistoryQuestion(question)) {
      plan = planWithRules({ question, vocabulary, history: prior, now, tzOffsetMinutes });
    } else {
      vocabulary = await this.vocabulary(ref.userId);
      const candidates = retrieveCandidates(question, vocabulary);
      const request = { question, language, history: prior, vocabulary, candidates, now, tzOffsetMinutes };
      const planned = await planQuestion(llm, request, this.options.llmTimeoutMs);
      plan = planned.plan;
      if (planned.fallbackReason) {
        this.counters.llmFallbacks++;
        warnings.push(llmFallbackNote(planned.fallbackReason, language));
      }
    }
    const clarify = plan.intent === "CONVERSATIONAL" && plan.conversation !== "help" ? undefined : plan.clarify;
    if (clarify) warnings.push(clarificationNote(clarify, language));
    else if (plan.unresolved.length) warnings.push(unresolvedNote(plan.unresolved, language));

    const result: RunResult = clarify
      ? { answer: clarificationAnswer(clarify, language) }
      : await this.run(plan, { history, language, scope: { tenant: ref.userId, now }, vocabulary });
    const intent: Intent = clarify ? "CONVERSATIONAL" : plan.intent;
    if (!clarify && plan.resolved?.length) result.answer = `${result.answer} ${resolutionNote(plan.resolved, language)}`;
    const turn: SessionTurn = {
      at: new Date(now).toISOString(),
      question,
      intent,
      answer: result.answer.slice(0, MAX_STORED_ANSWER),
      ...(result.query ? { query: result.query } : {}),
      ...(!clarify && plan.intent === "ANALYSIS" ? { kind: plan.analysis.kind } : {}),
    };
    await sessions.append(ref, turn);
    if (sessions.degraded?.()) warnings.push(sessionDegradedNote(language));

    return {
      sessionId: ref.sessionId,
      intent,
      ...(result.query ? { query: result.query } : {}),
      answer: withNotes(result.answer, warnings),
      ...(result.data ? { data: result.data } : {}),
      ...(warnings.length ? { warnings } : {}),
      ...(clarify ? { clarification: clarify } : {}),
      ...(!clarify && plan.resolved?.length ? { resolved: plan.resolved } : {}),
    };
  }

  private async run(
    plan: Plan,
    ctx: { history: SessionTurn[]; language: "en" | "ko"; scope: Required<QueryScope>; vocabulary: Vocabulary },
  ): Promise<RunResult> {
    const { store, tzOffsetMinutes } = this.options;
    const { language, scope } = ctx;
    const { now } = scope;
    if (plan.intent === "CONVERSATIONAL") {
      const turns = ctx.history.map(({ at, question, intent }) => ({ at, question, intent }));
      return { answer: conversationAnswer(plan.conversation, ctx.history, language, ctx.vocabulary), data: { turns } };
    }
    if (plan.intent === "STATISTICAL") return this.runStat(plan, language, scope);
    if (plan.intent === "ANALYSIS") return this.runAnalysis(plan, language, scope);
    const hits = await runSearch(store, plan.search, scope);
    const answer = searchAnswer({ search: plan.search, events: hits.events, hasMore: hits.hasMore, language, now, tzOffsetMinutes });
    return { answer, query: plan.search, data: { events: hits.events, nextCursor: hits.nextCursor } };
  }

  private async runStat(
    plan: Extract<Plan, { intent: "STATISTICAL" }>,
    language: "en" | "ko",
    scope: Required<QueryScope>,
  ): Promise<RunResult> {
    const { store, tzOffsetMinutes } = this.options;
    const { now } = scope;
    const result = await answerStatQuery(store, plan.query, scope);
    let answer = statAnswer({ query: plan.query, result, ranking: plan.ranking, language, now, tzOffsetMinutes });
    const data: Record<string, unknown> = {
      rows: result.rows,
      estimated: result.estimated,
      source: result.source,
      range: result.range,
      ...(plan.ranking ? { ranking: plan.ranking } : {}),
    };
    const seconds = rangeSeconds(result);
    if (plan.rate && seconds && !plan.query.groupBy?.length) {
      const per = (plan.rate === "second" ? 1 : 60) / seconds;
      const value = (result.rows[0]?.value ?? 0) * per;
      data.rate = { unit: plan.rate, value, seconds };
      answer = rateAnswer(value, plan.rate, language, answer);
    }
    if (plan.compare) {
      const by = plan.compare === "yesterday" ? DAY : 7 * DAY;
      const before = await answerStatQuery(store, { ...plan.query, timeRange: shifted(plan.query.timeRange, now, by) }, scope);
      data.compare = { period: plan.compare, rows: before.rows, range: before.range, estimated: before.estimated };
      const sentence = compareSentence({ query: plan.query, rows: result.rows, before: before.rows, period: plan.compare, language });
      const label =
        language === "ko" ? (plan.compare === "yesterday" ? "어제" : "지난주") : plan.compare === "yesterday" ? "Yesterday" : "Last week";
      answer += ` ${sentence ?? (language === "ko" ? `${label} 같은 시간의 값은 data.compare에 있습니다.` : `${label}'s rows for the same window are in data.compare.`)}`;
    }
    const note = answeredNote({
      query: plan.query,
      source: result.source,
      estimated: result.estimated,
      rate: plan.rate,
      language,
      now,
      tzOffsetMinutes,
    });
    return { answer: `${answer} ${note}`, query: plan.query, data };
  }

  private async runAnalysis(
    plan: Extract<Plan, { intent: "ANALYSIS" }>,
    language: "en" | "ko",
    scope: Required<QueryScope>,
  ): Promise<RunResult> {
    const { store, tzOffsetMinutes } = this.options;
    const { now } = scope;
    const { analysis } = plan;
    const query = withAnalysisBucket(analysis.query, now);
    if (analysis.kind === "what_differs") {
      const cohort = analysis.cohort ?? "failing";
      const result = await runDifference(store, analysis, scope);
      const answer = differenceAnswer({ query, cohort, ...result, language, now, tzOffsetMinutes });
      return { answer, query, data: { kind: analysis.kind, cohort, ...result } };
    }
    const result = await runEpisode(store, query, scope);
    const answer = episodeAnswer({
      kind: analysis.kind,
      query,
      points: result.points,
      episode: result.episode,
      codes: result.codes,
      language,
      now,
      tzOffsetMinutes,
    });
    const note = answeredNote({ query, source: result.rates.source, estimated: result.rates.estimated, language, now, tzOffsetMinutes });
    const exemplars = result.rates.rows
      .filter((r) => r.bucket && result.episode && r.bucket >= result.episode.start && r.bucket <= result.episode.end)
      .flatMap((r) => r.exemplars ?? [])
      .slice(0, 10);
    return {
      answer: `${answer} ${note}`,
      query,
      data: {
        kind: analysis.kind,
        rows: result.rates.rows,
        estimated: result.rates.estimated,
        source: result.rates.source,
        range: result.rates.range,
        episode: result.episode ?? null,
        errorCodes: result.codes,
        exemplars,
      },
    };
  }
}

function rateAnswer(value: number, unit: RateUnit, language: "en" | "ko", countAnswer: string): string {
  const v = value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(2) : value.toPrecision(3);
  if (language === "ko") return `${unit === "second" ? "초당" : "분당"} ${v}건입니다. (${countAnswer})`;
  return `${v} requests per ${unit}. (${countAnswer})`;
}
