import type { Config } from "../config/schema.ts";
import { ConfigError } from "../config/schema.ts";
import { compileFieldPaths } from "../domain/event/field-paths.ts";
import {
  compileRedaction,
  DEFAULT_SENSITIVE_KEYS,
  type IngestLimits,
  limitsFromConfig,
  type Redaction,
  type ValueScanner,
} from "../domain/event/index.ts";
import { durationToMs } from "../domain/event/timestamp.ts";
import { RollupAggregator } from "../domain/rollup/aggregator.ts";
import { createSampler, type Sampler } from "../domain/sampling/sampler.ts";
import type { MetricsRegistry } from "../metrics/registry.ts";

/** What POST /v1/events needs, built once per process (per isolate on Workers) from config. */
export interface IngestSetup {
  limits: IngestLimits;
  redaction: Redaction;
  sampler: Sampler;
  /** Counts every accepted event into rollups; drained per request on Workers, by a timer on Bun. */
  rollups?: RollupAggregator;
  /** INGEST_MAX_FUTURE_SKEW; absent = no check. */
  futureSkew?: { ms: number; text: string };
}

export function createIngestSetup(config: Config, metrics: MetricsRegistry): IngestSetup {
  let sampler: Sampler;
  try {
    sampler = createSampler({
      normalRate: config.SAMPLING_NORMAL_RATE,
      slowMs: config.SAMPLING_SLOW_MS,
      criticalRoutes: config.SAMPLING_CRITICAL_ROUTES,
      rules: config.SAMPLING_RULES,
    });
  } catch (error) {
    throw new ConfigError(`invalid configuration: SAMPLING_RULES: ${(error as Error).message}`);
  }
  metrics.define("widegate_sampling_decisions_total", "counter", "Sampling decisions by reason and outcome");
  metrics.collect((m) => {
    for (const [reason, count] of Object.entries(sampler.counters())) {
      m.set("widegate_sampling_decisions_total", { reason, decision: "kept" }, count.kept);
      m.set("widegate_sampling_decisions_total", { reason, decision: "dropped" }, count.dropped);
    }
  });
  metrics.define(
    "widegate_rollup_overflow_events_total",
    "counter",
    "Events counted under __other__ because their tenant's minute had ROLLUP_MAX_GROUPS groups, by the dimension folded",
  );
  const rollups = new RollupAggregator({
    maxGroups: config.ROLLUP_MAX_GROUPS,
    maxDeltaBytes: rollupDeltaBytes(config.KAFKA_MAX_MESSAGE_BYTES),
    onOverflow: (dimension) => metrics.inc("widegate_rollup_overflow_events_total", { dimension }),
  });
  metrics.collect((m) => m.set("widegate_rollup_pending_groups", {}, rollups.pending, "Rollup groups counted and not yet flushed"));
  const paths = compileFieldPaths({
    drop: config.REDACT_DROP_PATHS,
    hash: config.REDACT_HASH_PATHS,
    ...(config.REDACT_HASH_KEY !== undefined ? { hashKey: config.REDACT_HASH_KEY } : {}),
  });
  const redaction = compileRedaction({
    keys: [...DEFAULT_SENSITIVE_KEYS, ...config.REDACT_KEYS],
    ...(paths ? { paths } : {}),
    cardNumbers: config.REDACT_VALUES.includes("card"),
    values: config.REDACT_VALUES.filter((rule): rule is ValueScanner => rule !== "card"),
  });
  metrics.define(
    "widegate_redactions_total",
    "counter",
    "Values replaced by redaction on kept events, by rule (key, card, email, phone, iban, jwt, bearer, drop, hash)",
  );
  metrics.collect((m) => {
    for (const [rule, count] of Object.entries(redaction.counts)) m.set("widegate_redactions_total", { rule }, count);
  });
  const futureSkew = { ms: durationToMs(config.INGEST_MAX_FUTURE_SKEW), text: config.INGEST_MAX_FUTURE_SKEW };
  return { limits: limitsFromConfig(config), redaction, sampler, rollups, futureSkew };
}

/**
 * A delta's rows must fit one Kafka message beside its envelope (kind, id, tenant), key and the
 * publisher's per-record allowance; every publisher gets the same cut, so a delta never changes
 * shape between the primary and a fallback.
 */
export const rollupDeltaBytes = (maxMessageBytes: number): number => Math.max(256, maxMessageBytes - 4096);
