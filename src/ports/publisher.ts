import type { RollupDelta } from "../domain/rollup/rollup.ts";
import type { Lifecycle } from "./health.ts";

export type { RollupDelta };

/** An event ready to leave the gateway: validated, redacted, sampled, with eventId set. */
export type OutboundEvent = Record<string, unknown> & { eventId: string; requestId: string };

/** What travels from the gateway to the store: kept events, and rollup deltas counting every event. */
export type OutboundRecord = OutboundEvent | RollupDelta;

/**
 * `JSON.stringify(records[i])` for each record the caller has already serialised (the disk buffer
 * wrote them to its frame), index-aligned with the records; undefined where it has not. A record
 * leaves the gateway as one JSON text, made once: adapters that send or store text use these.
 */
export type RecordTexts = readonly (string | undefined)[];

/** The text of `records[i]`: the caller's when it gave one, else made now. */
export const recordText = (record: OutboundRecord, texts: RecordTexts | undefined, i: number): string =>
  texts?.[i] ?? JSON.stringify(record);

/**
 * Where kept events go after the gateway has answered. `publish` resolves once the backend has
 * acknowledged the batch; it rejects when the batch was not delivered, so the caller can fall back.
 * `texts`, when given, are the records as JSON (see RecordTexts).
 */
export interface Publisher extends Lifecycle {
  publish(records: readonly OutboundRecord[], texts?: RecordTexts): Promise<void>;
}

/** An in-process queue of published events that this process itself drains into the store (PUBLISHER=memory). */
export interface LocalQueue {
  readonly depth: number;
  /** Up to `max` events, oldest first. */
  take(max: number): OutboundRecord[];
  /** Puts events back at the head, in order. */
  requeue(records: OutboundRecord[]): void;
}

/** Why a publish failed, as a sink needs it: `auth` will not heal by retrying; the others may. */
export type PublishFailure = "auth" | "timeout" | "refused" | "network";

/** A publish failure a publisher could classify; anything else thrown counts as `network`. */
export class PublishError extends Error {
  override name = "PublishError";
  constructor(
    message: string,
    readonly reason: PublishFailure,
  ) {
    super(message);
  }

  /** Retrying in place cannot fix a credential or a refusal. */
  get retryable(): boolean {
    return this.reason === "timeout" || this.reason === "network";
  }
}

export const failureOf = (error: unknown): PublishFailure => (error instanceof PublishError ? error.reason : "network");
