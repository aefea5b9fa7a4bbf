/** Why an event was kept. `RULE:<name>` names the user rule that matched. */
export type SamplingReason = "HAS_ERROR" | "SLOW_REQUEST" | "CRITICAL_ROUTE" | `RULE:${string}` | "SAMPLED_NORMAL";

/**
 * Kept although the sampler dropped it: the first event of a rollup group and minute that nothing
 * else kept, so every rollup row has an event to drill into. It weighs 0 in weighted estimates.
 */
export const EXEMPLAR_REASON = "EXEMPLAR";

/** Recorded on every kept event; `rate` is the keep probability, so 1/rate estimates the count it stands for. */
export interface SamplingDecision {
  keep: boolean;
  reason: SamplingReason;
  rate: number;
}

export type RuleOperator = "eq" | "neq" | "in" | "exists" | "gt" | "lt" | "prefix" | "regex";

export type RuleValue = string | number | boolean | null;

/** One condition on a field; `field` is a dotted path such as `error.code` or `user.plan`. */
export interface RuleCondition {
  field: string;
  op: RuleOperator;
  value?: RuleValue | RuleValue[];
}

/** A user rule from SAMPLING_RULES: all conditions must match; `rate` 0 drops, 1 keeps all. */
export interface SamplingRule {
  name: string;
  when: RuleCondition[];
  rate: number;
}

export interface SamplingPolicy {
  normalRate: number;
  slowMs: number;
  criticalRoutes: string[];
  rules: SamplingRule[];
}
