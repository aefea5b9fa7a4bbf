import { expect, test } from "bun:test";
import type { OutboundEvent } from "../../ports/publisher.ts";
import { MemoryEventStore } from "./memory-event-store.ts";

const NOW = Date.UTC(2026, 10, 26, 12);
const event = (): OutboundEvent => ({
  eventId: "e1",
  requestId: "r1",
  tenant: "acme",
  service: "payment",
  route: "/api/pay",
  statusCode: 200,
  timestamp: new Date(NOW - 60_000).toISOString(),
  cart: { items: [{ sku: "A", qty: 1 }] },
});

test("a stored event is a copy: changing the inserted object later changes neither answers nor reads", async () => {
  const store = new MemoryEventStore();
  const sent = event();
  await store.insertMany([sent]);
  sent.service = "changed";
  (sent.cart as { items: Array<{ qty: number }> }).items[0] = { qty: 99 };
  const page = await store.find({ limit: 10 }, { tenant: "acme", now: NOW });
  expect(page.events).toEqual([event()]);
  const byService = await store.query({ metric: "count", timeRange: { last: "1h" }, groupBy: ["service"] }, { tenant: "acme", now: NOW });
  expect(byService.rows).toEqual([{ service: "payment", value: 1 }]);
});

test("events read back are fresh objects each time", async () => {
  const store = new MemoryEventStore();
  await store.insertMany([event()]);
  const first = await store.find({ limit: 10 }, { tenant: "acme", now: NOW });
  const cart = first.events[0]?.cart as { items: unknown[] } | undefined;
  if (cart) cart.items.length = 0;
  const second = await store.find({ limit: 10 }, { tenant: "acme", now: NOW });
  expect(second.events).toEqual([event()]);
});
