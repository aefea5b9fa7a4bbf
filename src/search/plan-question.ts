import { interpretReply, planToReply } from "../domain/question/plan-reply.ts";
import { planWithRules } from "../domain/question/rules-parser.ts";
import type { Plan } from "../domain/question/types.ts";
import { type Llm, LlmError, type PlanRequest } from "../ports/llm.ts";

/**
 * Asks the planner, validates what it says, and falls back to the rules parser when the reply is
 * late, missing, unparseable or outside the whitelist. Nothing the planner returns reaches a store
 * without passing `interpretReply` (vocabulary enums + parseStatQuery).
 */

export interface PlannedQuestion {
  plan: Plan;
  /** Why the rules parser answered instead of the LLM; undefined when the LLM's plan was used. */
  fallbackReason?: string;
}

export async function planQuestion(llm: Llm, request: PlanRequest, timeoutMs: number): Promise<PlannedQuestion> {
  const rules = (): Plan => {
    const result = interpretReply(planToReply(planWithRules(request)), request.vocabulary);
    // Only a parser bug gets here; answer with help rather than run an unchecked query or fail.
    return result.ok ? result.plan : { intent: "CONVERSATIONAL", conversation: "help", unresolved: [] };
  };
  let reply: unknown;
  try {
    reply = await withDeadline((signal) => llm.plan(request, signal), timeoutMs);
  } catch (error) {
    return { plan: rules(), fallbackReason: describe(error, timeoutMs) };
  }
  // The model was offered only the candidates retrieved for this question: nothing else is accepted.
  const result = interpretReply(reply, llm.provider === "rules" ? request.vocabulary : (request.candidates ?? request.vocabulary));
  if (!result.ok) return { plan: rules(), fallbackReason: `invalid plan: ${result.error.slice(0, 200)}` };
  return { plan: result.plan };
}

function describe(error: unknown, timeoutMs: number): string {
  if (error instanceof LlmError) return error.kind === "timeout" ? `no reply within ${timeoutMs} ms` : error.message;
  return error instanceof Error ? error.message.slice(0, 200) : "unknown error";
}

/** Aborts the call and rejects at the deadline even if the adapter ignores its signal. */
async function withDeadline<T>(call: (signal: AbortSignal) => Promise<T>, timeoutMs: number): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new LlmError("timeout", "deadline"));
    }, timeoutMs);
  });
  try {
    return await Promise.race([call(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
