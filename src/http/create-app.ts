import { Hono } from "hono";
import { createIngestSetup } from "../ingest/ingest-setup.ts";
import { RefusedReadError } from "../ports/refused-read.ts";
import { allowedMethods } from "./allowed-methods.ts";
import { jsonError } from "./errors.ts";
import { forwardReads } from "./middleware/forward-reads.ts";
import { metricsAuth } from "./middleware/metrics-auth.ts";
import { rateLimit } from "./middleware/rate-limit.ts";
import { runtimeRefusals } from "./middleware/runtime-refusals.ts";
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
  // Where reads are not served here (Workers), QUERY_API_URL serves them; unset, they answer 501 below.
  if (adapters.refused?.reads && config.QUERY_API_URL) {
    app.use(forwardReads({ upstream: config.QUERY_API_URL, timeoutMs: config.QUERY_API_TIMEOUT_MS, metrics }));
  }
  if (adapters.refused || deps.ingestGate) {
    app.use(
      runtimeRefusals({
        ...(adapters.refused ? { refused: adapters.refused } : {}),
        ...(deps.ingestGate ? { ingestGate: deps.ingestGate } : {}),
        metrics,
      }),
    );
  }
  // Rate limits run before the routes' own auth; they only count keys that auth will accept.
  const limiter = adapters.rateLimiter ? { limiter: adapters.rateLimiter } : {};
  const ingestLimit = rateLimit({ rate: config.RATE_LIMIT_INGEST, scope: "ingest", keys: config.INGEST_API_KEYS, metrics, ...limiter });
  const queryLimit = rateLimit({
    rate: config.RATE_LIMIT_QUERY,
    scope: "query",
    keys: config.QUERY_API_KEYS,
    metrics,
    ...limiter,
    perTenant: (c) => c.req.path === "/v1/search" || c.req.query("q") !== undefined,
  });
  app.on("POST", ["/v1/events", "/v1/logs"], ingestLimit);
  app.on("GET", ["/v1/events", "/v1/search/sessions", "/v1/search/sessions/*"], queryLimit);
  app.on("POST", ["/v1/query", "/v1/search"], queryLimit);
  // Gateway-wide counters: operators only once tenants have keys (docs/security.md).
  const operatorOnly = metricsAuth({
    ...(config.METRICS_API_KEY ? { operatorKeys: config.METRICS_API_KEY } : {}),
    tenantKeysConfigured: config.INGEST_API_KEYS !== undefined || config.QUERY_API_KEYS !== undefined,
  });
  app.on("GET", ["/metrics", "/dashboard/worker-metrics"], operatorOnly);
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
  metrics.define("widegate_http_aborted_requests_total", "counter", "Requests whose client closed the connection before the body was read");
  app.onError((error, c) => {
    if (error instanceof RefusedReadError) return jsonError(c, 501, "READS_NOT_SERVED", error.message);
    // A client that hangs up mid-upload is routine, not a fault: one counted line, no stack.
    if (c.req.raw.signal?.aborted || (error as { name?: unknown }).name === "AbortError") {
      metrics.inc("widegate_http_aborted_requests_total", { method: c.req.method });
      console.warn(`request aborted by the client: ${c.req.method} ${c.req.path}`);
      return jsonError(c, 400, "CLIENT_ABORTED", "the client closed the connection before the request was read");
    }
    console.error(`unhandled error on ${c.req.method} ${c.req.path}:`, error);
    return jsonError(c, 500, "INTERNAL", "internal error");
  });
  return app;
}

export type App = ReturnType<typeof createApp>;
