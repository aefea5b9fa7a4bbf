import type { Rate, RateLimiter, TakeResult } from "../../ports/rate-limit.ts";
import type { RedisEval } from "./redis-session-cache.ts";

/**
 * The token bucket of src/domain/ratelimit/token-bucket.ts as one Lua script: read, refill, take
 * and write happen inside one EVAL, so processes and isolates sharing the Redis share each bucket
 * without races. The clock is Redis's own (TIME), so callers' clocks need not agree. The hash
 * expires one window after its last use: by then it would have refilled to full anyway.
 * Returns {1, remaining} or {0, retryAfterMs}.
 */
export const TAKE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local perMs = limit / window
local state = redis.call('HMGET', KEYS[1], 't', 'a')
local tokens = limit
if state[1] and state[2] then
  tokens = math.min(limit, tonumber(state[1]) + math.max(0, now - tonumber(state[2])) * perMs)
end
local ok = tokens >= cost
if ok then tokens = tokens - cost end
redis.call('HSET', KEYS[1], 't', string.format('%.17g', tokens), 'a', tostring(now))
redis.call('PEXPIRE', KEYS[1], window)
if ok then return {1, math.floor(tokens)} end
return {0, math.ceil((cost - tokens) / perMs)}`;

export interface RedisRateLimiterOptions {
  /** Key prefix, so several deployments can share one Redis. */
  prefix?: string;
}

/** RATE_LIMIT_STORE=redis|upstash over any client that can EVAL. Rejects when Redis cannot be reached. */
export class RedisRateLimiter implements RateLimiter {
  private readonly prefix: string;

  constructor(
    readonly name: string,
    private readonly redis: RedisEval,
    options: RedisRateLimiterOptions = {},
  ) {
    this.prefix = options.prefix ?? "widegate:ratelimit";
  }

  async take(key: string, rate: Rate, cost = 1): Promise<TakeResult> {
    // The rate is part of the key: a deployment that changes its limit starts fresh buckets.
    const redisKey = `${this.prefix}:${rate.limit}/${rate.windowMs}:${key}`;
    const reply = await this.redis.eval(TAKE_SCRIPT, [redisKey], [String(rate.limit), String(rate.windowMs), String(cost)]);
    if (!Array.isArray(reply) || reply.length !== 2) throw new Error(`${this.name}: unexpected reply ${JSON.stringify(reply)}`);
    const [ok, value] = [Number(reply[0]), Number(reply[1])];
    if (!Number.isFinite(value)) throw new Error(`${this.name}: unexpected reply ${JSON.stringify(reply)}`);
    return ok === 1 ? { ok: true, remaining: value } : { ok: false, retryAfterMs: value };
  }

  async close(): Promise<void> {
    await this.redis.close();
  }
}
