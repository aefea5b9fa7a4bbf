import { type CountableEvent, RollupAggregator } from "../../src/domain/rollup/aggregator.ts";
import type { RollupDelta } from "../../src/domain/rollup/rollup.ts";
import type { EventStore } from "../../src/ports/event-store.ts";
import type { OutboundEvent } from "../../src/ports/publisher.ts";

/**
 * The rollups a gateway would have published for these kept events: each stands for round(1/rate)
 * requests it saw, so rollup answers equal the weighted estimates of the seed. For tests that put
 * events straight into a store.
 */
export function rollupsFor(events: readonly OutboundEvent[]): RollupDelta[] {
  const aggregator = new RollupAggregator({ maxGroups: 1_000_000 });
  for (const event of events) {
    const rate = (event.sampling as { rate?: number } | undefined)?.rate ?? 1;
    const weight = Math.round(1 / rate);
    const countable = { ...event, tenant: typeof event.tenant === "string" ? event.tenant : "default" } as unknown as CountableEvent;
    for (let i = 0; i < weight; i++) aggregator.count(countable);
  }
  return aggregator.drain();
}

/** Inserts the events and the rollups the gateway would have counted for them. */
export async function seedStore(store: EventStore, events: readonly OutboundEvent[]): Promise<void> {
  await store.insertMany(events);
  await store.applyRollups(rollupsFor(events));
}
