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
    events.push(event);
  }
  return events;
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
];
