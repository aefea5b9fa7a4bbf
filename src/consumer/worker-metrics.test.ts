import { expect, test } from "bun:test";
import { MetricsRegistry } from "../metrics/registry.ts";
import { defineWorkerMetrics, LagGauges } from "./worker-metrics.ts";

test("lag per partition and its sum; a partition that moved away drops to 0", () => {
  const metrics = new MetricsRegistry();
  defineWorkerMetrics(metrics);
  const gauges = new LagGauges(metrics);
  gauges.update([
    { topic: "wide-events", partition: 0, lag: 5 },
    { topic: "wide-events", partition: 1, lag: 7 },
  ]);
  expect(metrics.value("widegate_worker_consumer_lag_sum")).toBe(12);
  gauges.update([{ topic: "wide-events", partition: 1, lag: 2 }]);
  expect(metrics.value("widegate_worker_consumer_lag", { topic: "wide-events", partition: "0" })).toBe(0);
  expect(metrics.value("widegate_worker_consumer_lag", { topic: "wide-events", partition: "1" })).toBe(2);
  expect(metrics.value("widegate_worker_consumer_lag_sum")).toBe(2);
  expect(metrics.render()).toContain('widegate_worker_consumer_lag{partition="1",topic="wide-events"} 2');
});
