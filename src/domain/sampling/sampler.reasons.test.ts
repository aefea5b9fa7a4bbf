import { describe, expect, test } from "bun:test";
import { createSampler, hashUnit } from "./sampler.ts";
import type { SamplingPolicy } from "./types.ts";

const policy = (overrides: Partial<SamplingPolicy> = {}): SamplingPolicy => ({
  normalRate: 0.05,
  slowMs: 2000,
  criticalRoutes: ["/api/checkout", "/api/*/pay"],
  rules: [],
  ...overrides,
});

const base = { service: "payment", route: "/api/items", statusCode: 200, durationMs: 40 };

/** First counter id whose hash position is below (or at/above) `rate`. */
function idWhere(keep: boolean, rate: number): string {
  for (let i = 0; ; i++) {
    const id = `req-${i}`;
    if (hashUnit(id) < rate === keep) return id;
  }
}

describe("sampling reasons", () => {
  test("an error object keeps the event as HAS_ERROR at rate 1", () => {
    const d = createSampler(policy()).decide({ ...base, error: { code: "X" } });
    expect(d).toEqual({ keep: true, reason: "HAS_ERROR", rate: 1 });
  });

  test("a non-empty error string is HAS_ERROR; an empty string or null is not", () => {
    const s = createSampler(policy({ normalRate: 0 }));
    expect(s.decide({ ...base, error: "boom" }).reason).toBe("HAS_ERROR");
    expect(s.decide({ ...base, error: "" }).reason).toBe("SAMPLED_NORMAL");
    expect(s.decide({ ...base, error: null }).reason).toBe("SAMPLED_NORMAL");
  });

  test("statusCode >= 500 is HAS_ERROR; 499 is not", () => {
    const s = createSampler(policy({ normalRate: 0 }));
    expect(s.decide({ ...base, statusCode: 500 }).reason).toBe("HAS_ERROR");
    expect(s.decide({ ...base, statusCode: 503 }).reason).toBe("HAS_ERROR");
    expect(s.decide({ ...base, statusCode: 499 }).reason).toBe("SAMPLED_NORMAL");
    expect(s.decide({ ...base, statusCode: "500" }).reason).toBe("SAMPLED_NORMAL");
  });

  test("durationMs above slowMs keeps the event as SLOW_REQUEST", () => {
    const s = createSampler(policy({ normalRate: 0 }));
    expect(s.decide({ ...base, durationMs: 2000.1 })).toEqual({ keep: true, reason: "SLOW_REQUEST", rate: 1 });
    expect(s.decide({ ...base, durationMs: 2000 }).reason).toBe("SAMPLED_NORMAL");
    expect(s.decide({ ...base, durationMs: "9999" }).reason).toBe("SAMPLED_NORMAL");
  });

  test("an exact or glob critical route keeps the event as CRITICAL_ROUTE", () => {
    const s = createSampler(policy({ normalRate: 0 }));
    expect(s.decide({ ...base, route: "/api/checkout" })).toEqual({ keep: true, reason: "CRITICAL_ROUTE", rate: 1 });
    expect(s.decide({ ...base, route: "/api/v2/pay" }).reason).toBe("CRITICAL_ROUTE");
    expect(s.decide({ ...base, route: "/api/v2/refund" }).reason).toBe("SAMPLED_NORMAL");
    expect(s.decide({ ...base, route: 42 }).reason).toBe("SAMPLED_NORMAL");
  });

  test("other events are SAMPLED_NORMAL at normalRate, kept when hashUnit(requestId) < rate", () => {
    const s = createSampler(policy({ normalRate: 0.3 }));
    expect(s.decide({ ...base, requestId: idWhere(true, 0.3) })).toEqual({ keep: true, reason: "SAMPLED_NORMAL", rate: 0.3 });
    expect(s.decide({ ...base, requestId: idWhere(false, 0.3) })).toEqual({
      keep: false,
      reason: "SAMPLED_NORMAL",
      rate: 0.3,
    });
  });

  test("normalRate 0 drops and 1 keeps every normal event", () => {
    const none = createSampler(policy({ normalRate: 0 }));
    const all = createSampler(policy({ normalRate: 1 }));
    for (let i = 0; i < 1000; i++) {
      expect(none.decide({ ...base, requestId: `r${i}` }).keep).toBe(false);
      expect(all.decide({ ...base, requestId: `r${i}` }).keep).toBe(true);
    }
  });

  test("a missing or non-string requestId is hashed as the empty string", () => {
    const rate = hashUnit("") + 1e-9;
    const s = createSampler(policy({ normalRate: rate }));
    expect(s.decide({ ...base }).keep).toBe(true);
    expect(s.decide({ ...base, requestId: 42 }).keep).toBe(true);
    expect(createSampler(policy({ normalRate: hashUnit("") })).decide(base).keep).toBe(false);
  });

  test("decisions are frozen shared objects", () => {
    const s = createSampler(policy());
    const a = s.decide({ ...base, statusCode: 500 });
    expect(Object.isFrozen(a)).toBe(true);
    expect(s.decide({ ...base, error: "x" })).toBe(a);
  });
});

describe("precedence", () => {
  const s = createSampler(
    policy({ normalRate: 0, rules: [{ name: "drop-items", rate: 0, when: [{ field: "service", op: "eq", value: "payment" }] }] }),
  );
  const everything = { ...base, error: { code: "X" }, durationMs: 5000, route: "/api/checkout" };

  test("HAS_ERROR beats SLOW_REQUEST, CRITICAL_ROUTE and rules", () => {
    expect(s.decide(everything).reason).toBe("HAS_ERROR");
  });

  test("SLOW_REQUEST beats CRITICAL_ROUTE and rules", () => {
    expect(s.decide({ ...everything, error: undefined }).reason).toBe("SLOW_REQUEST");
  });

  test("CRITICAL_ROUTE beats rules", () => {
    expect(s.decide({ ...everything, error: undefined, durationMs: 1 }).reason).toBe("CRITICAL_ROUTE");
  });

  test("a matching rule beats SAMPLED_NORMAL", () => {
    expect(s.decide({ ...base }).reason).toBe("RULE:drop-items");
    expect(s.decide({ ...base, service: "search" }).reason).toBe("SAMPLED_NORMAL");
  });
});

describe("counters", () => {
  test("count kept and dropped per reason, listing every reason", () => {
    const s = createSampler(policy({ normalRate: 0, rules: [{ name: "beta", rate: 1, when: [{ field: "beta", op: "exists" }] }] }));
    s.decide({ ...base, statusCode: 500 });
    s.decide({ ...base, statusCode: 502 });
    s.decide({ ...base, durationMs: 3000 });
    s.decide({ ...base, beta: true });
    s.decide({ ...base });
    s.decide({ ...base });
    expect(s.counters()).toEqual({
      HAS_ERROR: { kept: 2, dropped: 0 },
      SLOW_REQUEST: { kept: 1, dropped: 0 },
      CRITICAL_ROUTE: { kept: 0, dropped: 0 },
      "RULE:beta": { kept: 1, dropped: 0 },
      SAMPLED_NORMAL: { kept: 0, dropped: 2 },
    });
  });

  test("counters() is a snapshot and reset() zeroes every count", () => {
    const s = createSampler(policy());
    s.decide({ ...base, statusCode: 500 });
    const before = s.counters();
    s.reset();
    expect(before.HAS_ERROR).toEqual({ kept: 1, dropped: 0 });
    expect(s.counters().HAS_ERROR).toEqual({ kept: 0, dropped: 0 });
  });
});

describe("determinism", () => {
  test("the same requestId gets the same decision on every call", () => {
    const s = createSampler(policy({ normalRate: 0.5 }));
    for (let i = 0; i < 200; i++) {
      const first = s.decide({ ...base, requestId: `req-${i}` });
      for (let j = 0; j < 3; j++) expect(s.decide({ ...base, requestId: `req-${i}`, durationMs: j })).toBe(first);
    }
  });

  test("two separately created samplers agree on every requestId", () => {
    const a = createSampler(policy({ normalRate: 0.1 }));
    const b = createSampler(policy({ normalRate: 0.1 }));
    for (let i = 0; i < 2000; i++) {
      const id = crypto.randomUUID();
      expect(b.decide({ ...base, requestId: id })).toEqual(a.decide({ ...base, requestId: id }));
    }
  });

  test("hashUnit is pinned: changing the seed or hash would reshuffle kept requests", () => {
    // murmur3_32(id, 0x5eedca7e) / 2^32, cross-checked with Python mmh3.
    expect(hashUnit("c0ffee-0000-4000-8000-000000000000")).toBe(1510964367 / 2 ** 32);
    expect(hashUnit("req-1")).toBe(3166809950 / 2 ** 32);
  });
});

describe("policy validation", () => {
  test("normalRate outside [0, 1] is rejected", () => {
    expect(() => createSampler(policy({ normalRate: 2 }))).toThrow("sampling normalRate must be a number in [0, 1]");
    expect(() => createSampler(policy({ normalRate: -0.1 }))).toThrow("normalRate");
  });

  test("a non-numeric slowMs is rejected", () => {
    expect(() => createSampler(policy({ slowMs: Number.NaN }))).toThrow("sampling slowMs must be a number");
  });
});
