import { describe, expect, test } from "bun:test";
import { TokenBuckets } from "./token-bucket.ts";

function clock(start = 0) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe("TokenBuckets", () => {
  test("a burst up to the limit passes, the next request is refused with the wait until one token", () => {
    const c = clock();
    const buckets = new TokenBuckets({ limit: 3, windowMs: 3000 }, { now: c.now });
    expect([1, 2, 3].map(() => buckets.take("k").ok)).toEqual([true, true, true]);
    expect(buckets.take("k")).toEqual({ ok: false, retryAfterMs: 1000 });
  });

  test("tokens refill evenly over the window", () => {
    const c = clock();
    const buckets = new TokenBuckets({ limit: 10, windowMs: 10_000 }, { now: c.now });
    for (let i = 0; i < 10; i++) buckets.take("k");
    c.advance(2500);
    expect(buckets.take("k")).toEqual({ ok: true, remaining: 1 });
    expect(buckets.take("k")).toEqual({ ok: true, remaining: 0 });
    expect(buckets.take("k").ok).toBe(false);
  });

  test("keys have separate buckets", () => {
    const buckets = new TokenBuckets({ limit: 1, windowMs: 1000 }, { now: () => 0 });
    expect(buckets.take("a").ok).toBe(true);
    expect(buckets.take("b").ok).toBe(true);
    expect(buckets.take("a").ok).toBe(false);
  });

  test("a refused request takes nothing, so waiting Retry-After is enough", () => {
    const c = clock();
    const buckets = new TokenBuckets({ limit: 1, windowMs: 1000 }, { now: c.now });
    buckets.take("k");
    const refused = buckets.take("k");
    if (refused.ok) throw new Error("expected a refusal");
    c.advance(refused.retryAfterMs);
    expect(buckets.take("k").ok).toBe(true);
  });

  test("past maxKeys the least recently used bucket is forgotten", () => {
    const buckets = new TokenBuckets({ limit: 1, windowMs: 60_000 }, { now: () => 0, maxKeys: 2 });
    buckets.take("a");
    buckets.take("b");
    buckets.take("a"); // a is now the most recent
    buckets.take("c"); // forgets b
    expect(buckets.size).toBe(2);
    expect(buckets.take("a").ok).toBe(false);
    expect(buckets.take("b").ok).toBe(true);
  });

  test("a clock stepping back never drains a bucket", () => {
    const c = clock(10_000);
    const buckets = new TokenBuckets({ limit: 2, windowMs: 1000 }, { now: c.now });
    buckets.take("k");
    c.advance(-5000);
    expect(buckets.take("k").ok).toBe(true);
  });
});
