import { describe, expect, test } from "bun:test";
import { MemoryEventStore } from "../../../src/adapters/memory/memory-event-store.ts";
import { queryApp, RecordingStore, SEARCH_INJECTIONS } from "../../support/query-app.ts";

describe("GET /v1/events refuses injection before the store", () => {
  const store = new RecordingStore(new MemoryEventStore());
  const app = queryApp(store);

  test.each(SEARCH_INJECTIONS)("%s → 400 (%s)", async (_, query, fragment) => {
    const res = await app.request(`/v1/events?${query}`);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { message: string } };
    expect(error.message).toContain(fragment);
    expect(store.calls).toEqual([]);
  });

  test("a regex-looking q that is allowed is matched literally", async () => {
    await store.insertMany([{ eventId: "e1", requestId: "r", tenant: "default", service: "s", message: "price [eur] 10.5 / item" }]);
    const hit = (await (await app.request(`/v1/events?q=${encodeURIComponent("10.5 /")}`)).json()) as { events: unknown[] };
    const miss = (await (await app.request(`/v1/events?q=${encodeURIComponent("1005")}`)).json()) as { events: unknown[] };
    expect(hit.events.length).toBe(1);
    expect(miss.events.length).toBe(0);
  });
});
