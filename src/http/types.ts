import type { Config } from "../config/schema.ts";
import type { EventSink } from "../delivery/sink.ts";
import type { IngestSetup } from "../ingest/ingest-setup.ts";
import type { MetricsRegistry } from "../metrics/registry.ts";
import type { Adapters } from "../ports/adapters.ts";

/** What the app is built from: typed config, the adapters the factory chose, and the runtime's sink. */
export interface AppDeps {
  config: Config;
  adapters: Adapters;
  /** Where kept events go after the 202: a background batcher on Bun, waitUntil on Workers. */
  sink: EventSink;
  metrics: MetricsRegistry;
  /** Built by the entry when it also flushes rollups on a timer (Bun); else createApp builds one. */
  setup?: IngestSetup;
  /** Who publishes rollup counts: each request with its events (default; Workers), or the entry's RollupFlusher. */
  rollupsFlushedBy?: "request" | "timer";
  /** Asked before each ingest request (Workers): a reason to answer 503 for now, e.g. the last publish was lost. */
  ingestGate?: () => Promise<{ retryAfterSeconds: number; message: string } | undefined>;
  /** True once shutdown has begun: /readyz answers 503 so load balancers stop sending. */
  isDraining?: () => boolean;
}

export interface AppEnv {
  Variables: {
    config: Config;
    adapters: Adapters;
  };
}
