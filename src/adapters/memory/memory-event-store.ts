import type { EventStore, InsertResult } from "../../ports/event-store.ts";
import type { HealthStatus } from "../../ports/health.ts";
import type { OutboundEvent } from "../../ports/publisher.ts";

/** Events in a Map keyed by eventId: for tests and throwaway runs (EVENT_STORE=memory). */
export class MemoryEventStore implements EventStore {
  readonly name = "event-store:memory";
  private readonly events = new Map<string, OutboundEvent>();

  async insertMany(events: readonly OutboundEvent[]): Promise<InsertResult> {
    let inserted = 0;
    for (const event of events) {
      if (this.events.has(event.eventId)) continue;
      this.events.set(event.eventId, event);
      inserted++;
    }
    return { inserted, duplicates: events.length - inserted };
  }

  async count(): Promise<number> {
    return this.events.size;
  }

  async health(): Promise<HealthStatus> {
    return { ok: true, detail: `${this.events.size} events` };
  }

  async close(): Promise<void> {}
}
