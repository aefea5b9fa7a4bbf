import type { MetricsRegistry } from "../metrics/registry.ts";
import type { EventStore } from "../ports/event-store.ts";
import type { HealthStatus } from "../ports/health.ts";
import type { OutboundRecord, Publisher, RecordTexts } from "../ports/publisher.ts";
import { StoreWriter } from "./store-writer.ts";

/**
 * PUBLISHER=direct: skips the queue and writes straight to the event store (idempotent by eventId).
 * One attempt per publish: a failure rejects, so the caller's retry or the fallback chain takes over.
 */
export class DirectPublisher implements Publisher {
  readonly name = "publisher:direct";
  private readonly writer: StoreWriter;

  constructor(
    private readonly store: EventStore,
    metrics?: MetricsRegistry,
  ) {
    this.writer = new StoreWriter(store, { path: "direct", ...(metrics ? { metrics } : {}) });
  }

  async publish(events: readonly OutboundRecord[], texts?: RecordTexts): Promise<void> {
    await this.writer.writeOnce(events, texts);
  }

  health(): Promise<HealthStatus> {
    return this.store.health();
  }

  async close(): Promise<void> {} // the store is closed by its owner
}
