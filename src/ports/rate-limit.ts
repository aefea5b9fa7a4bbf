import type { Rate, TakeResult } from "../domain/ratelimit/token-bucket.ts";

export type { Rate, TakeResult };

/**
 * Where token buckets live (RATE_LIMIT_STORE). `take` refills and takes in one step, so callers
 * sharing a store (processes, isolates) share each bucket exactly. It may reject when a remote
 * store is unreachable: the middleware then lets the request through (fail open).
 */
export interface RateLimiter {
  readonly name: string;
  /** Takes `cost` tokens from the bucket `key` (already scoped by the caller) of size `rate`. */
  take(key: string, rate: Rate, cost?: number): Promise<TakeResult>;
  close(): Promise<void>;
}
