import { createTraffic } from "../../scripts/lib/traffic.ts";
import { RollupAggregator } from "../../src/domain/rollup/aggregator.ts";
import { createSampler } from "../../src/domain/sampling/sampler.ts";
import type { EventStore } from "../../src/ports/event-store.ts";
import type { OutboundEvent } from "../../src/ports/publisher.ts";

/**
 * The demo's payment-shop hour (scripts/lib/traffic.ts, the model `npm run demo` replays), put into
 * a store the way the gateway would: every event counted into rollups, then sampled with the
 * default policy (errors and slow requests kept, 5% of the rest) and the kept ones stored.
 * From 35 to 25 minutes before `now`, /api/payments times out for 40% of requests.
 */

export interface DemoTruth {
  incidentStart: number;
  incidentEnd: number;
  total: number;
  kept: number;
}

export const DEMO_TENANT = "acme";

export function demoIncident(now: number): { from: number; to: number } {
  return { from: now - 35 * 60_000, to: now - 25 * 60_000 };
}

export async function seedDemo(store: EventStore, now: number, total = 20_000): Promise<DemoTruth> {
  const incident = demoIncident(now);
  const next = createTraffic({ seed: 7, errorRate: 0.005, incident: { ...incident, errorRate: 0.4 } });
  const sampler = createSampler({ normalRate: 0.05, slowMs: 2000, criticalRoutes: [], rules: [] });
  const aggregator = new RollupAggregator({ maxGroups: 1_000_000 });
  const kept: OutboundEvent[] = [];
  for (let i = 0; i < total; i++) {
    const event = next(now - 3_600_000 + Math.floor((i / total) * 3_600_000)) as Record<string, unknown>;
    const outbound = { ...event, tenant: DEMO_TENANT, eventId: `demo-${i}` } as unknown as OutboundEvent;
    const state = aggregator.count(outbound as never);
    const decision = sampler.decide(event);
    if (!decision.keep) continue;
    kept.push({ ...outbound, sampling: { reason: decision.reason, rate: decision.rate } });
    aggregator.kept(state, String(outbound.eventId));
  }
  for (let i = 0; i < kept.length; i += 1000) await store.insertMany(kept.slice(i, i + 1000));
  await store.applyRollups(aggregator.drain());
  return { incidentStart: incident.from, incidentEnd: incident.to, total, kept: kept.length };
}
