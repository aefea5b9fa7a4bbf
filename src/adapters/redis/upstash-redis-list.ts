import { Redis } from "@upstash/redis";

/**
 * Appends at most `ARGV[1] - LLEN` of the given values, atomically, so concurrent isolates can
 * never push the list past its bound. Pushes in slices: Lua's unpack has a small stack.
 */
const PUSH_BOUNDED = `
local room = tonumber(ARGV[1]) - redis.call('LLEN', KEYS[1])
local n = #ARGV - 1
if room < n then n = room end
if n <= 0 then return 0 end
for i = 2, n + 1, 500 do
  redis.call('RPUSH', KEYS[1], unpack(ARGV, i, math.min(i + 499, n + 1)))
end
return n`;

/** Takes or renews the lease when it is free or already ours; 1 when we hold it. */
const CLAIM = `
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface UpstashRedisListOptions {
  url: string;
  token: string;
  key: string;
  /** Per REST request; the Redis client aborts it after this long. */
  requestTimeoutMs?: number;
  /** Retries of a request after a network error (the client's own backoff). */
  retries?: number;
}

/**
 * One Redis list over Upstash's REST API (plain fetch: Workers and Bun). Values are stored as
 * given (no base64, no JSON guessing) so what the gateway pushed is exactly what the drainer reads.
 */
export class UpstashRedisList {
  readonly key: string;
  private readonly redis: Redis;

  constructor(options: UpstashRedisListOptions) {
    this.key = options.key;
    const timeoutMs = options.requestTimeoutMs ?? 5000;
    this.redis = new Redis({
      url: options.url,
      token: options.token,
      responseEncoding: false,
      automaticDeserialization: false,
      retry: { retries: options.retries ?? 1, backoff: (n) => 100 * 2 ** n },
      signal: () => AbortSignal.timeout(timeoutMs),
    });
  }

  /** Appends values in order up to `max` entries in the list; returns how many were appended (the first ones). */
  async pushBounded(values: readonly string[], max: number): Promise<number> {
    if (values.length === 0) return 0;
    const appended: unknown = await this.redis.eval(PUSH_BOUNDED, [this.key], [String(max), ...values]);
    return Number(appended);
  }

  /** The first `count` entries, oldest first. */
  async head(count: number): Promise<string[]> {
    return (await this.redis.lrange(this.key, 0, count - 1)).map(String);
  }

  /** Removes the first `count` entries (only the drainer removes, only from the head, so these are the ones it read). */
  async dropHead(count: number): Promise<void> {
    await this.redis.ltrim(this.key, count, -1);
  }

  /** Holds `<key>:drainer` for `ttlMs` (taken when free, renewed when ours): one drainer per list. */
  async claim(owner: string, ttlMs: number): Promise<boolean> {
    return Number(await this.redis.eval(CLAIM, [`${this.key}:drainer`], [owner, String(ttlMs)])) === 1;
  }

  async release(owner: string): Promise<void> {
    await this.redis.eval(RELEASE, [`${this.key}:drainer`], [owner]);
  }

  async length(): Promise<number> {
    return Number(await this.redis.llen(this.key));
  }
}
