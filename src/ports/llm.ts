import type { Language, PriorTurn, Vocabulary } from "../domain/question/types.ts";
import type { Lifecycle } from "./health.ts";

export interface PlanRequest {
  question: string;
  language: Language;
  /** Recent turns, oldest first, for follow-ups ("and yesterday?"). */
  history: readonly PriorTurn[];
  /** The store's distinct services, routes and error codes: the only values a plan may use. */
  vocabulary: Vocabulary;
  /**
   * The values retrieved for this question (a subset of `vocabulary`): what an LLM is offered and
   * what its reply is validated against. The whole vocabulary when absent.
   */
  candidates?: Vocabulary;
  /** Epoch ms, for "today" and "yesterday". */
  now: number;
  tzOffsetMinutes?: number;
}

export type LlmFailure = "timeout" | "unavailable" | "malformed" | "refused";

/** Why a planner gave no usable reply: the search API falls back to the rules parser and says why. */
export class LlmError extends Error {
  override name = "LlmError";
  constructor(
    readonly kind: LlmFailure,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Turns a question into a plan reply (see domain/search/plan-reply.ts). The reply is untrusted:
 * the caller validates it against the vocabulary and the StatQuery whitelist before anything
 * reaches a store. Rejects with LlmError on timeout, outage or a reply that is not JSON.
 */
export interface Llm extends Lifecycle {
  readonly provider: "rules" | "openai";
  plan(request: PlanRequest, signal: AbortSignal): Promise<unknown>;
}
