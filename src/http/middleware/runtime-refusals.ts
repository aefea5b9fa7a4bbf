import type { MiddlewareHandler } from "hono";
import type { MetricsRegistry } from "../../metrics/registry.ts";
import type { Refusals } from "../../ports/adapters.ts";
import { jsonError } from "../errors.ts";

export interface RuntimeRefusalsOptions {
  /** What this runtime cannot do with the configuration (the factory's `adapters.refused`). */
  refused?: Refusals;
  /** Asked before each ingest request: a reason to answer 503 for now (e.g. the last publish was lost). */
  ingestGate?: () => Promise<{ retryAfterSeconds: number; message: string } | undefined>;
  metrics?: MetricsRegistry;
}

const INGEST = new Set(["/v1/events", "/v1/logs"]);
/** The routes that need the store: query, event lookup, search and its sessions (all the dashboard's data). */
export const isReadRoute = (method: string, path: string): boolean =>
  (method === "GET" && path === "/v1/events") || path === "/v1/query" || path === "/v1/search" || path.startsWith("/v1/search/");

/**
 * Answers what cannot work before any handler runs: ingest with 503 (the publisher named, so the
 * client retries and nothing is accepted to be lost), reads with 501 (the store named, never a
 * number computed without it). Ingest and reads are refused apart; /healthz is never touched.
 *
 * @example app.use(runtimeRefusals({ refused: adapters.refused, ingestGate: () => sink.refusal() }))
 */
export const runtimeRefusals = (options: RuntimeRefusalsOptions = {}): MiddlewareHandler => {
  const { refused = {}, ingestGate, metrics } = options;
  return async function runtimeRefusalsMiddleware(c, next) {
    const path = c.req.path;
    if (c.req.method === "POST" && INGEST.has(path)) {
      const route = path.slice(4);
      if (refused.ingest) {
        metrics?.inc("widegate_ingest_requests_total", { route, status: "503" });
        return jsonError(c, 503, "PUBLISHER_UNSUPPORTED", refused.ingest);
      }
      const closed = await ingestGate?.();
      if (closed) {
        metrics?.inc("widegate_ingest_requests_total", { route, status: "503" });
        c.header("Retry-After", String(closed.retryAfterSeconds));
        return jsonError(c, 503, "PUBLISH_FAILING", `${closed.message}; nothing was accepted, retry after ${closed.retryAfterSeconds} s`);
      }
    } else if (refused.reads && isReadRoute(c.req.method, path)) {
      return jsonError(c, 501, "READS_NOT_SERVED", refused.reads);
    }
    return next();
  };
};
