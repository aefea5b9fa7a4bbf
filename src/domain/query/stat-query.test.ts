import { expect, test } from "bun:test";
import { parseStatQuery } from "./stat-query.ts";

/** The error for an input the whitelist must refuse (JSON text, so `__proto__` is an own key as in a request body). */
function refused(json: string): string {
  const result = parseStatQuery(JSON.parse(json));
  if (result.ok) throw new Error(`accepted: ${json}`);
  return result.error;
}

const accepted = (json: string) => {
  const result = parseStatQuery(JSON.parse(json));
  if (!result.ok) throw new Error(`refused ${json}: ${result.error}`);
  return result.query;
};

test("accepts every operator on the fields that allow it", () => {
  const query = accepted(`{
    "metric": "p95", "field": "attr:cart.total", "groupBy": ["service", "attr:user.plan"],
    "filter": {
      "service": { "in": ["payment"], "nin": ["search"], "neq": "x", "exists": true },
      "route": { "eq": "/api/orders" }, "method": { "nin": ["GET"] }, "errorCode": { "exists": false },
      "statusCode": { "gte": 200, "lt": 500, "neq": 404 }, "durationMs": { "gt": 0, "lte": 1000 },
      "attr": { "user.plan": "pro", "cart.total": { "gte": 10 }, "flags.beta": { "in": [true, 1, "yes"] }, "user_id": { "exists": true } }
    }
  }`);
  expect(query.filter?.attr?.["cart.total"]).toEqual({ gte: 10 });
});

test("refuses $where at the top level", () => {
  refused(`{ "metric": "count", "$where": "sleep(5000)" }`);
});

test("refuses $where in the filter", () => {
  refused(`{ "metric": "count", "filter": { "$where": "sleep(5000)" } }`);
});

test("refuses a MongoDB operator as a field's operator object", () => {
  refused(`{ "metric": "count", "filter": { "service": { "$ne": "x" } } }`);
});

test("refuses a MongoDB operator as an attr condition", () => {
  refused(`{ "metric": "count", "filter": { "attr": { "user.plan": { "$gt": "" } } } }`);
});

test("refuses a value that starts with $", () => {
  refused(`{ "metric": "count", "filter": { "service": "$where" } }`);
  refused(`{ "metric": "count", "filter": { "attr": { "user.plan": { "in": ["$gt"] } } } }`);
});

test("refuses an attr filter path with a __proto__ segment", () => {
  refused(`{ "metric": "count", "filter": { "attr": { "user.__proto__.polluted": 1 } } }`);
  refused(`{ "metric": "count", "filter": { "attr": { "user.__proto__": { "exists": true } } } }`);
});

// zod's record skips an own `__proto__` key without an issue (no pollution, but the filter is
// dropped and the query answers as if it had not been asked): the parser refuses it itself.
test("refuses an attr filter path that is exactly __proto__", () => {
  refused(`{ "metric": "count", "filter": { "attr": { "__proto__": 1 } } }`);
  refused(`{ "metric": "count", "filter": { "attr": { "__proto__": { "gte": 1 }, "a": 2 } } }`);
});

test("refuses __proto__ as a key of the query or of its filter", () => {
  refused(`{ "metric": "count", "__proto__": { "limit": 5 } }`);
  refused(`{ "metric": "count", "filter": { "__proto__": { "service": "x" } } }`);
  refused(`{ "metric": "count", "filter": { "service": { "__proto__": { "eq": "x" } } } }`);
});

test("refuses attr paths that name constructor or prototype", () => {
  refused(`{ "metric": "count", "filter": { "attr": { "constructor.prototype": 1 } } }`);
  refused(`{ "metric": "count", "groupBy": ["attr:a.prototype"] }`);
});

test("refuses a groupBy attr: path that names __proto__", () => {
  refused(`{ "metric": "count", "groupBy": ["attr:__proto__"] }`);
});

test("refuses a field attr: path that names __proto__", () => {
  refused(`{ "metric": "avg", "field": "attr:cart.__proto__" }`);
});

test("refuses $ in an attr filter path", () => {
  refused(`{ "metric": "count", "filter": { "attr": { "$where": 1 } } }`);
  refused(`{ "metric": "count", "filter": { "attr": { "user.$gt": 1 } } }`);
});

test("refuses $ in a groupBy attr: path", () => {
  expect(refused(`{ "metric": "count", "groupBy": ["attr:$where"] }`)).toContain("attr:");
  refused(`{ "metric": "count", "groupBy": ["attr:user.$id"] }`);
});

test("refuses $ in a field attr: path", () => {
  refused(`{ "metric": "max", "field": "attr:$cart.total" }`);
});

test("refuses attr: paths that are not dotted names", () => {
  for (const path of ["", ".a", "a.", "a..b", "a b", "a[0]", "0.a", 'a"b', "a\\u0000b", `${"a.".repeat(8)}a`, "x".repeat(65)]) {
    refused(JSON.stringify({ metric: "count", groupBy: [`attr:${path}`] }));
  }
});

test("refuses an operator object with an unknown key", () => {
  refused(`{ "metric": "count", "filter": { "service": { "eq": "a", "regex": ".*" } } }`);
  refused(`{ "metric": "count", "filter": { "statusCode": { "between": [200, 300] } } }`);
  refused(`{ "metric": "count", "filter": { "attr": { "user.plan": { "like": "pro%" } } } }`);
});

test("refuses an empty operator object", () => {
  refused(`{ "metric": "count", "filter": { "route": {} } }`);
  refused(`{ "metric": "count", "filter": { "attr": { "user.plan": {} } } }`);
});

test("refuses a range op on a string field", () => {
  refused(`{ "metric": "count", "filter": { "service": { "gte": "a" } } }`);
  refused(`{ "metric": "count", "filter": { "route": { "lt": "/z" } } }`);
  refused(`{ "metric": "count", "filter": { "errorCode": { "gt": "A" } } }`);
  refused(`{ "metric": "count", "filter": { "method": { "lte": "POST" } } }`);
});

test("refuses a string bound for a range op", () => {
  refused(`{ "metric": "count", "filter": { "statusCode": { "gte": "500" } } }`);
  refused(`{ "metric": "count", "filter": { "attr": { "cart.total": { "gte": "10" } } } }`);
});

test("refuses a value of the wrong type for the field", () => {
  refused(`{ "metric": "count", "filter": { "service": 5 } }`);
  refused(`{ "metric": "count", "filter": { "statusCode": { "in": ["500"] } } }`);
  refused(`{ "metric": "count", "filter": { "durationMs": { "eq": -1 } } }`);
});

test("refuses an array or object as an attr value", () => {
  refused(`{ "metric": "count", "filter": { "attr": { "tags": ["x"] } } }`);
  refused(`{ "metric": "count", "filter": { "attr": { "user": { "plan": "pro" } } } }`);
  refused(`{ "metric": "count", "filter": { "attr": { "user.plan": null } } }`);
});

test("refuses regex syntax in an attr value", () => {
  refused(`{ "metric": "count", "filter": { "attr": { "user.plan": "(a+)+$" } } }`);
});

test("refuses more than 10 attr filters", () => {
  const attr = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, i]));
  refused(JSON.stringify({ metric: "count", filter: { attr } }));
});

test("refuses more than 100 values in an in list", () => {
  refused(JSON.stringify({ metric: "count", filter: { service: { in: Array.from({ length: 101 }, (_, i) => `s${i}`) } } }));
});

test("refuses an attr: field with count", () => {
  refused(`{ "metric": "count", "field": "attr:cart.total" }`);
});

test("refuses attr paths that name the store's own _id or _q", () => {
  refused(`{ "metric": "count", "filter": { "attr": { "_q.ts": 1 } } }`);
  refused(`{ "metric": "count", "groupBy": ["attr:_id"] }`);
  refused(`{ "metric": "avg", "field": "attr:_q.d" }`);
});
