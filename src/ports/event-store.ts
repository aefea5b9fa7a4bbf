import type { Lifecycle } from "./health.ts";
import type { OutboundEvent } from "./publisher.ts";

export interface InsertResult {
  inserted: number;
  /** Events whose eventId was already stored: a retry or a redelivery, not an error. */
  duplicates: number;
}

/** Durable home of kept events. Writes are idempotent by eventId. */
export interface EventStore extends Lifecycle {
  insertMany(events: readonly OutboundEvent[]): Promise<InsertResult>;
  count(): Promise<number>;
}
