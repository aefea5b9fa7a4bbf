import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { MemoryEventStore } from "../../../src/adapters/memory/memory-event-store.ts";
import { eventsRoutes } from "../../../src/http/routes/events.ts";
import type { OutboundEvent } from "../../../src/ports/publisher.ts";

const T0 = Date.UTC(2026, 10, 26);
const big = (i: number): OutboundEvent => ({
  eventId: `ev-${String(i).padStart(3, "0")}`,
  requestId: `r${i}`,
  tenant: "default", // open dev mode: no query keys
  service: "api",
  timestamp: new Date(T0 - i * 1000).toISOString(),
  receivedAt: new Date(T0).toISOString(),
  blob: "x".repeat(10_000),
  sampling: { reason: "SAMPLED_NORMAL", rate: 1 },
});

describe("GET /v1/events: answers bounded in bytes", async () => {
  const store = new MemoryEventStore();
  await store.insertMany(Array.from({ length: 20 }, (_, i) => big(i)));
  const app = new Hono().route("/", eventsRoutes({ store, maxResponseBytes: 35_000 }));
  const get = async (query: string) => {
    const response = await app.request(`/v1/events?${query}`);
    expect(response.status).toBe(200);
    return {
      bytes: (await response.clone().arrayBuffer()).byteLength,
      page: (await response.json()) as { events: Array<{ eventId: string }>; nextCursor: string | null },
    };
  };

  test("a page stops before the byte budget and carries a cursor for the rest", async () => {
    const { page, bytes } = await get("limit=200");
    expect(page.events.map((e) => e.eventId)).toEqual(["ev-000", "ev-001", "ev-002"]);
    expect(page.nextCursor).not.toBeNull();
    expect(bytes).toBeLessThan(36_000);
  });

  test("following the cursors returns every event once, in order", async () => {
    const ids: string[] = [];
    let query = "limit=200";
    for (let i = 0; i < 20; i++) {
      const { page } = await get(query);
      ids.push(...page.events.map((e) => e.eventId));
      if (!page.nextCursor) break;
      query = `limit=200&cursor=${page.nextCursor}`;
    }
    expect(ids).toEqual(Array.from({ length: 20 }, (_, i) => `ev-${String(i).padStart(3, "0")}`));
  });

  test("one event larger than the budget is still sent alone, so paging moves on", async () => {
    const tiny = new Hono().route("/", eventsRoutes({ store, maxResponseBytes: 100 }));
    const page = (await (await tiny.request("/v1/events?limit=5")).json()) as { events: unknown[]; nextCursor: string | null };
    expect(page.events).toHaveLength(1);
    expect(page.nextCursor).not.toBeNull();
  });
});
