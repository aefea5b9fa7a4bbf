import { type BasicStatQuery, plainString } from "../domain/query/stat-query.ts";
import { conversationAnswer } from "../domain/question/answer-conversation.ts";
import { searchAnswer } from "../domain/question/answer-search.ts";
import { statAnswer } from "../domain/question/answer-stat.ts";
import { detectLanguage } from "../domain/question/format.ts";
import { llmFallbackNote, type SearchWarning, sessionDegradedNote, unresolvedNote, withNotes } from "../domain/question/notes.ts";
import { isHistoryQuestion, planWithRules } from "../domain/question/rules-parser.ts";
import { MAX_STORED_ANSWER, type SessionTurn } from "../domain/question/session-turn.ts";
import type { Intent, Plan, SearchFilters, Vocabulary } from "../domain/question/types.ts";
import type { EventStore, QueryScope } from "../ports/event-store.ts";
import type { Llm } from "../ports/llm.ts";
import type { SessionCache, SessionRef } from "../ports/session-cache.ts";
import { answerStatQuery } from "../stats/stat-service.ts";
import { planQuestion } from "./plan-question.ts";
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
  query?: BasicStatQuery | SearchFilters;
  answer: string;
  data?: Record<string, unknown>;
  warnings?: SearchWarning[];
}

export interface SearchCounters {
  questions: number;
  llmFallbacks: number;
}

const PLAIN = plainString(512);
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
    return { services: plain(services), routes: plain(routes), errorCodes: plain(errorCodes) };
  }

  async ask(question: string, ref: SessionRef): Promise<SearchAnswer> {
    const { sessions, llm, tzOffsetMinutes } = this.options;
    const now = this.clock();
    const language = detectLanguage(question);
    this.counters.questions++;
    const history = await sessions.history(ref);
    const prior = history.map(({ question, intent, query }) => ({ question, intent, ...(query ? { query } : {}) }));
    const warnings: SearchWarning[] = [];

    // Questions about the conversation never need the model, the vocabulary or the store.
    let plan: Plan;
    let vocabulary = EMPTY_VOCABULARY;
    if (isHistoryQuestion(question)) {
      plan = planWithRules({ question, vocabulary, history: prior, now, tzOffsetMinutes });
    } else {
      vocabulary = await this.vocabulary(ref.userId);
      const request = { question, language, history: prior, vocabulary, now, tzOffsetMinutes };
      const planned = await planQuestion(llm, request, this.options.llmTimeoutMs);
      plan = planned.plan;
      if (planned.fallbackReason) {
        this.counters.llmFallbacks++;
        warnings.push(llmFallbackNote(planned.fallbackReason, language));
      }
    }
    if (plan.unresolved.length) warnings.push(unresolvedNote(plan.unresolved, language));

    const result = await this.run(plan, { history, language, scope: { tenant: ref.userId, now }, vocabulary });
    const turn: SessionTurn = {
      at: new Date(now).toISOString(),
      question,
      intent: plan.intent,
      answer: result.answer.slice(0, MAX_STORED_ANSWER),
      ...(result.query ? { query: result.query } : {}),
    };
    await sessions.append(ref, turn);
    if (sessions.degraded?.()) warnings.push(sessionDegradedNote(language));

    return {
      sessionId: ref.sessionId,
      intent: plan.intent,
      ...(result.query ? { query: result.query } : {}),
      answer: withNotes(result.answer, warnings),
      ...(result.data ? { data: result.data } : {}),
      ...(warnings.length ? { warnings } : {}),
    };
  }

  private async run(
    plan: Plan,
    ctx: { history: SessionTurn[]; language: "en" | "ko"; scope: Required<QueryScope>; vocabulary: Vocabulary },
  ): Promise<{ answer: string; query?: BasicStatQuery | SearchFilters; data?: Record<string, unknown> }> {
    const { store, tzOffsetMinutes } = this.options;
    const { language, scope } = ctx;
    const { now } = scope;
    if (plan.intent === "CONVERSATIONAL") {
      const turns = ctx.history.map(({ at, question, intent }) => ({ at, question, intent }));
      return { answer: conversationAnswer(plan.conversation, ctx.history, language, ctx.vocabulary), data: { turns } };
    }
    if (plan.intent === "STATISTICAL") {
      const result = await answerStatQuery(store, plan.query, scope);
      const answer = statAnswer({ query: plan.query, result, ranking: plan.ranking, language, now, tzOffsetMinutes });
      return {
        answer,
        query: plan.query,
        data: {
          rows: result.rows,
          estimated: result.estimated,
          source: result.source,
          range: result.range,
          ...(plan.ranking ? { ranking: plan.ranking } : {}),
        },
      };
    }
    const hits = await runSearch(store, plan.search, scope);
    const answer = searchAnswer({ search: plan.search, events: hits.events, hasMore: hits.hasMore, language, now, tzOffsetMinutes });
    return { answer, query: plan.search, data: { events: hits.events, nextCursor: hits.nextCursor } };
  }
}
