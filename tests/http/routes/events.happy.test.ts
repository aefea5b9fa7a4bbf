import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryEventStore } from "../../../src/adapters/memory/memory-event-store.ts";
import { SqliteEventStore } from "../../../src/adapters/sqlite/sqlite-event-store.ts";
import type { EventStore } from "../../../src/ports/event-store.ts";
import { contractEvents } from "../../query/fixtures.ts";
import { queryApp } from "../../support/query-app.ts";

const dir = mkdtempSync(join(tmpdir(), "widegate-events-route-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const events = contractEvents(800);
type Page = { events: Array<Record<string, unknown>>; nextCursor: string | null };

for (const [label, open] of [
  ["memory", () => new MemoryEventStore()],
  ["embedded", () => new SqliteEventStore(dir)],
] as Array<[string, () => EventStore]>) {
  describe(`GET /v1/events (${label})`, async () => {
    const store = open();
    await store.insertMany(events);
    const app = queryApp(store, new Map([["k-acme", "acme"]]));
    const get = async (query: string) => {
      const res = await app.request(`/v1/events?${query}`, { headers: { authorization: "Bearer k-acme" } });
      expect(res.status).toBe(200);
      return (await res.json()) as Page;
    };

    test("pages newest first through every matching event, once each", async () => {
      const ids: string[] = [];
      const times: number[] = [];
      let page = await get("service=checkout&limit=40");
      for (;;) {
        ids.push(...page.events.map((e) => String(e.eventId)));
        times.push(...page.events.map((e) => Date.parse(String(e.timestamp))));
        if (!page.nextCursor) break;
        page = await get(`service=checkout&limit=40&cursor=${page.nextCursor}`);
      }
      const expected = events.filter((e) => e.tenant === "acme" && e.service === "checkout");
      expect(new Set(ids).size).toBe(expected.length);
      expect(ids.length).toBe(expected.length);
      expect(times).toEqual([...times].sort((a, b) => b - a));
    });

    test("q matches message and error text, case-insensitively", async () => {
      const page = await get("q=TIMEOUT&limit=200");
      expect(page.events.length).toBeGreaterThan(0);
      for (const e of page.events) expect(JSON.stringify(e.error).toLowerCase()).toContain("timeout");
    });

    test("filters combine: statusCode, errorCode, route, from/to", async () => {
      const from = new Date(Date.UTC(2026, 10, 25, 12)).toISOString();
      const page = await get(`statusCode=503&errorCode=DB_DOWN&route=/api/orders&from=${from}&limit=200`);
      const expected = events.filter(
        (e) =>
          e.tenant === "acme" &&
          e.statusCode === 503 &&
          (e.error as { code?: string } | undefined)?.code === "DB_DOWN" &&
          e.route === "/api/orders" &&
          Date.parse(String(e.timestamp)) >= Date.parse(from),
      );
      expect(page.events.map((e) => e.eventId).sort()).toEqual(expected.map((e) => e.eventId).sort());
      expect(page.nextCursor).toBeNull();
    });

    test("another tenant's events are never listed", async () => {
      const other = queryApp(store, new Map([["k-other", "other"]]));
      const res = await other.request("/v1/events?limit=200", { headers: { "x-api-key": "k-other" } });
      const page = (await res.json()) as Page;
      expect(page.events.every((e) => e.tenant === "other")).toBe(true);
      expect(page.events.length).toBeGreaterThan(0);
    });
  });
}
