import type { MetricsRegistry } from "../metrics/registry.ts";

/** Declares the worker's metrics so a scrape shows them (at 0) before the first batch. */
export function defineWorkerMetrics(metrics: MetricsRegistry): void {
  metrics.define(
    "widegate_worker_messages_total",
    "counter",
    "Messages handled, by result: stored, duplicate (already stored), dead_lettered",
  );
  metrics.define("widegate_worker_batches_total", "counter", "Batches made durable and committed");
  metrics.define(
    "widegate_worker_store_retries_total",
    "counter",
    "Store writes retried: outage (store down) or refused (isolating a bad event)",
  );
  metrics.define("widegate_worker_dlq_retries_total", "counter", "Dead-letter produces retried");
  metrics.define("widegate_worker_commit_failures_total", "counter", "Offset commits that failed after the batch was durable");
  metrics.define("widegate_worker_paused", "gauge", "1 while consumption is paused waiting for the store");
  metrics.define("widegate_worker_consumer_lag", "gauge", "Messages not yet committed, per partition this member holds (0 once revoked)");
  metrics.define("widegate_worker_consumer_lag_sum", "gauge", "Sum of widegate_worker_consumer_lag over this member's partitions");
  metrics.define("widegate_worker_assigned_partitions", "gauge", "Partitions this member holds");
  metrics.define("widegate_worker_last_commit_timestamp_seconds", "gauge", "When offsets were last committed");
}

/** Per-partition lag gauges; a partition that moved to another member drops to 0 so sums across members stay right. */
export class LagGauges {
  private seen = new Set<string>();

  constructor(private readonly metrics: MetricsRegistry) {}

  update(lags: ReadonlyArray<{ topic: string; partition: number; lag: number }>): void {
    const now = new Set<string>();
    let sum = 0;
    for (const { topic, partition, lag } of lags) {
      const key = `${topic}\u0000${partition}`;
      now.add(key);
      sum += lag;
      this.metrics.set("widegate_worker_consumer_lag", { topic, partition: String(partition) }, lag);
    }
    for (const key of this.seen) {
      if (now.has(key)) continue;
      const [topic = "", partition = ""] = key.split("\u0000");
      this.metrics.set("widegate_worker_consumer_lag", { topic, partition }, 0);
    }
    this.seen = now;
    this.metrics.set("widegate_worker_consumer_lag_sum", {}, sum);
  }
}
