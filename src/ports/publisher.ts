import type { Lifecycle } from "./health.ts";

/** An event ready to leave the gateway: validated, redacted, sampled, with eventId set. */
export type OutboundEvent = Record<string, unknown> & { eventId: string; requestId: string };

/**
 * Where kept events go after the gateway has answered. `publish` resolves once the backend has
 * acknowledged the batch; it rejects when the batch was not delivered, so the caller can fall back.
 */
export interface Publisher extends Lifecycle {
  publish(events: readonly OutboundEvent[]): Promise<void>;
}
