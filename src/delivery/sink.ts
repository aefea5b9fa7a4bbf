import type { OutboundRecord } from "../ports/publisher.ts";

/** How the ingest route hands kept events off after deciding to answer 202. */
export type SubmitResult = { ok: true } | { ok: false; retryAfterSeconds: number; reason: string };

export interface EventSink {
  /**
   * Accepts events for asynchronous delivery. Never waits for the publisher; `waitUntil` keeps the
   * delivery alive after the response on runtimes that end a request's work with its response.
   * A durable sink (the disk buffer) answers with a promise that settles once the events are on disk.
   */
  submit(events: OutboundRecord[], waitUntil?: (promise: Promise<unknown>) => void): SubmitResult | Promise<SubmitResult>;
  /**
   * Whether `count` more records would be accepted now. The ingest route asks before it counts a
   * request into rollups, so a request answered 429 (and retried by its client) is never counted.
   */
  room?(count: number): SubmitResult;
  /** Delivers everything accepted so far (shutdown, tests). */
  drain(): Promise<void>;
}
