import { defaultLogger, type Logger } from "../log/logger.ts";
import type { MetricsRegistry } from "../metrics/registry.ts";
import type { OutboundRecord, Publisher } from "../ports/publisher.ts";
import type { EventSink, SubmitResult } from "./sink.ts";

export interface BatchingSinkOptions {
  /** Events per publish call. */
  maxBatch?: number;
  /** How long a partial batch may wait for company. */
  maxDelayMs?: number;
  /** Events buffered before submit answers with backpressure (429). */
  maxQueued?: number;
  /** Retry delay bounds after a failed publish; the batch stays at the head of the queue. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  metrics?: MetricsRegistry;
  log?: Logger;
}

/**
 * The Bun gateway's background batcher: the route returns 202 as soon as events are queued; a
 * single flush loop publishes by size or time. A failed batch is retried with backoff and never
 * dropped; a full queue answers with backpressure instead of growing without bound.
 */
export class BatchingSink implements EventSink {
  private queue: OutboundRecord[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private flushing: Promise<void> | undefined;
  private backoffMs = 0;
  /** Failed publishes since the last success: the first is logged, then one line per backoff step. */
  private failedAttempts = 0;
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;
  private readonly maxQueued: number;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly log: Logger;

  constructor(
    private readonly publisher: Publisher,
    private readonly options: BatchingSinkOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 1000;
    this.maxDelayMs = options.maxDelayMs ?? 50;
    this.maxQueued = options.maxQueued ?? 200_000;
    this.minBackoffMs = options.minBackoffMs ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 5_000;
    this.log = options.log ?? defaultLogger;
    options.metrics?.collect((m) => m.set("widegate_publish_queue_depth", {}, this.queue.length, "Events accepted and not yet published"));
  }

  get depth(): number {
    return this.queue.length;
  }

  room(count: number): SubmitResult {
    if (this.queue.length + count <= this.maxQueued) return { ok: true };
    return {
      ok: false,
      retryAfterSeconds: Math.max(1, Math.ceil(this.backoffMs / 1000)),
      reason: `publish queue full (${this.queue.length} events)`,
    };
  }

  submit(events: OutboundRecord[]): SubmitResult {
    if (events.length === 0) return { ok: true };
    const room = this.room(events.length);
    if (!room.ok) return room;
    for (const event of events) this.queue.push(event);
    this.schedule(this.queue.length >= this.maxBatch ? 0 : this.maxDelayMs);
    return { ok: true };
  }

  private schedule(delayMs: number): void {
    if (this.timer !== undefined || this.flushing) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delayMs);
  }

  /** Publishes until the queue is empty or a publish fails (then retries later with backoff). */
  private flush(): Promise<void> {
    this.flushing ??= this.run().finally(() => {
      this.flushing = undefined;
      if (this.queue.length > 0) this.schedule(this.backoffMs || (this.queue.length >= this.maxBatch ? 0 : this.maxDelayMs));
    });
    return this.flushing;
  }

  private async run(): Promise<void> {
    const metrics = this.options.metrics;
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, this.maxBatch);
      try {
        await this.publisher.publish(batch);
        this.queue.splice(0, batch.length);
        if (this.failedAttempts > 0) {
          this.log.info(`publish via ${this.publisher.name} recovered after ${this.failedAttempts} failed attempts`);
        }
        this.failedAttempts = 0;
        this.backoffMs = 0;
        metrics?.inc("widegate_publish_events_total", { publisher: this.publisher.name, result: "ok" }, batch.length);
      } catch (error) {
        const previous = this.backoffMs;
        this.backoffMs = Math.min(this.maxBackoffMs, Math.max(this.minBackoffMs, this.backoffMs * 2));
        this.failedAttempts++;
        metrics?.inc("widegate_publish_failures_total", { publisher: this.publisher.name });
        // A down publisher fails every backoff period: log each new delay, not every attempt at the longest one.
        if (this.backoffMs !== previous) {
          this.log.warn(
            `publish via ${this.publisher.name} failed (attempt ${this.failedAttempts}, ${this.queue.length} events queued), retrying in ${this.backoffMs} ms: ${(error as Error).message}`,
          );
        }
        return;
      }
    }
  }

  async drain(deadlineMs = 10_000): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const deadline = Date.now() + deadlineMs;
    while (this.queue.length > 0 && Date.now() < deadline) {
      await this.flush();
      if (this.queue.length > 0) await new Promise((r) => setTimeout(r, Math.min(this.backoffMs || 10, deadline - Date.now())));
    }
    if (this.queue.length > 0) throw new Error(`${this.queue.length} events still unpublished after ${deadlineMs} ms`);
  }
}
