import { Hono } from "hono";
import type { MetricsRegistry } from "../metrics/registry.ts";
import type { EventStore } from "../ports/event-store.ts";
import type { BatchSource } from "./batch-source.ts";
import type { EventWorker } from "./event-worker.ts";

export interface WorkerHttpOptions {
  worker: EventWorker;
  source: BatchSource;
  store: EventStore;
  metrics: MetricsRegistry;
}

/** The worker's small HTTP surface: /healthz (the loop runs), /readyz (store answers), /metrics (Prometheus text). */
export function workerHttp({ worker, source, store, metrics }: WorkerHttpOptions) {
  return new Hono()
    .get("/healthz", (c) => c.json({ status: worker.state === "running" ? "ok" : worker.state }, worker.state === "running" ? 200 : 503))
    .get("/readyz", async (c) => {
      const storeStatus = await store.health().catch((error: unknown) => ({ ok: false, detail: (error as Error).message }));
      const kafka = { ok: worker.state === "running", detail: `${source.assigned()} partition(s) assigned` };
      const ok = storeStatus.ok && kafka.ok;
      return c.json({ status: ok ? "ready" : "unavailable", checks: { kafka, [store.name]: storeStatus } }, ok ? 200 : 503);
    })
    .get("/metrics", (c) => c.text(metrics.render(), 200, { "content-type": "text/plain; version=0.0.4" }));
}
