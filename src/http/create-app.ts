import { Hono } from "hono";
import { createIngestSetup } from "../ingest/ingest-setup.ts";
import { allowedMethods } from "./allowed-methods.ts";
import { jsonError } from "./errors.ts";
import { dashboardRoutes } from "./routes/dashboard.ts";
import { eventsRoutes } from "./routes/events.ts";
import { healthRoutes } from "./routes/health.ts";
import { ingestRoutes } from "./routes/ingest.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { queryRoutes } from "./routes/query.ts";
import { searchRoutes } from "./routes/search.ts";
import type { AppDeps, AppEnv } from "./types.ts";

/** The one Hono app, the same on Bun and on Workers; entries only build `deps`. */
export function createApp(deps: AppDeps) {
  const { config, adapters, metrics } = deps;
  const setup = deps.setup ?? createIngestSetup(config, metrics);
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set("config", config);
    c.set("adapters", adapters);
    await next();
  });
  app.route("/", healthRoutes(adapters.all, deps.isDraining ?? (() => false)));
  app.route("/", metricsRoutes(metrics));
  app.route(
    "/",
    ingestRoutes({
      ingestKeys: config.INGEST_API_KEYS,
      setup,
      sink: deps.sink,
      metrics,
      ...(deps.rollupsFlushedBy ? { rollupsFlushedBy: deps.rollupsFlushedBy } : {}),
    }),
  );
  app.route("/", queryRoutes({ queryKeys: config.QUERY_API_KEYS, store: adapters.eventStore }));
  app.route("/", eventsRoutes({ queryKeys: config.QUERY_API_KEYS, store: adapters.eventStore }));
  app.route("/", searchRoutes(deps));
  app.route("/", dashboardRoutes());
  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    const allowed = allowedMethods(path);
    if (allowed === null) return jsonError(c, 404, "NOT_FOUND", `no route for ${c.req.method} ${path}`);
    c.header("Allow", allowed.join(", "));
    return jsonError(c, 405, "METHOD_NOT_ALLOWED", `${c.req.method} is not allowed on ${path}; use ${allowed.join(", ")}`);
  });
  app.onError((error, c) => {
    console.error(`unhandled error on ${c.req.method} ${c.req.path}:`, error);
    return jsonError(c, 500, "INTERNAL", "internal error");
  });
  return app;
}

export type App = ReturnType<typeof createApp>;
