import type { StatQuery } from "../../src/domain/query/stat-query.ts";
import type { OutboundEvent } from "../../src/ports/publisher.ts";

/** Fixed clock for every contract query: relative ranges end here. */
export const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);

/** mulberry32: the same events on every run and every store. */
export function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SERVICES = ["payment", "checkout", "search", "catalog"];
const ROUTES = ["/api/payments", "/api/payments/:id", "/api/orders", "/api/search", "/healthz"];
const METHODS = ["GET", "GET", "POST", "PUT", "DELETE"];
const CODES = ["GATEWAY_TIMEOUT", "DB_DOWN", "RATE_LIMITED"];
const RATES = [1, 0.05, 0.05, 0.25, 0.5];

/**
 * A mixed dataset as the gateway stores it: two tenants (sharing some eventIds), four services,
 * errors with and without codes, missing routes and durations, four sampling rates, spread over
 * the two days before NOW.
 */
export function contractEvents(count = 3000, seed = 7): OutboundEvent[] {
  const random = prng(seed);
  const attrRandom = prng(seed + 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const events: OutboundEvent[] = [];
  for (let i = 0; i < count; i++) {
    const tenant = i % 10 === 9 ? "other" : "acme";
    const roll = random();
    const statusCode = roll < 0.08 ? pick([500, 502, 503]) : roll < 0.15 ? pick([400, 404]) : 200;
    const hasError = statusCode >= 500 || (statusCode === 404 && random() < 0.5);
    const rate = hasError ? 1 : pick(RATES);
    const event: OutboundEvent = {
      // Tenant "other" reuses the eventId of the event before it: ids are unique per tenant only.
      eventId: `ev-${tenant === "other" ? i - 1 : i}`,
      requestId: `req-${i}`,
      tenant,
      service: pick(SERVICES),
      timestamp: new Date(NOW - Math.floor(random() * 2 * 86_400_000)).toISOString(),
      receivedAt: new Date(NOW).toISOString(),
      method: pick(METHODS),
      sampling: { reason: rate === 1 ? "HAS_ERROR" : "SAMPLED_NORMAL", rate },
    };
    if (random() < 0.95) event.route = pick(ROUTES);
    if (random() < 0.9) event.statusCode = statusCode;
    if (random() < 0.92) event.durationMs = Math.round(Math.exp(2 + random() * 5) * 10) / 10;
    if (random() < 0.01) event.durationMs = 0;
    if (hasError) {
      event.error =
        random() < 0.8
          ? { code: pick(CODES), message: `upstream failed: ${pick(["Timeout", "connection reset"])}`, type: "UpstreamError" }
          : { message: "boom" };
    }
    addAttributes(event, attrRandom);
    events.push(event);
  }
  return events;
}

const PLANS = ["free", "pro", "enterprise"];

/**
 * Nested attributes for attr: queries, from their own generator so the fields above stay the same
 * for a given seed. Besides plain values they hold the shapes the stores read differently unless
 * they take care: values of the wrong type ("12.5" for a number), true/false next to 1/0, null,
 * objects and arrays where a scalar is expected, arrays of objects on the path, and a key with a dot.
 */
function addAttributes(event: OutboundEvent, random: () => number): void {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const roll = random();
  if (roll < 0.7) {
    const user: Record<string, unknown> = { id: `u-${Math.floor(random() * 50)}` };
    const shape = random();
    if (shape < 0.85) user.plan = pick(PLANS);
    else if (shape < 0.9) user.plan = null;
    else if (shape < 0.94) user.plan = { tier: pick(PLANS) };
    else if (shape < 0.97) user.plan = [pick(PLANS)];
    if (random() < 0.5) user.beta = random() < 0.5;
    event.user = user;
  } else if (roll < 0.78) {
    event.user = "anonymous";
  }
  if (random() < 0.6) {
    const shape = random();
    const total = Math.round(random() * 50_000) / 100;
    const cart: Record<string, unknown> = { items: 1 + Math.floor(random() * 6) };
    if (shape < 0.75) cart.total = total;
    else if (shape < 0.82) cart.total = Math.round(total);
    else if (shape < 0.87) cart.total = String(total);
    else if (shape < 0.9) cart.total = 0;
    else if (shape < 0.93) cart.total = [total];
    event.cart = cart;
  } else if (random() < 0.05) {
    event.cart = [{ total: 10, items: 1 }];
  }
  const flag = random();
  if (flag < 0.6) event.flags = { beta: pick([true, false, 1, 0, "true"]) };
  if (random() < 0.5) event.region = pick(["eu-west", "us-east", "ap-south"]);
  if (random() < 0.1) event.items = [{ sku: "a" }, { sku: "b" }];
  if (random() < 0.1) event.tags = ["x", "y"];
  if (random() < 0.05) event["http.method"] = "GET";
}

/** The contract: every store must give the same rows for each of these over contractEvents(). */
export const CONTRACT_QUERIES: Array<{ name: string; query: StatQuery }> = [
  { name: "count, default range", query: { metric: "count" } },
  { name: "count, last 2d", query: { metric: "count", timeRange: { last: "2d" } } },
  { name: "count by service", query: { metric: "count", timeRange: { last: "2d" }, groupBy: ["service"] } },
  { name: "count by service,route top 5", query: { metric: "count", timeRange: { last: "2d" }, groupBy: ["service", "route"], limit: 5 } },
  { name: "count by statusCode", query: { metric: "count", timeRange: { last: "2d" }, groupBy: ["statusCode"] } },
  { name: "count by errorCode", query: { metric: "count", timeRange: { last: "2d" }, groupBy: ["errorCode"] } },
  {
    name: "count by method,service,statusCode",
    query: { metric: "count", timeRange: { last: "2d" }, groupBy: ["method", "service", "statusCode"] },
  },
  { name: "count hasError", query: { metric: "count", timeRange: { last: "2d" }, filter: { hasError: true } } },
  { name: "count no error, GET", query: { metric: "count", timeRange: { last: "2d" }, filter: { hasError: false, method: "GET" } } },
  {
    name: "count errorCode filter",
    query: { metric: "count", timeRange: { last: "2d" }, filter: { errorCode: "DB_DOWN" }, groupBy: ["service"] },
  },
  {
    name: "count statusCode filter",
    query: { metric: "count", timeRange: { last: "2d" }, filter: { statusCode: 502, service: "payment" } },
  },
  { name: "count unknown service", query: { metric: "count", timeRange: { last: "2d" }, filter: { service: "nope" }, groupBy: ["route"] } },
  { name: "count unknown service, no groups", query: { metric: "count", filter: { service: "nope" } } },
  { name: "count 1h buckets, last 6h", query: { metric: "count", timeRange: { last: "6h" }, bucket: "1h" } },
  {
    name: "count 5m buckets by service, last 1h",
    query: { metric: "count", timeRange: { last: "1h" }, bucket: "5m", groupBy: ["service"] },
  },
  {
    name: "count 1d buckets, absolute",
    query: { metric: "count", timeRange: { from: "2026-11-24T00:00:00Z", to: "2026-11-26T06:00:00Z" }, bucket: "1d" },
  },
  { name: "error_rate", query: { metric: "error_rate", timeRange: { last: "2d" } } },
  { name: "error_rate by service", query: { metric: "error_rate", timeRange: { last: "2d" }, groupBy: ["service"] } },
  {
    name: "error_rate by route for payment",
    query: { metric: "error_rate", timeRange: { last: "2d" }, filter: { service: "payment" }, groupBy: ["route"] },
  },
  { name: "error_rate 6h buckets", query: { metric: "error_rate", timeRange: { last: "2d" }, bucket: "6h" } },
  { name: "avg", query: { metric: "avg", field: "durationMs", timeRange: { last: "2d" } } },
  { name: "avg by service", query: { metric: "avg", timeRange: { last: "2d" }, groupBy: ["service"] } },
  { name: "min", query: { metric: "min", timeRange: { last: "2d" } } },
  { name: "min by route, errors", query: { metric: "min", timeRange: { last: "2d" }, filter: { hasError: true }, groupBy: ["route"] } },
  { name: "max by service", query: { metric: "max", timeRange: { last: "2d" }, groupBy: ["service"] } },
  { name: "max 15m buckets by service, last 2h", query: { metric: "max", timeRange: { last: "2h" }, bucket: "15m", groupBy: ["service"] } },
  { name: "p50", query: { metric: "p50", timeRange: { last: "2d" } } },
  { name: "p95 by service", query: { metric: "p95", timeRange: { last: "2d" }, groupBy: ["service"] } },
  {
    name: "p99 by route, payment",
    query: { metric: "p99", timeRange: { last: "2d" }, filter: { service: "payment" }, groupBy: ["route"] },
  },
  { name: "p95 by errorCode (null for events without one)", query: { metric: "p95", timeRange: { last: "2d" }, groupBy: ["errorCode"] } },
  {
    name: "p95 1h buckets by service (more groups than the refine pass names one by one)",
    query: { metric: "p95", timeRange: { last: "1d" }, bucket: "1h", groupBy: ["service"] },
  },
  { name: "p95 6h buckets", query: { metric: "p95", timeRange: { last: "1d" }, bucket: "6h" } },
  { name: "p50 empty", query: { metric: "p50", timeRange: { last: "2d" }, filter: { service: "nope" } } },
  ...operatorQueries(),
  ...attrQueries(),
];

/** Every operator on every dimension, and on durationMs (bare values above are `eq`). */
function operatorQueries(): Array<{ name: string; query: StatQuery }> {
  const last = { last: "2d" } as const;
  const count = (name: string, filter: StatQuery["filter"], groupBy?: StatQuery["groupBy"]) => ({
    name: `count, ${name}`,
    query: { metric: "count", timeRange: last, filter, ...(groupBy ? { groupBy } : {}) } as StatQuery,
  });
  return [
    count("service eq (operator form)", { service: { eq: "payment" } }),
    count("service neq", { service: { neq: "payment" } }, ["service"]),
    count("service in", { service: { in: ["payment", "search", "nope"] } }, ["service"]),
    count("service nin", { service: { nin: ["payment", "search"] } }, ["service"]),
    count("service exists", { service: { exists: true } }),
    count("service exists false", { service: { exists: false } }),
    count("route neq (events without a route pass)", { route: { neq: "/healthz" } }, ["route"]),
    count("route in", { route: { in: ["/healthz", "/api/orders"] } }, ["route"]),
    count("route nin", { route: { nin: ["/healthz", "/api/orders"] } }, ["route"]),
    count("route exists false", { route: { exists: false } }, ["service"]),
    count("method in", { method: { in: ["POST", "PUT"] } }, ["method"]),
    count("method nin", { method: { nin: ["GET"] } }, ["method"]),
    count("method neq, exists", { method: { neq: "DELETE", exists: true } }, ["method"]),
    count("statusCode range gte/lt", { statusCode: { gte: 400, lt: 500 } }, ["statusCode"]),
    count("statusCode range gt/lte", { statusCode: { gt: 200, lte: 502 } }, ["statusCode"]),
    count("statusCode in", { statusCode: { in: [404, 503] } }, ["statusCode"]),
    count("statusCode nin (no status passes)", { statusCode: { nin: [200] } }, ["statusCode"]),
    count("statusCode neq", { statusCode: { neq: 200 } }),
    count("statusCode exists false", { statusCode: { exists: false } }, ["service"]),
    count("errorCode neq", { errorCode: { neq: "DB_DOWN" } }, ["errorCode"]),
    count("errorCode in", { errorCode: { in: ["DB_DOWN", "RATE_LIMITED"] } }, ["errorCode"]),
    count("errorCode nin", { errorCode: { nin: ["DB_DOWN"] } }, ["errorCode"]),
    count("errorCode exists", { errorCode: { exists: true } }, ["service"]),
    count("errorCode exists false, errors", { errorCode: { exists: false }, hasError: true }),
    count("durationMs gte", { durationMs: { gte: 500 } }, ["service"]),
    count("durationMs gt/lte", { durationMs: { gt: 10, lte: 100 } }),
    count("durationMs lt", { durationMs: { lt: 20 } }, ["method"]),
    count("durationMs eq 0", { durationMs: 0 }),
    count("durationMs neq 0 (no duration passes)", { durationMs: { neq: 0 } }),
    count("durationMs in, nin", { durationMs: { in: [0, 55.9, 7.4], nin: [7.4] } }),
    count("durationMs exists false", { durationMs: { exists: false } }, ["service"]),
    count("several dimensions at once", { service: { nin: ["search"] }, method: { in: ["GET", "POST"] }, statusCode: { lt: 500 } }, [
      "service",
      "method",
    ]),
    {
      name: "p95, durationMs range",
      query: { metric: "p95", timeRange: last, filter: { durationMs: { gte: 50, lt: 2000 } }, groupBy: ["service"] },
    },
    { name: "avg, durationMs gt, errors", query: { metric: "avg", timeRange: last, filter: { durationMs: { gt: 100 }, hasError: true } } },
    { name: "max, service nin", query: { metric: "max", timeRange: last, filter: { service: { nin: ["payment"] } }, groupBy: ["route"] } },
    {
      name: "min, statusCode range",
      query: { metric: "min", timeRange: last, filter: { statusCode: { gte: 400 } }, groupBy: ["statusCode"] },
    },
    {
      name: "error_rate, route nin",
      query: { metric: "error_rate", timeRange: last, filter: { route: { nin: ["/healthz"] } }, groupBy: ["service"] },
    },
  ];
}

/** attr: filters (string, number, boolean, exists), attr: groups, attr: fields. */
function attrQueries(): Array<{ name: string; query: StatQuery }> {
  const last = { last: "2d" } as const;
  const count = (name: string, attr: NonNullable<StatQuery["filter"]>["attr"], groupBy?: StatQuery["groupBy"]) => ({
    name: `count, attr ${name}`,
    query: { metric: "count", timeRange: last, filter: { attr }, ...(groupBy ? { groupBy } : {}) } as StatQuery,
  });
  return [
    count("string eq", { "user.plan": "pro" }),
    count("string eq (operator form), by service", { "user.plan": { eq: "enterprise" } }, ["service"]),
    count("string neq (missing, null, objects and arrays pass)", { "user.plan": { neq: "pro" } }),
    count("string in", { "user.plan": { in: ["pro", "enterprise"] } }, ["attr:user.plan"]),
    count("string nin", { "user.plan": { nin: ["free"] } }, ["attr:user.plan"]),
    count("exists (scalars only)", { "user.plan": { exists: true } }),
    count("exists false (null, objects, arrays, missing)", { "user.plan": { exists: false } }),
    count("path through a string", { "user.id": { exists: true } }),
    count("top-level string", { region: "eu-west" }, ["service"]),
    count("number gte", { "cart.total": { gte: 250 } }),
    count("number gt/lte", { "cart.total": { gt: 100, lte: 300 } }, ["service"]),
    count("number lt (strings never compare)", { "cart.total": { lt: 50 } }),
    count("number eq 0", { "cart.total": 0 }),
    count("number neq 0", { "cart.total": { neq: 0 } }),
    count("number in, mixed with strings", { "cart.items": { in: [1, 2, "3"] } }, ["attr:cart.items"]),
    count("number nin", { "cart.items": { nin: [1, 2] } }),
    count("number exists false (strings, arrays, missing)", { "cart.total": { exists: false } }),
    count("boolean eq true (not 1)", { "flags.beta": true }),
    count("number eq 1 (not true)", { "flags.beta": 1 }),
    count("boolean eq false (not 0)", { "flags.beta": { eq: false } }),
    count("boolean neq true", { "flags.beta": { neq: true } }),
    count("boolean in [true, 0]", { "flags.beta": { in: [true, 0] } }),
    count("boolean nin [false, 1]", { "flags.beta": { nin: [false, 1] } }),
    count("string eq 'true' (not true)", { "flags.beta": "true" }),
    count("boolean, user.beta exists", { "user.beta": { exists: true } }, ["attr:user.beta"]),
    count("array of objects on the path never matches", { "items.sku": "a" }),
    count("array of objects on the path: neq passes all", { "items.sku": { neq: "a" } }),
    count("array at the leaf never matches", { tags: "x" }),
    count("array at the leaf: nin passes", { tags: { nin: ["x"] } }),
    count("array in place of an object", { "cart.total": 10 }),
    count("a key with a dot is not a path", { "http.method": { exists: true } }),
    count(
      "several attr filters and a dimension",
      { "user.plan": { in: ["pro", "free"] }, "cart.total": { gte: 100 }, "flags.beta": { neq: false } },
      ["service"],
    ),
    { name: "count by attr:user.plan", query: { metric: "count", timeRange: last, groupBy: ["attr:user.plan"] } },
    {
      name: "count by attr:flags.beta (true, 1 and 'true' apart)",
      query: { metric: "count", timeRange: last, groupBy: ["attr:flags.beta"] },
    },
    {
      name: "count by attr:flags.beta, service, filtered on a dimension",
      query: { metric: "count", timeRange: last, filter: { service: { neq: "search" } }, groupBy: ["attr:flags.beta", "service"] },
    },
    { name: "count by attr:region, 6h buckets", query: { metric: "count", timeRange: last, bucket: "6h", groupBy: ["attr:region"] } },
    { name: "count by attr:cart.items top 3", query: { metric: "count", timeRange: last, groupBy: ["attr:cart.items"], limit: 3 } },
    { name: "count by attr:items.sku (arrays group as null)", query: { metric: "count", timeRange: last, groupBy: ["attr:items.sku"] } },
    {
      name: "error_rate by attr:user.plan, service",
      query: { metric: "error_rate", timeRange: last, groupBy: ["attr:user.plan", "service"] },
    },
    { name: "avg durationMs by attr:region", query: { metric: "avg", timeRange: last, groupBy: ["attr:region"] } },
    { name: "p95 durationMs by attr:user.plan", query: { metric: "p95", timeRange: last, groupBy: ["attr:user.plan"] } },
    {
      name: "max durationMs by attr:flags.beta, attr filter",
      query: { metric: "max", timeRange: last, filter: { attr: { "cart.total": { gte: 10 } } }, groupBy: ["attr:flags.beta"] },
    },
    {
      name: "min durationMs by attr:cart.items and attr:cart.total prefix",
      query: { metric: "min", timeRange: last, groupBy: ["attr:cart.items", "attr:cart"] },
    },
    { name: "avg attr:cart.total", query: { metric: "avg", field: "attr:cart.total", timeRange: last } },
    {
      name: "avg attr:cart.total by attr:user.plan",
      query: { metric: "avg", field: "attr:cart.total", timeRange: last, groupBy: ["attr:user.plan"] },
    },
    { name: "min attr:cart.total by service", query: { metric: "min", field: "attr:cart.total", timeRange: last, groupBy: ["service"] } },
    { name: "max attr:cart.total, 6h buckets", query: { metric: "max", field: "attr:cart.total", timeRange: last, bucket: "6h" } },
    { name: "p95 attr:cart.total", query: { metric: "p95", field: "attr:cart.total", timeRange: last } },
    {
      name: "p50 attr:cart.total by attr:user.plan, filtered",
      query: {
        metric: "p50",
        field: "attr:cart.total",
        timeRange: last,
        filter: { method: { in: ["GET", "POST"] }, attr: { "flags.beta": { exists: true } } },
        groupBy: ["attr:user.plan"],
      },
    },
    { name: "p99 attr:cart.items by service", query: { metric: "p99", field: "attr:cart.items", timeRange: last, groupBy: ["service"] } },
    { name: "max attr:flags.beta (booleans are not numbers)", query: { metric: "max", field: "attr:flags.beta", timeRange: last } },
    { name: "avg attr:user.plan (no numbers: null)", query: { metric: "avg", field: "attr:user.plan", timeRange: last } },
    {
      name: "p95 attr:cart.total, durationMs and attr filters",
      query: {
        metric: "p95",
        field: "attr:cart.total",
        timeRange: last,
        filter: { durationMs: { gte: 20 }, attr: { "cart.total": { lt: 400 } } },
      },
    },
  ];
}
