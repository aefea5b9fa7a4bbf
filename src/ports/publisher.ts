import type { RollupDelta } from "../domain/rollup/rollup.ts";
import type { Lifecycle } from "./health.ts";

export type { RollupDelta };

/** An event ready to leave the gateway: validated, redacted, sampled, with eventId set. */
export type OutboundEvent = Record<string, unknown> & { eventId: string; requestId: string };

/** What travels from the gateway to the store: kept events, and rollup deltas counting every event. */
export type OutboundRecord = OutboundEvent | RollupDelta;

/**
 * Where kept events go after the gateway has answered. `publish` resolves once the backend has
 * acknowledged the batch; it rejects when the batch was not delivered, so the caller can fall back.
 */
export interface Publisher extends Lifecycle {
  publish(records: readonly OutboundRecord[]): Promise<void>;
}

/** An in-process queue of published events that this process itself drains into the store (PUBLISHER=memory). */
export interface LocalQueue {
  readonly depth: number;
  /** Up to `max` events, oldest first. */
  take(max: number): OutboundRecord[];
  /** Puts events back at the head, in order. */
  requeue(records: OutboundRecord[]): void;
}
