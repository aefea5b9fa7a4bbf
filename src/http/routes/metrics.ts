import { Hono } from "hono";
import type { MetricsRegistry } from "../../metrics/registry.ts";

/** GET /metrics in Prometheus text format. */
export function metricsRoutes(metrics: MetricsRegistry) {
  return new Hono().get("/metrics", (c) => c.text(metrics.render(), 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" }));
}
