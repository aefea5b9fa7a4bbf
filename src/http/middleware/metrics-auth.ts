import type { MiddlewareHandler } from "hono";
import { jsonError } from "../errors.ts";
import { keyMatcher, presentedKey } from "./api-key.ts";

export interface MetricsAuthOptions {
  /** METRICS_API_KEY: the operator keys (plain or `sha256:<hex>`). */
  operatorKeys?: readonly string[];
  /** True when INGEST_API_KEYS or QUERY_API_KEYS is set: the gateway is not in open dev mode. */
  tenantKeysConfigured: boolean;
}

/**
 * Guards the gateway-wide counters (`/metrics`, the worker's relayed series). They carry no tenant
 * label, but their totals are every tenant's together: a tenant knowing its own volume would read
 * the others' off them. So once tenants have keys, only an operator key opens them; ingest and
 * query keys do not. In open dev mode (no keys anywhere) they stay open, like every other route.
 */
export const metricsAuth = (options: MetricsAuthOptions): MiddlewareHandler => {
  const keys = options.operatorKeys;
  const match = keys ? keyMatcher(new Map(keys.map((key) => [key, "operator"]))) : undefined;
  const open = !match && !options.tenantKeysConfigured;
  return async function metricsAuthMiddleware(c, next) {
    if (open) return next();
    if (!match) {
      return jsonError(c, 401, "UNAUTHORIZED", "the gateway's metrics need an operator key and none is configured (set METRICS_API_KEY)");
    }
    const key = presentedKey((name) => c.req.header(name));
    if (!key) return jsonError(c, 401, "UNAUTHORIZED", "missing metrics API key (Authorization: Bearer <METRICS_API_KEY> or X-API-Key)");
    if (match(key) === undefined) {
      return jsonError(c, 401, "UNAUTHORIZED", "invalid metrics API key (ingest and query keys do not open the gateway's metrics)");
    }
    return next();
  };
};
