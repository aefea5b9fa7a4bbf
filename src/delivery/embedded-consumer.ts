import { isRollupDelta } from "../domain/rollup/rollup.ts";
import { defaultLogger, type Logger } from "../log/logger.ts";
import type { MetricsRegistry } from "../metrics/registry.ts";
import type { EventStore } from "../ports/event-store.ts";
import type { LocalQueue, OutboundRecord } from "../ports/publisher.ts";
import { StoreWriter } from "./store-writer.ts";

export interface EmbeddedConsumerOptions {
  batchSize?: number;
  intervalMs?: number;
  /** After stop(), how long a down store may be retried before the rest stays queued (default 10 s). */
  stopGraceMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  metrics?: MetricsRegistry;
  log?: Logger;
}

/**
 * The all-in-one server's stand-in for Kafka + worker: drains the memory queue into the event
 * store through the same StoreWriter as the worker (outages retried with backoff, every event
 * accounted for). An event the healthy store refuses goes back to the queue and is retried on
 * the next pass: with no dead-letter topic here, nothing accepted is ever dropped.
 */
export class EmbeddedConsumer {
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<void> | undefined;
  private stopDeadline = Number.POSITIVE_INFINITY;
  private readonly batchSize: number;
  private readonly intervalMs: number;
  private readonly writer: StoreWriter;
  private readonly log: Logger;

  constructor(
    private readonly queue: LocalQueue,
    store: EventStore,
    private readonly options: EmbeddedConsumerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 1000;
    this.intervalMs = options.intervalMs ?? 200;
    this.log = options.log ?? defaultLogger;
    const minBackoffMs = options.minBackoffMs ?? 100;
    this.writer = new StoreWriter(store, {
      path: "embedded",
      ...(options.metrics ? { metrics: options.metrics } : {}),
      minBackoffMs,
      maxBackoffMs: options.maxBackoffMs ?? 5_000,
      shouldAbort: () => Date.now() > this.stopDeadline,
      onRetry: ({ error, backoffMs, outage }) => {
        // The first retry of a write logs; the counts of the rest are in widegate_store_write_retries_total.
        if (backoffMs === minBackoffMs) {
          this.log.warn(`embedded consumer: store ${outage ? "unavailable" : "refused a write"}, retrying with backoff: ${error.message}`);
        }
      },
    });
    options.metrics?.collect((m) => m.set("widegate_embedded_queue_depth", {}, queue.depth, "Events kept and not yet in the store"));
  }

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.intervalMs);
  }

  /** One pass; concurrent calls share the pass in flight. */
  tick(): Promise<void> {
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async drain(): Promise<void> {
    while (this.queue.depth > 0) {
      const batch = this.queue.take(this.batchSize);
      const outcome = await this.writer.write(batch);
      if (outcome.aborted) {
        this.queue.requeue(batch); // ids make the rewrite of any part already stored a duplicate
        return;
      }
      if (outcome.rejected.length > 0) {
        const refused = outcome.rejected.map(({ index }) => batch[index]).filter((e): e is OutboundRecord => e !== undefined);
        this.queue.requeue(refused);
        this.log.error(
          `embedded consumer: the store refused ${refused.length} event(s) (first: ${describe(refused[0])}: ${outcome.rejected[0]?.reason}); kept queued`,
        );
        return;
      }
    }
  }

  /** Stops the timer and writes everything still queued, retrying a down store for at most stopGraceMs. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopDeadline = Date.now() + (this.options.stopGraceMs ?? 10_000);
    await this.running;
    await this.tick();
    if (this.queue.depth > 0) this.log.error(`embedded consumer: ${this.queue.depth} events not written at shutdown`);
  }
}

const describe = (record: OutboundRecord | undefined): string =>
  record === undefined ? "none" : isRollupDelta(record) ? `rollup delta ${record.id}` : record.eventId;
