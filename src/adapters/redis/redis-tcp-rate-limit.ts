// Bun-only: Redis over TCP. Reached through the Bun runtime's module table, never from the Workers bundle.

import { RedisRateLimiter, type RedisRateLimiterOptions } from "./redis-rate-limit.ts";
import { BunRedisEval } from "./redis-tcp.ts";

export interface RedisTcpRateLimitOptions extends RedisRateLimiterOptions {
  connectTimeoutMs?: number;
}

/** RATE_LIMIT_STORE=redis: buckets shared by every process using REDIS_URL. */
export function createRedisTcpRateLimiter(url: string, options: RedisTcpRateLimitOptions = {}): RedisRateLimiter {
  return new RedisRateLimiter("rate-limit:redis", new BunRedisEval(url, options.connectTimeoutMs ?? 1000), options);
}
