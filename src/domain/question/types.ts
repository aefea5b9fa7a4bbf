import { z } from "zod";
import {
  type BasicStatFilter,
  type BasicStatQuery,
  type GroupKey,
  METHODS,
  plainString,
  type TimeRange,
  timeRangeSchema,
} from "../query/stat-query.ts";

/** What a question is after: numbers, matching events, or the conversation itself. */
export const INTENTS = ["STATISTICAL", "SEARCH", "ANALYSIS", "CONVERSATIONAL"] as const;
export type Intent = (typeof INTENTS)[number];

export type Language = "en" | "ko";

/** One attribute path seen in the tenant's newest kept events, with its values when there are few. */
export interface FieldInfo {
  path: string;
  values: readonly string[];
}

/** The store's real values, the only ones a plan may name (fetched with `EventStore.distinct`). */
export interface Vocabulary {
  services: readonly string[];
  routes: readonly string[];
  errorCodes: readonly string[];
  /** Attribute paths seen in kept events (`region`, `user.plan`): reachable as `attr:<path>`. */
  fields?: readonly FieldInfo[];
}

/** Equality on kept-event attributes: `{ "user.plan": "enterprise" }`. */
export type AttrFilter = Record<string, string | number | boolean>;

/**
 * What a numbers question runs: a BasicStatQuery, plus equality on attributes and `attr:` groups
 * (both answered from kept events, so estimates). Every PlanStatQuery is a StatQuery.
 */
export type PlanStatQuery = Omit<BasicStatQuery, "filter" | "groupBy"> & {
  filter?: BasicStatFilter & { attr?: AttrFilter };
  groupBy?: GroupKey[];
};

/**
 * GET /v1/events-style filters a SEARCH question runs, plus `hasError` and a relative time range.
 * Validated like GET /v1/events: strict, bounded, plain values (no `$`, no regex syntax).
 */
export const searchFiltersSchema = z
  .object({
    service: plainString(128).optional(),
    route: plainString(512).optional(),
    statusCode: z.number().int().min(100).max(599).optional(),
    errorCode: plainString(128).optional(),
    method: z.enum(METHODS).optional(),
    hasError: z.boolean().optional(),
    text: plainString(200).optional(),
    timeRange: timeRangeSchema.optional(),
    limit: z.number().int().min(1).max(200).optional(),
  })
  .strict();
export type SearchFilters = z.infer<typeof searchFiltersSchema>;

/** Which conversational question: the earlier questions, the last answer, or a greeting / help. */
export type ConversationKind = "questions" | "answer" | "help";

/** "Slowest routes", "top 3 services": how to order and cut the rows in the answer (data keeps them all). */
export interface Ranking {
  order: "asc" | "desc";
  top: number;
}

export const ENTITY_KINDS = ["service", "route", "errorCode", "field", "metric", "time"] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

/** A name read by alias, route fragment or typo: the answer says which value it chose. */
export interface Resolution {
  term: string;
  value: string;
  kind: EntityKind;
  how: "alias" | "fragment" | "typo";
}

/** A name that would change the answer and matches nothing stored: asked about, with the closest values. */
export interface Clarification {
  kind: EntityKind;
  term: string;
  candidates: string[];
}

/** "What happened", "when did it start", "is it over", "what is different about the failing requests". */
export const ANALYSIS_KINDS = ["what_happened", "when_started", "is_over", "what_differs"] as const;
export type AnalysisKind = (typeof ANALYSIS_KINDS)[number];

/** An incident question: its kind and the scope (filter and time range) it is about. */
export interface AnalysisRequest {
  kind: AnalysisKind;
  /** The error-rate series query the change points are found in (bucket 1m, no groupBy). */
  query: BasicStatQuery;
  /** "what is different about the slow requests": compare slow against the rest instead of failing. */
  cohort?: "failing" | "slow";
}

/** Requests per second or minute: the count divided by the range's length. */
export type RateUnit = "second" | "minute";

interface PlanNotes {
  /** Words not understood: reported as warnings. */
  unresolved: string[];
  resolved?: Resolution[];
  clarify?: Clarification;
}

/** A question understood: what to run (validated) and what to tell the person about how. */
export type Plan =
  | ({ intent: "STATISTICAL"; query: PlanStatQuery; ranking?: Ranking; rate?: RateUnit; compare?: "yesterday" | "last_week" } & PlanNotes)
  | ({ intent: "SEARCH"; search: SearchFilters } & PlanNotes)
  | ({ intent: "ANALYSIS"; analysis: AnalysisRequest } & PlanNotes)
  | ({ intent: "CONVERSATIONAL"; conversation: ConversationKind } & PlanNotes);

/** One earlier turn as planners see it. */
export interface PriorTurn {
  question: string;
  intent: Intent;
  query?: PlanStatQuery | SearchFilters;
  /** The analysis kind of an ANALYSIS turn: "is it over?" after "when did it start?" stays an analysis. */
  kind?: AnalysisKind;
}

export interface PlanContext {
  question: string;
  vocabulary: Vocabulary;
  history: readonly PriorTurn[];
  /** Epoch ms: "today" and "yesterday" are resolved against it (injectable for tests). */
  now: number;
  /** Minutes east of UTC for "today"/"yesterday" boundaries; 0 = UTC. */
  tzOffsetMinutes?: number;
}

export type { BasicStatQuery, TimeRange };
