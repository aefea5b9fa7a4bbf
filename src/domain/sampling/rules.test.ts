import { describe, expect, test } from "bun:test";
import { compileRule, compileRules, lookupPath, MAX_REGEX_LENGTH } from "./rules.ts";
import type { RuleCondition, SamplingRule } from "./types.ts";

type Event = Record<string, unknown>;

/** Compiles a one-condition rule; bad operands are cast through unknown to reach the runtime checks. */
const when = (field: string, op: string, value?: unknown) =>
  compileRule({ name: "r", rate: 1, when: [{ field, op, value } as unknown as RuleCondition] }).matches;

const event: Event = {
  service: "payment",
  statusCode: 402,
  durationMs: 120.5,
  route: "/api/payments",
  error: { code: "CARD_DECLINED", retryable: false, detail: null },
  user: { plan: "enterprise", id: "u_123", tags: ["beta"] },
  region: "eu-west-1",
};

describe("rule operators", () => {
  test("eq matches strict equality and nothing looser", () => {
    expect(when("user.plan", "eq", "enterprise")(event)).toBe(true);
    expect(when("user.plan", "eq", "free")(event)).toBe(false);
    expect(when("statusCode", "eq", "402")(event)).toBe(false);
    expect(when("error.retryable", "eq", false)(event)).toBe(true);
    expect(when("error.detail", "eq", null)(event)).toBe(true);
    expect(when("missing", "eq", null)(event)).toBe(false);
  });

  test("neq is the negation of eq, so an absent field is not equal", () => {
    expect(when("user.plan", "neq", "free")(event)).toBe(true);
    expect(when("user.plan", "neq", "enterprise")(event)).toBe(false);
    expect(when("statusCode", "neq", "402")(event)).toBe(true);
    expect(when("missing", "neq", "x")(event)).toBe(true);
  });

  test("in checks membership with strict equality", () => {
    expect(when("user.plan", "in", ["pro", "enterprise"])(event)).toBe(true);
    expect(when("user.plan", "in", ["pro", "free"])(event)).toBe(false);
    expect(when("statusCode", "in", ["402"])(event)).toBe(false);
    expect(when("statusCode", "in", [401, 402])(event)).toBe(true);
    expect(when("missing", "in", ["x"])(event)).toBe(false);
    expect(when("user.tags", "in", ["beta"])(event)).toBe(false);
  });

  test("exists true (or omitted) needs a present, non-null field", () => {
    expect(when("error.code", "exists")(event)).toBe(true);
    expect(when("error.code", "exists", true)(event)).toBe(true);
    expect(when("error.detail", "exists", true)(event)).toBe(false);
    expect(when("error.stack", "exists")(event)).toBe(false);
  });

  test("exists false matches an absent or null field", () => {
    expect(when("error.stack", "exists", false)(event)).toBe(true);
    expect(when("error.detail", "exists", false)(event)).toBe(true);
    expect(when("error.code", "exists", false)(event)).toBe(false);
  });

  test("gt and lt compare numbers only", () => {
    expect(when("durationMs", "gt", 100)(event)).toBe(true);
    expect(when("durationMs", "gt", 120.5)(event)).toBe(false);
    expect(when("durationMs", "lt", 121)(event)).toBe(true);
    expect(when("durationMs", "lt", 100)(event)).toBe(false);
    expect(when("x", "gt", 1)({ x: "5" })).toBe(false);
    expect(when("x", "lt", 10)({ x: "5" })).toBe(false);
    expect(when("x", "lt", 10)({ x: null })).toBe(false);
    expect(when("missing", "gt", -1)(event)).toBe(false);
  });

  test("prefix matches the start of string fields only", () => {
    expect(when("region", "prefix", "eu-")(event)).toBe(true);
    expect(when("region", "prefix", "us-")(event)).toBe(false);
    expect(when("statusCode", "prefix", "4")(event)).toBe(false);
  });

  test("regex tests string fields only", () => {
    expect(when("error.code", "regex", "^CARD_")(event)).toBe(true);
    expect(when("error.code", "regex", "TIMEOUT$")(event)).toBe(false);
    expect(when("statusCode", "regex", "^4")(event)).toBe(false);
  });

  test("a regex gives the same answer on repeated calls (no lastIndex state)", () => {
    const m = when("error.code", "regex", "DECLINED");
    expect([m(event), m(event), m(event)]).toEqual([true, true, true]);
  });
});

describe("field paths", () => {
  test("dotted paths walk nested objects and arrays", () => {
    expect(lookupPath(event, ["error", "code"])).toBe("CARD_DECLINED");
    expect(lookupPath(event, ["user", "tags", "0"])).toBe("beta");
    expect(lookupPath(event, ["user", "plan", "length"])).toBeUndefined();
    expect(lookupPath(event, ["statusCode", "x"])).toBeUndefined();
  });

  test("__proto__, constructor and toString never resolve to inherited properties", () => {
    expect(lookupPath({}, ["__proto__"])).toBeUndefined();
    expect(lookupPath({ user: {} }, ["user", "constructor"])).toBeUndefined();
    expect(lookupPath({}, ["constructor", "name"])).toBeUndefined();
    expect(lookupPath({}, ["toString"])).toBeUndefined();
    expect(when("__proto__", "exists")({})).toBe(false);
    expect(when("constructor.name", "eq", "Object")({})).toBe(false);
    expect(when("__proto__.polluted", "exists")({})).toBe(false);
  });

  test("an own __proto__ key from JSON is ordinary data", () => {
    const parsed = JSON.parse('{"__proto__": {"admin": true}}') as Event;
    expect(when("__proto__.admin", "eq", true)(parsed)).toBe(true);
    expect(({} as Event).admin).toBeUndefined();
  });
});

describe("rule compilation", () => {
  const bad = (condition: unknown) => () =>
    compileRule({ name: "checkout", rate: 0.5, when: [{ field: "a", op: "eq", value: 1 }, condition as RuleCondition] });

  test("operand types are checked per operator and the error names the rule and condition", () => {
    expect(bad({ field: "a", op: "in", value: "x" })).toThrow('sampling rule "checkout" when[1] (a in): value must be an array');
    expect(bad({ field: "a", op: "in", value: [{}] })).toThrow("when[1] (a in)");
    expect(bad({ field: "a", op: "gt", value: "5" })).toThrow('sampling rule "checkout" when[1] (a gt): value must be a finite number');
    expect(bad({ field: "a", op: "lt" })).toThrow("when[1] (a lt): value must be a finite number");
    expect(bad({ field: "a", op: "eq", value: [1] })).toThrow("when[1] (a eq): value must be a string");
    expect(bad({ field: "a", op: "neq" })).toThrow("when[1] (a neq)");
    expect(bad({ field: "a", op: "exists", value: "yes" })).toThrow("when[1] (a exists): value must be true, false or omitted");
    expect(bad({ field: "a", op: "prefix", value: 1 })).toThrow("when[1] (a prefix): value must be a string");
    expect(bad({ field: "a", op: "regex", value: 1 })).toThrow("when[1] (a regex): value must be a string");
  });

  test("an invalid regex is rejected at compile time naming the rule", () => {
    expect(bad({ field: "a", op: "regex", value: "(unclosed" })).toThrow(/sampling rule "checkout" when\[1\].*invalid regex/);
  });

  test("a regex longer than the limit is rejected naming the rule", () => {
    expect(bad({ field: "a", op: "regex", value: "a".repeat(MAX_REGEX_LENGTH + 1) })).toThrow(
      `sampling rule "checkout" when[1] (a regex): regex is ${MAX_REGEX_LENGTH + 1} chars`,
    );
    expect(bad({ field: "a", op: "regex", value: "a".repeat(MAX_REGEX_LENGTH) })).not.toThrow();
  });

  test("unknown operators and malformed fields are rejected", () => {
    expect(bad({ field: "a", op: "contains", value: "x" })).toThrow('when[1] (a): unknown op "contains"');
    expect(bad({ field: "a..b", op: "exists" })).toThrow('when[1]: field must be a dotted path such as "error.code"');
    expect(bad({ field: "", op: "exists" })).toThrow("when[1]: field must be");
  });

  test("rule name and rate are validated", () => {
    const rule = (r: Partial<SamplingRule>) => () => compileRule({ name: "n", rate: 0.5, when: [], ...r });
    expect(rule({ name: "" })).toThrow("name must be a non-empty string");
    expect(rule({ rate: 1.5 })).toThrow('sampling rule "n": rate must be a number in [0, 1]');
    expect(rule({ rate: Number.NaN })).toThrow("rate must be a number in [0, 1]");
    expect(rule({ when: "x" as unknown as RuleCondition[] })).toThrow("when must be an array");
  });

  test("duplicate rule names are rejected because the name is the reason", () => {
    const r: SamplingRule = { name: "same", rate: 1, when: [] };
    expect(() => compileRules([r, r])).toThrow('sampling rule "same" is defined twice');
  });

  test("all conditions must match", () => {
    const { matches } = compileRule({
      name: "enterprise-eu",
      rate: 1,
      when: [
        { field: "user.plan", op: "eq", value: "enterprise" },
        { field: "region", op: "prefix", value: "eu-" },
      ],
    });
    expect(matches(event)).toBe(true);
    expect(matches({ ...event, region: "us-east-1" })).toBe(false);
  });

  test("a rule with no conditions matches every event", () => {
    expect(compileRule({ name: "all", rate: 0.2, when: [] }).matches({})).toBe(true);
  });
});
