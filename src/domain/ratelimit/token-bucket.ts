/**
 * Token buckets keyed by caller: `limit` tokens at most, refilled evenly over `windowMs`, one taken
 * per request. So `600/1m` allows a burst of 600 and then 10 a second. Pure: the clock is passed in.
 */
export interface Rate {
  limit: number;
  windowMs: number;
}

export type TakeResult = { ok: true; remaining: number } | { ok: false; retryAfterMs: number };

export interface TokenBucketOptions {
  /** Buckets kept at most; the least recently used is forgotten first (it refills to full anyway). */
  maxKeys?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(
    readonly rate: Rate,
    options: TokenBucketOptions = {},
  ) {
    if (!(rate.limit >= 1 && rate.windowMs > 0)) throw new RangeError("a rate needs limit ≥ 1 and windowMs > 0");
    this.perMs = rate.limit / rate.windowMs;
    this.maxKeys = options.maxKeys ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  /** Takes `cost` tokens for `key`, or says how long until they would be there. */
  take(key: string, cost = 1): TakeResult {
    const now = this.now();
    const bucket = this.buckets.get(key);
    let tokens = this.rate.limit;
    if (bucket !== undefined) {
      // A clock that steps back refills nothing rather than draining.
      tokens = Math.min(this.rate.limit, bucket.tokens + Math.max(0, now - bucket.at) * this.perMs);
      this.buckets.delete(key); // re-inserted below: Map order is then least recently used first
    } else if (this.buckets.size >= this.maxKeys) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    if (tokens >= cost) {
      this.buckets.set(key, { tokens: tokens - cost, at: now });
      return { ok: true, remaining: Math.floor(tokens - cost) };
    }
    this.buckets.set(key, { tokens, at: now });
    return { ok: false, retryAfterMs: Math.ceil((cost - tokens) / this.perMs) };
  }

  get size(): number {
    return this.buckets.size;
  }
}
