import { Hono } from "hono";
import type { EventFilter } from "../../src/domain/query/event-filter.ts";
import type { QueryScope } from "../../src/domain/query/plan.ts";
import type { StatQuery, StatResult } from "../../src/domain/query/stat-query.ts";
import type { RollupDelta, RollupRecord } from "../../src/domain/rollup/rollup.ts";
import { jsonError } from "../../src/http/errors.ts";
import { eventsRoutes } from "../../src/http/routes/events.ts";
import { queryRoutes } from "../../src/http/routes/query.ts";
import type { DistinctField, EventPage, EventStore, InsertResult, RollupApplyResult, RollupRead } from "../../src/ports/event-store.ts";
import type { HealthStatus } from "../../src/ports/health.ts";
import type { OutboundEvent } from "../../src/ports/publisher.ts";

/** A real store that also records what reached it, so tests can show a rejected request never did. */
export class RecordingStore implements EventStore {
  readonly name: string;
  readonly calls: Array<{ method: string; args: unknown[] }> = [];
  constructor(readonly inner: EventStore) {
    this.name = inner.name;
  }
  private record(method: string, ...args: unknown[]) {
    this.calls.push({ method, args });
  }
  insertMany(events: readonly OutboundEvent[]): Promise<InsertResult> {
    return this.inner.insertMany(events);
  }
  count(): Promise<number> {
    return this.inner.count();
  }
  query(query: StatQuery, scope: QueryScope): Promise<StatResult> {
    this.record("query", query, scope);
    return this.inner.query(query, scope);
  }
  find(search: EventFilter, scope: QueryScope): Promise<EventPage> {
    this.record("search", search, scope);
    return this.inner.find(search, scope);
  }
  distinct(field: DistinctField, scope: QueryScope): Promise<string[]> {
    this.record("distinct", field, scope);
    return this.inner.distinct(field, scope);
  }
  applyRollups(deltas: readonly RollupDelta[]): Promise<RollupApplyResult> {
    return this.inner.applyRollups(deltas);
  }
  readRollups(read: RollupRead): Promise<RollupRecord[]> {
    this.record("readRollups", read);
    return this.inner.readRollups(read);
  }
  rollupsSince(): Promise<number> {
    return this.inner.rollupsSince();
  }
  health(): Promise<HealthStatus> {
    return this.inner.health();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** The query and events routes as createApp mounts them, with the app's error handling. */
export function queryApp(store: EventStore, queryKeys?: ReadonlyMap<string, string>) {
  const app = new Hono();
  app.route("/", queryRoutes({ queryKeys, store }));
  app.route("/", eventsRoutes({ queryKeys, store }));
  app.onError((error, c) => {
    console.error(error);
    return jsonError(c, 500, "INTERNAL", "internal error");
  });
  return app;
}

export const postQuery = (app: ReturnType<typeof queryApp>, body: unknown, headers: Record<string, string> = {}) =>
  app.request("/v1/query", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

/** StatQuery injection attempts: each must be a 400 that names the problem, before any store call. */
export const QUERY_INJECTIONS: Array<[string, unknown, string]> = [
  ["$where at the top level", { metric: "count", $where: "sleep(1000)" }, "$where"],
  ["$function as a metric", { metric: { $function: { body: "return 1", args: [], lang: "js" } } }, "metric"],
  ["operator object for a string", { metric: "count", filter: { service: { $ne: null } } }, "filter.service"],
  ["$regex object for route", { metric: "count", filter: { route: { $regex: "^/api" } } }, "filter.route"],
  ["$gt for statusCode", { metric: "count", filter: { statusCode: { $gt: 0 } } }, "filter.statusCode"],
  ["unknown filter field", { metric: "count", filter: { "user.id": "u1" } }, "filter"],
  ["unknown top-level field", { metric: "count", pipeline: [{ $match: {} }] }, "pipeline"],
  ["unknown groupBy field", { metric: "count", groupBy: ["$where"] }, "groupBy"],
  ["field that is not whitelisted", { metric: "avg", field: "_q.w" }, "field"],
  ["string starting with $", { metric: "count", filter: { service: "$service" } }, "filter.service"],
  ["regex bomb as service", { metric: "count", filter: { service: "(a+)+$" } }, "filter.service"],
  ["regex bomb as errorCode", { metric: "count", filter: { errorCode: "^(\\w+\\s?)*$" } }, "filter.errorCode"],
  ["regex bomb as route", { metric: "count", filter: { route: "/(x|x)*y" } }, "filter.route"],
  ["$expr in timeRange", { metric: "count", timeRange: { $expr: { $gt: ["$a", 1] } } }, "timeRange"],
  ["timeRange last as object", { metric: "count", timeRange: { last: { $gt: "" } } }, "timeRange"],
  ["over-long service", { metric: "count", filter: { service: "s".repeat(129) } }, "filter.service"],
  ["control character", { metric: "count", filter: { service: "pay\u0000ment" } }, "filter.service"],
  ["limit as operator", { metric: "count", limit: { $gt: 1 } }, "limit"],
  ["prototype key", JSON.parse('{"metric":"count","__proto__":{"polluted":true}}'), "query"],
];

/** GET /v1/events injection attempts (query strings). */
export const SEARCH_INJECTIONS: Array<[string, string, string]> = [
  ["repeated param", "service=payment&service=search", "more than once"],
  ["operator key", "service[$ne]=x", "unknown parameter"],
  ["$where param", "$where=sleep(1)", "unknown parameter"],
  ["operator-looking value", "service=$ne", "operator"],
  ["JSON operator object", `errorCode=${encodeURIComponent('{"$gt":""}')}`, "operator"],
  ["array value", "route=[1,2]", "operator"],
  ["non-numeric statusCode", "statusCode=5xx", "statusCode"],
  ["over-long string", `q=${"a".repeat(201)}`, "q"],
  ["regex bomb in q", `q=${encodeURIComponent("(a+)+$")}`, "regex"],
  ["regex in service", `service=${encodeURIComponent(".*")}`, "regex"],
  ["forged cursor", `cursor=${btoa(JSON.stringify([{ $gt: 0 }, "x"]))}`, "cursor"],
];
