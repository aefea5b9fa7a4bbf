import { defaultLogger, type Logger } from "../log/logger.ts";
import type { MetricsRegistry } from "../metrics/registry.ts";
import type { EventStore } from "../ports/event-store.ts";
import { BatchProcessor } from "./batch-processor.ts";
import type { BatchSource } from "./batch-source.ts";
import type { DeadLetterSink, SourceMessage } from "./messages.ts";
import { defineWorkerMetrics, LagGauges } from "./worker-metrics.ts";

export interface EventWorkerOptions {
  source: BatchSource;
  store: EventStore;
  deadLetters: DeadLetterSink;
  metrics: MetricsRegistry;
  batchSize: number;
  batchMs: number;
  /** After stop(), how long the batch in hand may keep retrying a down store before it is left uncommitted (default 10 s). */
  stopGraceMs?: number;
  /** How often the consumer lag is measured (default 5 s). */
  lagIntervalMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  log?: Logger;
}

export type WorkerState = "idle" | "running" | "stopping" | "stopped";

/**
 * The Kafka → store loop: take a batch (by size or time), make it durable (store, or DLQ for what
 * can never be stored), then commit its offsets. While the store is down the batch is retried and
 * nothing new is taken, so the source's buffer fills and fetching pauses; nothing is committed.
 */
export class EventWorker {
  state: WorkerState = "idle";
  private loop: Promise<void> | undefined;
  private stopDeadline = Number.POSITIVE_INFINITY;
  private lagTimer: ReturnType<typeof setInterval> | undefined;
  private readonly processor: BatchProcessor;
  private readonly lagGauges: LagGauges;
  private readonly log: Logger;

  constructor(private readonly options: EventWorkerOptions) {
    const { metrics } = options;
    this.log = options.log ?? defaultLogger;
    defineWorkerMetrics(metrics);
    this.lagGauges = new LagGauges(metrics);
    this.processor = new BatchProcessor(options.store, options.deadLetters, {
      path: "worker",
      metrics,
      shouldAbort: () => Date.now() > this.stopDeadline,
      ...(options.minBackoffMs === undefined ? {} : { minBackoffMs: options.minBackoffMs }),
      ...(options.maxBackoffMs === undefined ? {} : { maxBackoffMs: options.maxBackoffMs }),
      onRetry: ({ error, backoffMs, outage }) => {
        metrics.inc("widegate_worker_store_retries_total", { kind: outage ? "outage" : "refused" });
        metrics.set("widegate_worker_paused", {}, outage ? 1 : 0);
        this.log.warn(
          `worker: store ${outage ? "unavailable" : "refused a write"}, consumption paused, retrying in ${backoffMs} ms: ${error.message}`,
        );
      },
      onDeadLetterRetry: ({ error, backoffMs }) => {
        metrics.inc("widegate_worker_dlq_retries_total");
        this.log.warn(`worker: DLQ produce failed, retrying in ${backoffMs} ms: ${error.message}`);
      },
    });
    metrics.collect((m) => m.set("widegate_worker_assigned_partitions", {}, options.source.assigned()));
  }

  async start(): Promise<void> {
    await this.options.source.start();
    this.state = "running";
    this.loop = this.run();
    this.lagTimer = setInterval(() => void this.measureLag(), this.options.lagIntervalMs ?? 5000);
  }

  private async run(): Promise<void> {
    const { source, batchSize, batchMs } = this.options;
    while (this.state === "running") {
      const batch = await source.next(batchSize, batchMs);
      if (batch.length > 0) await this.handle(batch);
    }
  }

  private async handle(batch: SourceMessage[]): Promise<void> {
    const { metrics, source } = this.options;
    const outcome = await this.processor.process(batch);
    metrics.set("widegate_worker_paused", {}, 0);
    if (outcome.aborted) {
      this.log.warn(`worker: gave up a batch of ${batch.length} at shutdown; it stays uncommitted and will be redelivered`);
      return;
    }
    metrics.inc("widegate_worker_batches_total");
    metrics.inc("widegate_worker_messages_total", { result: "stored" }, outcome.stored);
    metrics.inc("widegate_worker_messages_total", { result: "duplicate" }, outcome.duplicates);
    metrics.inc("widegate_worker_messages_total", { result: "dead_lettered" }, outcome.deadLettered);
    try {
      await source.commit(outcome.offsets);
      metrics.set("widegate_worker_last_commit_timestamp_seconds", {}, Date.now() / 1000);
    } catch (error) {
      // Durable already: a lost commit only means a redelivery, which the store absorbs by eventId.
      metrics.inc("widegate_worker_commit_failures_total");
      this.log.warn(`worker: commit failed (the batch is stored and will be redelivered): ${(error as Error).message}`);
    }
  }

  private async measureLag(): Promise<void> {
    try {
      this.lagGauges.update(await this.options.source.lag());
    } catch (error) {
      this.options.metrics.inc("widegate_worker_lag_errors_total");
      this.log.warn(`worker: could not measure consumer lag: ${(error as Error).message}`);
    }
  }

  /** Finishes the batch in hand (retrying a down store for at most stopGraceMs), commits it, leaves the group. */
  async stop(): Promise<void> {
    if (this.state !== "running") return;
    this.state = "stopping";
    this.stopDeadline = Date.now() + (this.options.stopGraceMs ?? 10_000);
    clearInterval(this.lagTimer);
    this.options.source.interrupt();
    await this.loop;
    await this.options.source.close();
    this.state = "stopped";
  }
}
