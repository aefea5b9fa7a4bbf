import type { EventStore } from "../ports/event-store.ts";
import type { HealthStatus } from "../ports/health.ts";
import type { OutboundEvent, Publisher } from "../ports/publisher.ts";

/** PUBLISHER=direct: skips the queue and writes straight to the event store (idempotent by eventId). */
export class DirectPublisher implements Publisher {
  readonly name = "publisher:direct";

  constructor(private readonly store: EventStore) {}

  async publish(events: readonly OutboundEvent[]): Promise<void> {
    const { inserted, duplicates } = await this.store.insertMany(events);
    // Every event must be accounted for, or the batch is not durable and must be retried.
    if (inserted + duplicates !== events.length) {
      throw new Error(`store acknowledged ${inserted + duplicates} of ${events.length} events`);
    }
  }

  health(): Promise<HealthStatus> {
    return this.store.health();
  }

  async close(): Promise<void> {} // the store is closed by its owner
}
