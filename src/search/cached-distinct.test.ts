import { expect, test } from "bun:test";
import { MemoryEventStore } from "../adapters/memory/memory-event-store.ts";
import { DistinctCache } from "./cached-distinct.ts";

test("distinct values are cached per tenant and field for the TTL, then re-read", async () => {
  let now = 0;
  const inner = new MemoryEventStore();
  const store = new DistinctCache(inner, 30_000, () => now);
  await store.insertMany([{ eventId: "1", requestId: "r", tenant: "a", service: "payment" }]);
  expect(await store.distinct("service", { tenant: "a" })).toEqual(["payment"]);
  expect(await store.distinct("service", { tenant: "b" })).toEqual([]);

  await store.insertMany([{ eventId: "2", requestId: "r", tenant: "a", service: "search" }]);
  now = 29_999;
  expect(await store.distinct("service", { tenant: "a" })).toEqual(["payment"]);
  now = 30_000;
  expect(await store.distinct("service", { tenant: "a" })).toEqual(["payment", "search"]);
});

test("a failed lookup is not cached", async () => {
  const inner = new MemoryEventStore();
  let fail = true;
  const original = inner.distinct.bind(inner);
  inner.distinct = (field, scope) => (fail ? Promise.reject(new Error("down")) : original(field, scope));
  const store = new DistinctCache(inner);
  await expect(store.distinct("route", { tenant: "a" })).rejects.toThrow("down");
  fail = false;
  expect(await store.distinct("route", { tenant: "a" })).toEqual([]);
});
