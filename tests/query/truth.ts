import { expect, test } from "bun:test";
import { compileRedaction, DEFAULT_LIMITS } from "../../src/domain/event/index.ts";
import { exactWeightedQuantile } from "../../src/domain/query/histogram.ts";
import { parseStatQuery, type StatQuery, type StatResult } from "../../src/domain/query/stat-query.ts";
import { RollupAggregator } from "../../src/domain/rollup/aggregator.ts";
import { createSampler } from "../../src/domain/sampling/sampler.ts";
import type { IngestSetup } from "../../src/ingest/ingest-setup.ts";
import { processEvents } from "../../src/ingest/process-events.ts";
import type { EventStore } from "../../src/ports/event-store.ts";
import type { OutboundEvent } from "../../src/ports/publisher.ts";
import { NOW, prng } from "./fixtures.ts";

export const TRUTH_EVENTS = 100_000;
/** Uneven traffic; the smallest service still has ~950 sampled events, so 8% is about 2.5 σ. */
const SHARES: Array<[string, number]> = [
  ["payment", 0.35],
  ["checkout", 0.25],
  ["search", 0.2],
  ["catalog", 0.2],
];

export interface Truth {
  kept: OutboundEvent[];
  total: number;
  perService: Map<string, number>;
  errors: number;
  errorsPerService: Map<string, number>;
  durations: number[];
}

/**
 * 100k requests of known truth through the real sampler (5% normal rate; errors and slow requests
 * kept). With `gateway`, through the ingest route's processing instead: rollup counting and its
 * EXEMPLAR events (weight 0), which must leave every estimate within the same bounds.
 */
export function syntheticTraffic(seed = 2026, options: { gateway?: boolean } = {}): Truth {
  const random = prng(seed);
  const sampler = createSampler({ normalRate: 0.05, slowMs: 2000, criticalRoutes: [], rules: [] });
  const setup: IngestSetup = {
    limits: DEFAULT_LIMITS,
    redaction: compileRedaction(),
    sampler,
    rollups: new RollupAggregator({ maxGroups: 10_000 }),
  };
  let pending: OutboundEvent[] = [];
  const truth: Truth = { kept: [], total: 0, perService: new Map(), errors: 0, errorsPerService: new Map(), durations: [] };
  for (let i = 0; i < TRUTH_EVENTS; i++) {
    let roll = random();
    let service = "catalog";
    for (const [name, share] of SHARES) {
      if (roll < share) {
        service = name;
        break;
      }
      roll -= share;
    }
    const failed = random() < 0.03;
    const durationMs = Math.round(Math.exp(3 + random() * 3 + (random() < 0.02 ? 2.5 : 0)) * 10) / 10;
    const event: OutboundEvent = {
      eventId: `t-${i}`,
      requestId: `${seed}-${i}-${Math.floor(random() * 1e9)}`,
      tenant: "acme",
      service,
      route: "/api/x",
      timestamp: new Date(NOW - 1 - Math.floor(random() * 3_600_000)).toISOString(),
      statusCode: failed ? 503 : 200,
      durationMs,
      ...(failed ? { error: { code: "UNAVAILABLE", message: "upstream unavailable" } } : {}),
    };
    truth.total++;
    truth.perService.set(service, (truth.perService.get(service) ?? 0) + 1);
    truth.durations.push(durationMs);
    if (failed) {
      truth.errors++;
      truth.errorsPerService.set(service, (truth.errorsPerService.get(service) ?? 0) + 1);
    }
    if (options.gateway) {
      pending.push(event);
      if (pending.length === 1000) flush();
      continue;
    }
    const decision = sampler.decide(event);
    if (decision.keep) truth.kept.push({ ...event, sampling: { reason: decision.reason, rate: decision.rate } });
  }
  flush();
  return truth;

  function flush(): void {
    if (pending.length === 0) return;
    const result = processEvents({ items: pending.map((value, index) => ({ index, value })), rejected: [] }, setup, { tenant: "acme" });
    if (!result.ok) throw new Error("synthetic batch refused");
    truth.kept.push(...result.kept);
    pending = [];
  }
}

async function ask(store: EventStore, query: StatQuery): Promise<StatResult> {
  const parsed = parseStatQuery(query);
  if (!parsed.ok) throw new Error(parsed.error);
  return store.query(parsed.query, { tenant: "acme", now: NOW });
}

const deviation = (estimate: number, truth: number) => Math.abs(estimate - truth) / truth;

/** Registers the truth checks for one store, already holding `truth.kept`. */
export function truthChecks(label: string, getStore: () => EventStore, truth: Truth): void {
  test(`${label}: weighted total within 3% of the real traffic, marked estimated`, async () => {
    const result = await ask(getStore(), { metric: "count", timeRange: { last: "1h" } });
    const estimate = result.rows[0]?.value ?? 0;
    console.log(
      `${label}: total ${estimate} vs ${truth.total} (${(deviation(estimate, truth.total) * 100).toFixed(2)}%), kept ${truth.kept.length}`,
    );
    expect(deviation(estimate, truth.total)).toBeLessThan(0.03);
    expect(result.estimated).toBe(true);
  }, 60_000);

  test(`${label}: per-service counts within 8%`, async () => {
    const result = await ask(getStore(), { metric: "count", timeRange: { last: "1h" }, groupBy: ["service"] });
    expect(result.rows.length).toBe(truth.perService.size);
    for (const row of result.rows) {
      const real = truth.perService.get(String(row.service)) ?? 0;
      const off = deviation(row.value ?? 0, real);
      console.log(`${label}: ${row.service} ${row.value} vs ${real} (${(off * 100).toFixed(2)}%)`);
      expect(off).toBeLessThan(0.08);
    }
  }, 60_000);

  test(`${label}: error counts exact (errors are always kept)`, async () => {
    const all = await ask(getStore(), { metric: "count", timeRange: { last: "1h" }, filter: { hasError: true } });
    expect(all.rows[0]?.value).toBe(truth.errors);
    expect(all.estimated).toBe(false);
    const perService = await ask(getStore(), {
      metric: "count",
      timeRange: { last: "1h" },
      filter: { errorCode: "UNAVAILABLE" },
      groupBy: ["service"],
    });
    for (const row of perService.rows) expect(row.value).toBe(truth.errorsPerService.get(String(row.service)) ?? -1);
  }, 60_000);

  test(`${label}: weighted p50 and p95 near the real traffic's`, async () => {
    for (const [metric, q] of [
      ["p50", 0.5],
      ["p95", 0.95],
    ] as const) {
      const result = await ask(getStore(), { metric, timeRange: { last: "1h" } });
      const real = exactWeightedQuantile(
        truth.durations.map((value) => ({ value, weight: 1 })),
        q,
      ) as number;
      const off = deviation(result.rows[0]?.value ?? 0, real);
      console.log(`${label}: ${metric} ${result.rows[0]?.value} vs ${real} (${(off * 100).toFixed(2)}%)`);
      expect(off).toBeLessThan(0.1);
    }
  }, 60_000);
}
