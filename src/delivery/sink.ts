import type { OutboundEvent } from "../ports/publisher.ts";

/** How the ingest route hands kept events off after deciding to answer 202. */
export type SubmitResult = { ok: true } | { ok: false; retryAfterSeconds: number; reason: string };

export interface EventSink {
  /**
   * Accepts events for asynchronous delivery. Never waits for the publisher; `waitUntil` keeps the
   * delivery alive after the response on runtimes that end a request's work with its response.
   */
  submit(events: OutboundEvent[], waitUntil?: (promise: Promise<unknown>) => void): SubmitResult;
  /** Delivers everything accepted so far (shutdown, tests). */
  drain(): Promise<void>;
}
