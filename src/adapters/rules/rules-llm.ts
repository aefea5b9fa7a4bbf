import { planToReply } from "../../domain/question/plan-reply.ts";
import { planWithRules } from "../../domain/question/rules-parser.ts";
import type { HealthStatus } from "../../ports/health.ts";
import type { Llm, PlanRequest } from "../../ports/llm.ts";

/** The deterministic planner behind the LLM port: no network, the embedded default. */
export class RulesLlm implements Llm {
  readonly name = "llm:rules";
  readonly provider = "rules";

  async plan(request: PlanRequest): Promise<unknown> {
    return planToReply(planWithRules(request));
  }

  async health(): Promise<HealthStatus> {
    return { ok: true, detail: "built-in rules parser" };
  }

  async close(): Promise<void> {}
}
