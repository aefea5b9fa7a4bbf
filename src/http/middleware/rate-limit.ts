import type { Context, MiddlewareHandler } from "hono";
import { murmur3_128hex } from "../../domain/hash/murmur3.ts";
import { type Rate, TokenBuckets } from "../../domain/ratelimit/token-bucket.ts";
import type { MetricsRegistry } from "../../metrics/registry.ts";
import { jsonError } from "../errors.ts";

export interface RateLimitOptions {
  /** Requests per window per API key; undefined turns the middleware into a pass-through. */
  rate?: Rate;
  /** What the limit is for, named in the 429 and the metric: `ingest` or `query`. */
  scope: string;
  /** The same key → tenant map as apiKeyAuth: only keys that will pass auth get a bucket. */
  keys?: ReadonlyMap<string, string>;
  /**
   * Requests that also draw from a per-tenant bucket of the same rate (text searches): a tenant
   * holding many keys still cannot scan more than one key's worth.
   */
  perTenant?: (c: Context) => boolean;
  metrics?: MetricsRegistry;
  now?: () => number;
}

/**
 * Token-bucket rate limit per API key, answered `429 RATE_LIMITED` with `Retry-After` (seconds).
 * Buckets live in this process (on Workers: in this isolate, so a deployment of N isolates admits
 * up to N times the rate). Unknown or missing keys pass through for apiKeyAuth to refuse, so they
 * cannot fill the bucket table; in open dev mode every caller shares the `default` tenant's bucket.
 *
 * @example app.on("POST", ["/v1/events", "/v1/logs"], rateLimit({ rate: config.RATE_LIMIT_INGEST, scope: "ingest", keys }))
 */
export const rateLimit = (options: RateLimitOptions): MiddlewareHandler => {
  const { rate, scope, keys, metrics } = options;
  if (rate === undefined)
    return async function noRateLimit(_c, next) {
      await next();
    };
  const clock = options.now ? { now: options.now } : {};
  const byKey = new TokenBuckets(rate, clock);
  const byTenant = new TokenBuckets(rate, clock);
  metrics?.define(
    "widegate_rate_limited_total",
    "counter",
    "Requests refused with 429 by RATE_LIMIT_INGEST / RATE_LIMIT_QUERY, by scope and bucket",
  );
  return async function rateLimitMiddleware(c, next) {
    let tenant = "default";
    let id = "open";
    if (keys) {
      const key = presentedKey(c);
      const known = key === undefined ? undefined : keys.get(key);
      if (key === undefined || known === undefined) return next(); // auth answers 401
      tenant = known;
      id = murmur3_128hex(key); // the table never holds a key itself
    }
    const refused = firstRefusal(byKey.take(`${scope}:${id}`), options.perTenant?.(c) ? byTenant.take(`${scope}:${tenant}`) : undefined);
    if (refused === null) return next();
    metrics?.inc("widegate_rate_limited_total", { scope, bucket: refused.bucket });
    const seconds = Math.max(1, Math.ceil(refused.retryAfterMs / 1000));
    c.header("Retry-After", String(seconds));
    const whose = refused.bucket === "key" ? "this API key" : "this tenant's text searches";
    return jsonError(
      c,
      429,
      "RATE_LIMITED",
      `${scope} rate limit of ${rate.limit} per ${rate.windowMs / 1000} s reached for ${whose}; retry after ${seconds} s`,
    );
  };
};

function firstRefusal(
  key: ReturnType<TokenBuckets["take"]>,
  tenant: ReturnType<TokenBuckets["take"]> | undefined,
): { bucket: "key" | "tenant"; retryAfterMs: number } | null {
  if (!key.ok) return { bucket: "key", retryAfterMs: key.retryAfterMs };
  if (tenant !== undefined && !tenant.ok) return { bucket: "tenant", retryAfterMs: tenant.retryAfterMs };
  return null;
}

/** The key as apiKeyAuth reads it: `Authorization: Bearer <key>`, else `X-API-Key`. */
function presentedKey(c: Context): string | undefined {
  const header = c.req.header("authorization");
  const key = header?.toLowerCase().startsWith("bearer ") ? header.slice(7).trim() : c.req.header("x-api-key")?.trim();
  return key === "" ? undefined : key;
}
