import { RedisRateLimiter, type RedisRateLimiterOptions } from "./redis-rate-limit.ts";
import { UpstashEval } from "./upstash-redis.ts";

/** RATE_LIMIT_STORE=upstash: buckets shared over Upstash's REST API (plain fetch, so Workers and Bun). */
export function createUpstashRateLimiter(url: string, token: string, options: RedisRateLimiterOptions = {}): RedisRateLimiter {
  return new RedisRateLimiter("rate-limit:upstash", new UpstashEval(url, token), options);
}
