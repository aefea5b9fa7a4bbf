import { expect, test } from "bun:test";
import { matchesCondition, toCondition, valueAtPath } from "./condition.ts";

test("toCondition: a bare value means eq", () => {
  expect(toCondition("pro")).toEqual({ eq: "pro" });
  expect(toCondition(0)).toEqual({ eq: 0 });
  expect(toCondition(false)).toEqual({ eq: false });
});

test("toCondition: an operator object is kept as it is", () => {
  expect(toCondition({ gte: 1, lt: 5 })).toEqual({ gte: 1, lt: 5 });
});

test("eq: equal values match, others do not", () => {
  expect(matchesCondition({ eq: "pro" }, "pro")).toBe(true);
  expect(matchesCondition({ eq: "pro" }, "free")).toBe(false);
});

test("eq: a missing value never matches", () => {
  expect(matchesCondition({ eq: "pro" }, null)).toBe(false);
});

test("eq: types are not converted (true is not 1, 1 is not '1')", () => {
  expect(matchesCondition({ eq: true }, 1)).toBe(false);
  expect(matchesCondition({ eq: 1 }, true)).toBe(false);
  expect(matchesCondition({ eq: 1 }, "1")).toBe(false);
  expect(matchesCondition({ eq: false }, 0)).toBe(false);
});

test("neq: a different value matches, an equal one does not", () => {
  expect(matchesCondition({ neq: "pro" }, "free")).toBe(true);
  expect(matchesCondition({ neq: "pro" }, "pro")).toBe(false);
});

test("neq: a missing value matches (MongoDB's $ne)", () => {
  expect(matchesCondition({ neq: "pro" }, null)).toBe(true);
});

test("in: any listed value matches", () => {
  expect(matchesCondition({ in: ["pro", 3] }, 3)).toBe(true);
  expect(matchesCondition({ in: ["pro", 3] }, "3")).toBe(false);
});

test("in: a missing value never matches", () => {
  expect(matchesCondition({ in: ["pro"] }, null)).toBe(false);
});

test("nin: a listed value does not match, others do", () => {
  expect(matchesCondition({ nin: ["pro", true] }, true)).toBe(false);
  expect(matchesCondition({ nin: ["pro", true] }, 1)).toBe(true);
});

test("nin: a missing value matches (MongoDB's $nin)", () => {
  expect(matchesCondition({ nin: ["pro"] }, null)).toBe(true);
});

test("gte and gt: inclusive and exclusive lower bounds", () => {
  expect(matchesCondition({ gte: 5 }, 5)).toBe(true);
  expect(matchesCondition({ gt: 5 }, 5)).toBe(false);
  expect(matchesCondition({ gt: 5 }, 5.5)).toBe(true);
});

test("lte and lt: inclusive and exclusive upper bounds", () => {
  expect(matchesCondition({ lte: 5 }, 5)).toBe(true);
  expect(matchesCondition({ lt: 5 }, 5)).toBe(false);
  expect(matchesCondition({ lt: 5 }, -1)).toBe(true);
});

test("range ops: every bound must hold", () => {
  expect(matchesCondition({ gte: 10, lt: 20 }, 15)).toBe(true);
  expect(matchesCondition({ gte: 10, lt: 20 }, 20)).toBe(false);
});

test("range ops: only numbers compare (a numeric string does not)", () => {
  expect(matchesCondition({ gte: 1 }, "5")).toBe(false);
  expect(matchesCondition({ lt: 10 }, true)).toBe(false);
});

test("range ops: a missing value never matches", () => {
  expect(matchesCondition({ lt: 10 }, null)).toBe(false);
});

test("exists true: any value matches, a missing one does not", () => {
  expect(matchesCondition({ exists: true }, false)).toBe(true);
  expect(matchesCondition({ exists: true }, 0)).toBe(true);
  expect(matchesCondition({ exists: true }, null)).toBe(false);
});

test("exists false: only a missing value matches", () => {
  expect(matchesCondition({ exists: false }, null)).toBe(true);
  expect(matchesCondition({ exists: false }, "")).toBe(false);
});

test("several ops: all must hold", () => {
  expect(matchesCondition({ neq: 3, gte: 1, lte: 5 }, 4)).toBe(true);
  expect(matchesCondition({ neq: 3, gte: 1, lte: 5 }, 3)).toBe(false);
  expect(matchesCondition({ exists: true, nin: ["a"] }, null)).toBe(false);
});

test("an empty condition matches everything", () => {
  expect(matchesCondition({}, null)).toBe(true);
  expect(matchesCondition({}, "x")).toBe(true);
});

test("valueAtPath: a top-level scalar", () => {
  expect(valueAtPath({ region: "eu" }, "region")).toBe("eu");
});

test("valueAtPath: a nested scalar through objects", () => {
  expect(valueAtPath({ user: { plan: { tier: 2 } } }, "user.plan.tier")).toBe(2);
});

test("valueAtPath: strings, numbers and booleans are values, as they are", () => {
  const event = { a: "", b: 0, c: false, d: true };
  expect(valueAtPath(event, "a")).toBe("");
  expect(valueAtPath(event, "b")).toBe(0);
  expect(valueAtPath(event, "c")).toBe(false);
  expect(valueAtPath(event, "d")).toBe(true);
});

test("valueAtPath: a missing key is null", () => {
  expect(valueAtPath({ user: {} }, "user.plan")).toBeNull();
  expect(valueAtPath({}, "user.plan")).toBeNull();
});

test("valueAtPath: null is null", () => {
  expect(valueAtPath({ user: { plan: null } }, "user.plan")).toBeNull();
});

test("valueAtPath: an object at the path is null", () => {
  expect(valueAtPath({ user: { plan: { tier: "pro" } } }, "user.plan")).toBeNull();
});

test("valueAtPath: an array at the path is null", () => {
  expect(valueAtPath({ tags: ["x"] }, "tags")).toBeNull();
});

test("valueAtPath: an array on the way is not walked into", () => {
  expect(valueAtPath({ items: [{ sku: "a" }] }, "items.sku")).toBeNull();
  expect(valueAtPath({ items: ["a"] }, "items.0")).toBeNull();
});

test("valueAtPath: a scalar on the way ends the path", () => {
  expect(valueAtPath({ user: "anonymous" }, "user.plan")).toBeNull();
  expect(valueAtPath({ user: "anonymous" }, "user.length")).toBeNull();
});

test("valueAtPath: a key with a dot is not reached by a dotted path", () => {
  expect(valueAtPath({ "http.method": "GET" }, "http.method")).toBeNull();
});

test("valueAtPath: inherited properties are never read", () => {
  expect(valueAtPath({}, "constructor")).toBeNull();
  expect(valueAtPath({ a: {} }, "a.toString")).toBeNull();
  expect(valueAtPath({ a: {} }, "a.__proto__")).toBeNull();
});
