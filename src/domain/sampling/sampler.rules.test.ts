import { describe, expect, test } from "bun:test";
import { createSampler, hashUnit } from "./sampler.ts";
import type { SamplingPolicy, SamplingRule } from "./types.ts";

const withRules = (rules: SamplingRule[], normalRate = 0.5): SamplingPolicy => ({
  normalRate,
  slowMs: 2000,
  criticalRoutes: [],
  rules,
});

const base = { service: "search", route: "/api/items", statusCode: 200, durationMs: 40 };
const ids = Array.from({ length: 2000 }, (_, i) => `req-2026-11-26-${i}`);

describe("user rules in the sampler", () => {
  test("a matching rule decides with reason RULE:<name> and the rule's rate", () => {
    const s = createSampler(withRules([{ name: "enterprise", rate: 1, when: [{ field: "user.plan", op: "eq", value: "enterprise" }] }]));
    expect(s.decide({ ...base, user: { plan: "enterprise" } })).toEqual({ keep: true, reason: "RULE:enterprise", rate: 1 });
  });

  test("rate 0 drops every matching event and records the rule as the reason", () => {
    const s = createSampler(withRules([{ name: "health", rate: 0, when: [{ field: "route", op: "prefix", value: "/health" }] }], 1));
    for (const requestId of ids) {
      expect(s.decide({ ...base, route: "/healthz", requestId })).toEqual({ keep: false, reason: "RULE:health", rate: 0 });
    }
    expect(s.counters()["RULE:health"]).toEqual({ kept: 0, dropped: ids.length });
  });

  test("rate 1 keeps every matching event even when normalRate is 0", () => {
    const s = createSampler(withRules([{ name: "beta", rate: 1, when: [{ field: "flags.beta", op: "eq", value: true }] }], 0));
    for (const requestId of ids) expect(s.decide({ ...base, flags: { beta: true }, requestId }).keep).toBe(true);
  });

  test("a fractional rule rate keeps exactly the requestIds hashing below it", () => {
    const s = createSampler(withRules([{ name: "eu", rate: 0.25, when: [{ field: "region", op: "prefix", value: "eu-" }] }], 0));
    for (const requestId of ids) {
      expect(s.decide({ ...base, region: "eu-west-1", requestId }).keep).toBe(hashUnit(requestId) < 0.25);
    }
  });

  test("the first matching rule wins, in policy order", () => {
    const s = createSampler(
      withRules([
        { name: "slowish", rate: 0.5, when: [{ field: "durationMs", op: "gt", value: 500 }] },
        { name: "pro", rate: 1, when: [{ field: "user.plan", op: "in", value: ["pro", "enterprise"] }] },
      ]),
    );
    expect(s.decide({ ...base, durationMs: 900, user: { plan: "pro" } }).reason).toBe("RULE:slowish");
    expect(s.decide({ ...base, durationMs: 100, user: { plan: "pro" } }).reason).toBe("RULE:pro");
    expect(s.decide({ ...base, durationMs: 100, user: { plan: "free" } }).reason).toBe("SAMPLED_NORMAL");
  });

  test("a rule matches only when all its conditions match", () => {
    const s = createSampler(
      withRules([
        {
          name: "eu-enterprise",
          rate: 1,
          when: [
            { field: "user.plan", op: "eq", value: "enterprise" },
            { field: "region", op: "regex", value: "^eu-(west|central)-\\d$" },
          ],
        },
      ]),
    );
    expect(s.decide({ ...base, user: { plan: "enterprise" }, region: "eu-west-1" }).reason).toBe("RULE:eu-enterprise");
    expect(s.decide({ ...base, user: { plan: "enterprise" }, region: "us-east-1" }).reason).toBe("SAMPLED_NORMAL");
    expect(s.decide({ ...base, user: { plan: "free" }, region: "eu-west-1" }).reason).toBe("SAMPLED_NORMAL");
  });

  test("a rule on a __proto__ path never matches through the prototype", () => {
    const s = createSampler(withRules([{ name: "proto", rate: 1, when: [{ field: "__proto__", op: "exists" }] }]));
    expect(s.decide({ ...base }).reason).toBe("SAMPLED_NORMAL");
  });

  test("a bad rule fails createSampler with an error naming the rule", () => {
    const bad = { name: "broken", rate: 1, when: [{ field: "region", op: "regex", value: "([" }] } as SamplingRule;
    expect(() => createSampler(withRules([bad]))).toThrow('sampling rule "broken" when[0]');
  });

  test("fields lists the top-level fields that decide() reads, rules included", () => {
    const s = createSampler(
      withRules([
        {
          name: "by-id",
          rate: 1,
          when: [
            { field: "eventId", op: "exists" },
            { field: "user.plan", op: "exists" },
          ],
        },
      ]),
    );
    expect([...s.fields].sort()).toEqual(["durationMs", "error", "eventId", "requestId", "route", "statusCode", "user"]);
    expect(createSampler(withRules([])).fields.has("eventId")).toBe(false);
  });
});
