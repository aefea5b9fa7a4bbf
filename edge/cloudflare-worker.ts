// Cloudflare Workers entry: builds adapters once per isolate from the Worker's env and serves the shared app.
import type { ExecutionContext } from "hono";
import { ConfigError, parseConfig } from "../src/config/schema.ts";
import { WaitUntilSink } from "../src/delivery/wait-until-sink.ts";
import { createAdapters } from "../src/factory/create-adapters.ts";
import { createApp } from "../src/http/create-app.ts";
import eventsJsonSkimmer from "../src/ingest/events-json.wasm";
import { useEventsJsonModule } from "../src/ingest/events-json-wasm.ts";
import otlpJsonReader from "../src/ingest/otlp-json.wasm";
import { useOtlpJsonModule } from "../src/ingest/otlp-json-wasm.ts";
import { defaultLogger } from "../src/log/logger.ts";
import { MetricsRegistry } from "../src/metrics/registry.ts";

type App = ReturnType<typeof createApp>;
let app: Promise<App> | undefined;

async function build(env: Record<string, unknown>): Promise<App> {
  // A Worker serves no reads, so read-side requirements (MONGODB_URI, …) are not checked here.
  const config = parseConfig(env, { servesReads: false });
  const metrics = new MetricsRegistry();
  // The OTLP/JSON reader and the events skimmer, compiled by wrangler at deploy (a Worker cannot compile WebAssembly bytes).
  useOtlpJsonModule(otlpJsonReader);
  useEventsJsonModule(eventsJsonSkimmer);
  const adapters = await createAdapters(config, { runtime: "workerd" }, { metrics });
  // Settings a Worker cannot honour answer at the first request, each with its one line.
  if (adapters.refused?.ingest) console.error(adapters.refused.ingest);
  const sink = new WaitUntilSink(adapters.publisher, metrics, 4, defaultLogger, { budgetMs: 20_000, coolDownMs: 10_000 });
  return createApp({ config, adapters, sink, metrics, ingestGate: () => sink.refusal() });
}

export default {
  async fetch(request: Request, env: Record<string, unknown>, ctx: ExecutionContext): Promise<Response> {
    app ??= build(env).catch((error: unknown) => {
      app = undefined; // let the next request retry after a fixed deploy
      throw error;
    });
    try {
      return (await app).fetch(request, env, ctx);
    } catch (error) {
      // A Worker has no start-up to stop, so a bad var answers every request with the one line naming it.
      if (!(error instanceof ConfigError)) throw error;
      console.error(error.message);
      return Response.json({ error: { code: "CONFIG", message: error.message } }, { status: 500 });
    }
  },
};
