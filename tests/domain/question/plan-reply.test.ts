import { describe, expect, test } from "bun:test";
import { ENUM_CAP, interpretReply, type PlanReply, planReplyJsonSchema, planToReply } from "../../../src/domain/question/plan-reply.ts";
import { NULL_ENTITY as nullEntity, statReply } from "../../support/fake-openai.ts";

const vocabulary = { services: ["order", "payment"], routes: ["/api/payments"], errorCodes: ["GATEWAY_TIMEOUT"] };

describe("planReplyJsonSchema", () => {
  test("strict, every field required, enums from the store's values", () => {
    const schema = planReplyJsonSchema(vocabulary) as {
      additionalProperties: boolean;
      required: string[];
      properties: Record<string, unknown>;
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required.sort()).toEqual([
      "analysis",
      "attributes",
      "clarify",
      "compare",
      "conversation",
      "intent",
      "ranking",
      "rate",
      "resolved",
      "search",
      "statQuery",
      "unresolved",
    ]);
    const text = JSON.stringify(schema);
    expect(text).toContain('"enum":["order","payment"]');
    expect(text).toContain('"enum":["GATEWAY_TIMEOUT"]');
    expect(text).not.toContain("$schema");
  });

  test("an empty vocabulary field can only be null; big ones are capped", () => {
    const empty = JSON.stringify(planReplyJsonSchema({ services: [], routes: [], errorCodes: [] }));
    expect(empty).not.toContain('"enum":[]');
    const many = Array.from({ length: ENUM_CAP + 50 }, (_, i) => `svc-${i}`);
    const capped = JSON.stringify(planReplyJsonSchema({ services: many, routes: [], errorCodes: [] }));
    expect(capped).toContain(`svc-${ENUM_CAP - 1}"`);
    expect(capped).not.toContain(`svc-${ENUM_CAP}"`);
  });
});

describe("interpretReply", () => {
  test("a good reply becomes a whitelisted StatQuery with nulls dropped", () => {
    const result = interpretReply(statReply({}, { service: "payment", hasError: true }), vocabulary);
    expect(result).toEqual({
      ok: true,
      plan: {
        intent: "STATISTICAL",
        query: { metric: "count", filter: { service: "payment", hasError: true }, timeRange: { last: "1h" } },
        unresolved: [],
      },
    });
  });

  test.each<[string, unknown, string]>([
    ["not an object", "SELECT *", "reply"],
    ["an invented top-level field", { ...statReply(), sql: "DROP" }, "sql"],
    ["an invented filter field", statReply({}, { tenant: "other" }), "tenant"],
    ["a $where key in the filter", statReply({}, { $where: "sleep(1000)" }), "$where"],
    ["a $where smuggled into a value", statReply({}, { service: "$where: sleep(1000)" }), "statQuery.filter.service"],
    ["an operator object as a value", statReply({}, { service: { $ne: null } }), "statQuery.filter.service"],
    ["a service the store does not hold", statReply({}, { service: "shipping" }), "not a value the stored data holds"],
    ["an unknown metric", statReply({ metric: "sum" }), "statQuery.metric"],
    ["a bad window", statReply({ timeRange: { last: "1 hour", from: null, to: null } }), "statQuery.timeRange.last"],
    ["a malformed date", statReply({ timeRange: { last: null, from: "yesterday", to: null } }), "statQuery.timeRange"],
    ["field with count", statReply({ field: "durationMs" }), "field: not used"],
    ["STATISTICAL without a query", { ...statReply(), statQuery: null }, "statQuery: required"],
  ])("refuses %s", (_name, raw, expected) => {
    const result = interpretReply(raw, vocabulary);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(expected);
  });

  test("search text with regex syntax is refused like GET /v1/events q", () => {
    const reply = {
      ...statReply(),
      intent: "SEARCH",
      statQuery: null,
      search: { ...nullEntity, text: "(a+)+$", timeRange: null, limit: null },
    };
    const result = interpretReply(reply, vocabulary);
    expect(result.ok).toBe(false);
  });

  test("every rules plan survives the round trip unchanged", () => {
    const plans = [
      { intent: "CONVERSATIONAL", conversation: "questions", unresolved: [] },
      {
        intent: "SEARCH",
        search: { service: "payment", text: "timeout", hasError: true, timeRange: { last: "30m" } },
        unresolved: ['service "배송"'],
      },
      {
        intent: "STATISTICAL",
        query: {
          metric: "p95",
          field: "durationMs",
          groupBy: ["route"],
          timeRange: { from: "2026-11-25T00:00:00.000Z", to: "2026-11-26T00:00:00.000Z" },
        },
        ranking: { order: "desc", top: 5 },
        unresolved: [],
      },
    ] as const;
    for (const plan of plans) {
      const reply: PlanReply = planToReply(structuredClone(plan) as never);
      expect(interpretReply(JSON.parse(JSON.stringify(reply)), vocabulary)).toEqual({ ok: true, plan: plan as never });
    }
  });
});

describe("interpretReply: attributes", () => {
  const withFields = {
    ...vocabulary,
    fields: [
      { path: "user.plan", values: ["enterprise", "free"] },
      { path: "region", values: [] },
    ],
  };
  const reply = (attributes: unknown) => ({ ...statReply({ groupBy: null }, {}), attributes });

  test("a seen field becomes an attr: group and a listed value an attr filter", () => {
    const result = interpretReply(reply({ groupBy: ["region"], filter: [{ path: "user.plan", value: "enterprise" }] }), withFields);
    expect(result.ok && result.plan.intent === "STATISTICAL" ? result.plan.query : null).toMatchObject({
      groupBy: ["attr:region"],
      filter: { attr: { "user.plan": "enterprise" } },
    });
  });

  test("a field path that was not offered is refused", () => {
    const result = interpretReply(reply({ groupBy: ["user.email"], filter: [] }), withFields);
    expect(result.ok).toBe(false);
  });

  test("a value the field does not list is refused", () => {
    const result = interpretReply(reply({ groupBy: [], filter: [{ path: "user.plan", value: "gold" }] }), withFields);
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining("attributes") });
  });
});
