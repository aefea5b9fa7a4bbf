import { afterAll, beforeAll, test as bunTest, expect } from "bun:test";
import { MemoryEventStore } from "../../src/adapters/memory/memory-event-store.ts";
import { ALPHA } from "../../src/domain/query/histogram.ts";
import type { StatResult, StatRow } from "../../src/domain/query/stat-query.ts";
import { parseStatQuery } from "../../src/domain/query/stat-query.ts";
import type { EventStore } from "../../src/ports/event-store.ts";
import { CONTRACT_QUERIES, contractEvents, NOW } from "./fixtures.ts";

/** Tolerances of the contract (README "Query engine"): counts and min/max exact, ratios to float error. */
/** FerretDB scans every document of a query (~0.2 ms each here): give each test room. */
const test = (name: string, body: () => Promise<void>) => bunTest(name, body, 60_000);

export const TOLERANCE = { ratio: 1e-9, percentile: ALPHA };

function close(actual: number | null, expected: number | null, relative: number): boolean {
  if (actual === null || expected === null) return actual === expected;
  return Math.abs(actual - expected) <= relative * Math.max(Math.abs(expected), 1e-9);
}

/** Same group keys, same order; values equal within the metric's tolerance. */
export function expectSameRows(metric: string, actual: StatResult, expected: StatResult): void {
  const strip = (rows: StatRow[]) => rows.map(({ value, ...keys }) => keys);
  expect(strip(actual.rows)).toEqual(strip(expected.rows));
  expect(actual.estimated).toBe(expected.estimated);
  const tolerance =
    metric === "count" || metric === "min" || metric === "max" ? 0 : metric.startsWith("p") ? TOLERANCE.percentile : TOLERANCE.ratio;
  actual.rows.forEach((row, i) => {
    const want = expected.rows[i]?.value ?? null;
    if (!close(row.value, want, tolerance))
      throw new Error(`row ${i} ${JSON.stringify(row)}: expected value ${want} (tolerance ${tolerance})`);
  });
}

/**
 * Registers the contract for one store: the seeded dataset goes in once, then each query's rows
 * must equal the memory store's (the reference evaluator) within the stated tolerance.
 */
export function storeContract(open: () => Promise<EventStore>, cleanup: (store: EventStore) => Promise<void>): void {
  let store: EventStore;
  const reference = new MemoryEventStore();
  const events = contractEvents(2000);

  beforeAll(async () => {
    store = await open();
    await reference.insertMany(events);
    for (let i = 0; i < events.length; i += 500) await store.insertMany(events.slice(i, i + 500));
  }, 60_000);
  afterAll(async () => {
    await cleanup(store);
  });

  test("holds every event once per tenant", async () => {
    expect(await store.count()).toBe(events.length);
    const again = await store.insertMany(events.slice(0, 50));
    expect(again).toEqual({ inserted: 0, duplicates: 50 });
  });

  for (const { name, query } of CONTRACT_QUERIES) {
    test(`same rows: ${name}`, async () => {
      const parsed = parseStatQuery(structuredClone(query));
      if (!parsed.ok) throw new Error(parsed.error);
      const scope = { tenant: "acme", now: NOW };
      const [actual, expected] = await Promise.all([store.query(parsed.query, scope), reference.query(parsed.query, scope)]);
      expectSameRows(parsed.query.metric, actual, expected);
    });
  }

  test("other tenants' events never count", async () => {
    const parsed = parseStatQuery({ metric: "count", timeRange: { last: "2d" } });
    if (!parsed.ok) throw new Error(parsed.error);
    const acme = await store.query(parsed.query, { tenant: "acme", now: NOW });
    const other = await store.query(parsed.query, { tenant: "other", now: NOW });
    const nobody = await store.query(parsed.query, { tenant: "nobody", now: NOW });
    const weight = (tenant: string) =>
      events
        .filter((e) => e.tenant === tenant && Date.parse(String(e.timestamp)) >= NOW - 2 * 86_400_000)
        .reduce((n, e) => n + 1 / ((e.sampling as { rate: number }).rate ?? 1), 0);
    expect(acme.rows[0]?.value).toBe(weight("acme"));
    expect(other.rows[0]?.value).toBe(weight("other"));
    expect(nobody.rows).toEqual([{ value: 0 }]);
  });

  test("search pages through a tenant's events newest first, with filters", async () => {
    const seen: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const result = await store.find({ service: "payment", limit: 150, ...(cursor ? { cursor } : {}) }, { tenant: "acme" });
      seen.push(...result.events);
      if (!result.nextCursor) break;
      cursor = result.nextCursor;
    }
    const expected = events
      .filter((e) => e.tenant === "acme" && e.service === "payment")
      .sort((a, b) => Date.parse(String(b.timestamp)) - Date.parse(String(a.timestamp)) || (a.eventId < b.eventId ? 1 : -1));
    expect(seen.map((e) => e.eventId)).toEqual(expected.map((e) => e.eventId));
    expect(seen[0]).toEqual(expected[0] as Record<string, unknown>);
  });

  test("search q is a case-insensitive substring of message and error fields", async () => {
    const result = await store.find({ q: "CONNECTION RESET", errorCode: "DB_DOWN", limit: 200 }, { tenant: "acme" });
    const expected = events.filter(
      (e) =>
        e.tenant === "acme" &&
        (e.error as { code?: string } | undefined)?.code === "DB_DOWN" &&
        String((e.error as { message?: string }).message).includes("connection reset"),
    );
    expect(result.events.length).toBe(Math.min(expected.length, 200));
    expect(expected.length).toBeGreaterThan(0);
  });

  test("search by statusCode and time range", async () => {
    const from = NOW - 6 * 3_600_000;
    const result = await store.find({ statusCode: 502, from, to: NOW, limit: 200 }, { tenant: "acme" });
    const expected = events.filter((e) => e.tenant === "acme" && e.statusCode === 502 && Date.parse(String(e.timestamp)) >= from);
    expect(result.events.map((e) => e.eventId).sort()).toEqual(expected.map((e) => e.eventId).sort());
  });

  test("search by hasError and method pages through every matching event", async () => {
    const isError = (e: Record<string, unknown>) => e.error != null || (typeof e.statusCode === "number" && e.statusCode >= 500);
    for (const [hasError, method] of [
      [true, "POST"],
      [false, "GET"],
    ] as const) {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 50; page++) {
        const result = await store.find({ hasError, method, limit: 100, ...(cursor ? { cursor } : {}) }, { tenant: "acme" });
        seen.push(...result.events.map((e) => String(e.eventId)));
        if (!result.nextCursor) break;
        cursor = result.nextCursor;
      }
      const expected = events
        .filter((e) => e.tenant === "acme" && isError(e) === hasError && e.method === method)
        .map((e) => String(e.eventId));
      expect(expected.length).toBeGreaterThan(0);
      expect(seen.sort()).toEqual(expected.sort());
    }
  });

  test("distinct values per tenant", async () => {
    expect(await store.distinct("service", { tenant: "acme" })).toEqual(["catalog", "checkout", "payment", "search"]);
    expect(await store.distinct("errorCode", { tenant: "acme" })).toEqual(["DB_DOWN", "GATEWAY_TIMEOUT", "RATE_LIMITED"]);
    expect((await store.distinct("route", { tenant: "acme" })).length).toBe(5);
    expect(await store.distinct("service", { tenant: "nobody" })).toEqual([]);
  });
}
