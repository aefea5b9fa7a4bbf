import { isErrorEvent } from "../event/error-flag.ts";
import { murmur3_32 } from "../hash/murmur3.ts";
import { compileRouteMatcher } from "./glob.ts";
import { compileRules } from "./rules.ts";
import type { SamplingDecision, SamplingPolicy, SamplingReason } from "./types.ts";

/**
 * Seed for the sampling hash. Changing it reshuffles which requests are kept, so it is part of
 * the contract: every instance on every runtime must use the same one.
 */
export const SAMPLING_SEED = 0x5eed_ca7e;

const TWO_POW_32 = 4294967296;

/** Position of `requestId` in [0, 1): a request is kept at rate r when this is < r. */
export const hashUnit = (requestId: string): number => murmur3_32(requestId, SAMPLING_SEED) / TWO_POW_32;

export interface ReasonCount {
  kept: number;
  dropped: number;
}

/** Per-reason counts keyed by reason string (`HAS_ERROR`, `RULE:<name>`, ...). */
export type SamplingCounters = Record<string, ReasonCount>;

export interface Sampler {
  /** Decides one event. The result is a shared frozen object: copy it before changing it. */
  decide(event: Record<string, unknown>): Readonly<SamplingDecision>;
  /** A fresh snapshot of the counts since creation or the last reset(), every reason listed. */
  counters(): SamplingCounters;
  reset(): void;
  /** The top-level fields decide() reads, so a caller knows which fields must be set beforehand. */
  readonly fields: ReadonlySet<string>;
}

const BUILT_IN_FIELDS = ["error", "statusCode", "durationMs", "route", "requestId"];

const decision = (keep: boolean, reason: SamplingReason, rate: number): Readonly<SamplingDecision> => Object.freeze({ keep, reason, rate });

/** One reason: its decisions, built once so decide() allocates nothing, and its counts. */
interface Slot {
  readonly reason: SamplingReason;
  readonly rate: number;
  readonly kept: Readonly<SamplingDecision>;
  readonly dropped: Readonly<SamplingDecision>;
  keptCount: number;
  droppedCount: number;
}

const slot = (reason: SamplingReason, rate: number): Slot => ({
  reason,
  rate,
  kept: decision(true, reason, rate),
  dropped: decision(false, reason, rate),
  keptCount: 0,
  droppedCount: 0,
});

const keepAlways = (s: Slot): Readonly<SamplingDecision> => {
  s.keptCount++;
  return s.kept;
};

const keepByHash = (s: Slot, requestId: unknown): Readonly<SamplingDecision> => {
  if (hashUnit(typeof requestId === "string" ? requestId : "") < s.rate) {
    s.keptCount++;
    return s.kept;
  }
  s.droppedCount++;
  return s.dropped;
};

function checkRate(rate: unknown, what: string): number {
  if (typeof rate !== "number" || !(rate >= 0 && rate <= 1)) throw new Error(`${what} must be a number in [0, 1]`);
  return rate;
}

/**
 * Builds a tail-aware sampler; everything is compiled here so decide() only reads.
 * Order, first match wins: HAS_ERROR, SLOW_REQUEST, CRITICAL_ROUTE (all kept at rate 1), the
 * user rules in order (`RULE:<name>` at the rule's rate), then SAMPLED_NORMAL at normalRate.
 * Rate-based choices hash requestId, so all events of a request share one decision everywhere.
 */
export function createSampler(policy: SamplingPolicy): Sampler {
  const normalRate = checkRate(policy.normalRate, "sampling normalRate");
  const { slowMs } = policy;
  if (typeof slowMs !== "number" || Number.isNaN(slowMs)) throw new Error("sampling slowMs must be a number");
  const isCritical = compileRouteMatcher(policy.criticalRoutes);
  const rules = compileRules(policy.rules);

  const error = slot("HAS_ERROR", 1);
  const slow = slot("SLOW_REQUEST", 1);
  const critical = slot("CRITICAL_ROUTE", 1);
  const ruleSlots = rules.map((rule) => ({ matches: rule.matches, slot: slot(`RULE:${rule.name}`, rule.rate) }));
  const normal = slot("SAMPLED_NORMAL", normalRate);
  const all = [error, slow, critical, ...ruleSlots.map((r) => r.slot), normal];

  const fields = new Set([...BUILT_IN_FIELDS, ...policy.rules.flatMap((rule) => rule.when.map((c) => c.field.split(".")[0] ?? ""))]);

  return {
    fields,
    decide(event) {
      if (isErrorEvent(event)) return keepAlways(error);
      const duration = event.durationMs;
      if (typeof duration === "number" && duration > slowMs) return keepAlways(slow);
      const route = event.route;
      if (typeof route === "string" && isCritical(route)) return keepAlways(critical);
      for (const rule of ruleSlots) {
        if (rule.matches(event)) return keepByHash(rule.slot, event.requestId);
      }
      return keepByHash(normal, event.requestId);
    },
    counters() {
      const out: SamplingCounters = {};
      for (const s of all) out[s.reason] = { kept: s.keptCount, dropped: s.droppedCount };
      return out;
    },
    reset() {
      for (const s of all) {
        s.keptCount = 0;
        s.droppedCount = 0;
      }
    },
  };
}
