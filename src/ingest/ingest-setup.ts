import type { Config } from "../config/schema.ts";
import { ConfigError } from "../config/schema.ts";
import { compileRedaction, type IngestLimits, limitsFromConfig, type Redaction } from "../domain/event/index.ts";
import { createSampler, type Sampler } from "../domain/sampling/sampler.ts";
import type { MetricsRegistry } from "../metrics/registry.ts";

/** What POST /v1/events needs, built once per process (per isolate on Workers) from config. */
export interface IngestSetup {
  limits: IngestLimits;
  redaction: Redaction;
  sampler: Sampler;
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
  return { limits: limitsFromConfig(config), redaction: compileRedaction(), sampler };
}
