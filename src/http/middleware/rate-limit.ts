import type { Context, MiddlewareHandler } from "hono";
import { toHex } from "../../domain/hash/sha256.ts";
import { MemoryRateLimiter } from "../../domain/ratelimit/memory-limiter.ts";
import type { Rate, TakeResult } from "../../domain/ratelimit/token-bucket.ts";
import { defaultLogger, type Logger } from "../../log/logger.ts";
import type { MetricsRegistry } from "../../metrics/registry.ts";
import type { RateLimiter } from "../../ports/rate-limit.ts";
import { jsonError } from "../errors.ts";
import { keyMatcher, presentedKey } from "./api-key.ts";

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
  /** RATE_LIMIT_STORE's limiter; default: buckets in this process. */
  limiter?: RateLimiter;
  /** Longest wait for a remote store before the request goes through unlimited. */
  storeTimeoutMs?: number;
  /** At most one "store unreachable" line per this many ms. */
  warnEveryMs?: number;
  /** After a store failure, requests skip the store (unlimited) for this long before it is asked again. */
  retryStoreAfterMs?: number;
  metrics?: MetricsRegistry;
  log?: Logger;
  now?: () => number;
}

type Refusal = { bucket: "key" | "tenant"; retryAfterMs: number };

/**
 * Token-bucket rate limit per API key, answered `429 RATE_LIMITED` with `Retry-After` (seconds).
 * Buckets live where RATE_LIMIT_STORE says: this process (on Workers: this isolate) or a Redis
 * shared by all. A store that fails or is slow never refuses or stalls a request: it goes through
 * unlimited (fail open), counted in widegate_rate_limit_store_errors_total with a warning line at
 * most once per `warnEveryMs`, and the store is left alone for `retryStoreAfterMs`. Unknown or missing keys pass through for apiKeyAuth to refuse, so
 * they cannot fill the buckets; in open dev mode every caller shares the `default` tenant's bucket.
 *
 * @example app.on("POST", ["/v1/events", "/v1/logs"], rateLimit({ rate: config.RATE_LIMIT_INGEST, scope: "ingest", keys }))
 */
export const rateLimit = (options: RateLimitOptions): MiddlewareHandler => {
  const { rate, scope, keys, metrics } = options;
  if (rate === undefined)
    return async function noRateLimit(_c, next) {
      await next();
    };
  const now = options.now ?? Date.now;
  const limiter = options.limiter ?? new MemoryRateLimiter({ now });
  const local = limiter instanceof MemoryRateLimiter ? limiter : undefined;
  const log = options.log ?? defaultLogger;
  const match = keys ? keyMatcher(keys) : undefined;
  const timeoutMs = options.storeTimeoutMs ?? 1000;
  const warnEveryMs = options.warnEveryMs ?? 60_000;
  const retryStoreAfterMs = options.retryStoreAfterMs ?? 5000;
  // While the store is away, requests do not each wait for it to fail (a reconnect can take a second).
  let storeAwayUntil = Number.NEGATIVE_INFINITY;
  let lastWarning = Number.NEGATIVE_INFINITY;
  let unwarned = 0;
  metrics?.define(
    "widegate_rate_limited_total",
    "counter",
    "Requests refused with 429 by RATE_LIMIT_INGEST / RATE_LIMIT_QUERY, by scope and bucket",
  );
  metrics?.define(
    "widegate_rate_limit_store_errors_total",
    "counter",
    "Requests let through unlimited because RATE_LIMIT_STORE failed or was slow, by store and scope",
  );

  const failedOpen = (error: unknown | undefined) => {
    metrics?.inc("widegate_rate_limit_store_errors_total", { store: limiter.name, scope });
    unwarned++;
    const at = now();
    if (error === undefined) return; // skipped while away: counted, not logged
    storeAwayUntil = at + retryStoreAfterMs;
    if (at - lastWarning < warnEveryMs) return;
    lastWarning = at;
    const why = error instanceof Error ? error.message : String(error);
    log.warn(`${limiter.name} unreachable, ${scope} requests pass unlimited (${unwarned} since the last line): ${why}`);
    unwarned = 0;
  };

  return async function rateLimitMiddleware(c, next) {
    let tenant = "default";
    let id = "open";
    if (match) {
      const key = presentedKey((name) => c.req.header(name));
      const known = key === undefined ? undefined : match(key);
      if (known === undefined) return next(); // auth answers 401
      tenant = known.tenant;
      id = toHex(known.digest.subarray(0, 16)); // 128 bits of its SHA-256: no store ever holds a key itself
    }
    const keyBucket = `${scope}:key:${id}`;
    const tenantBucket = options.perTenant?.(c) ? `${scope}:tenant:${tenant}` : undefined;
    let refused: Refusal | null;
    if (local) {
      // In-process buckets answer at once: no promise, no timer on the hot path.
      refused = firstRefusal([local.takeNow(keyBucket, rate), ...(tenantBucket ? [local.takeNow(tenantBucket, rate)] : [])]);
    } else {
      if (now() < storeAwayUntil) {
        failedOpen(undefined);
        return next();
      }
      try {
        const takes = [limiter.take(keyBucket, rate)];
        if (tenantBucket) takes.push(limiter.take(tenantBucket, rate));
        refused = firstRefusal(await withTimeout(Promise.all(takes), timeoutMs, limiter.name));
      } catch (error) {
        failedOpen(error);
        return next();
      }
    }
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

function firstRefusal([key, tenant]: TakeResult[]): Refusal | null {
  if (key !== undefined && !key.ok) return { bucket: "key", retryAfterMs: key.retryAfterMs };
  if (tenant !== undefined && !tenant.ok) return { bucket: "tenant", retryAfterMs: tenant.retryAfterMs };
  return null;
}

function withTimeout<T>(promise: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
