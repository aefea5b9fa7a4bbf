import type { RateLimiter } from "../../ports/rate-limit.ts";
import { type Rate, type TakeResult, type TokenBucketOptions, TokenBuckets } from "./token-bucket.ts";

/**
 * RATE_LIMIT_STORE=memory: buckets in this process (on Workers, this isolate). One table per
 * rate, so a key's bucket is only shared by callers asking with the same rate.
 */
export class MemoryRateLimiter implements RateLimiter {
  readonly name = "rate-limit:memory";
  private readonly tables = new Map<string, TokenBuckets>();

  constructor(private readonly options: TokenBucketOptions = {}) {}

  async take(key: string, rate: Rate, cost = 1): Promise<TakeResult> {
    return this.takeNow(key, rate, cost);
  }

  /** The same, synchronously: memory never waits. */
  takeNow(key: string, rate: Rate, cost = 1): TakeResult {
    const id = `${rate.limit}/${rate.windowMs}`;
    let table = this.tables.get(id);
    if (table === undefined) {
      table = new TokenBuckets(rate, this.options);
      this.tables.set(id, table);
    }
    return table.take(key, cost);
  }

  async close(): Promise<void> {}
}
