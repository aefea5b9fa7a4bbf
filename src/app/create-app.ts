import { Hono } from "hono";
import { jsonError } from "./errors.ts";
import { healthRoutes } from "./routes/health.ts";
import type { AppDeps, AppEnv } from "./types.ts";

/** The one Hono app, the same on Bun and on Workers; entries only build `deps`. */
export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set("config", deps.config);
    c.set("adapters", deps.adapters);
    await next();
  });
  app.route("/", healthRoutes(deps.adapters.all, deps.isDraining ?? (() => false)));
  app.notFound((c) => jsonError(c, 404, "NOT_FOUND", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`));
  app.onError((error, c) => {
    console.error(`unhandled error on ${c.req.method} ${c.req.path}:`, error);
    return jsonError(c, 500, "INTERNAL", "internal error");
  });
  return app;
}

export type App = ReturnType<typeof createApp>;
