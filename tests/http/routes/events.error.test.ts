import { describe, expect, test } from "bun:test";
import { MemoryEventStore } from "../../../src/adapters/memory/memory-event-store.ts";
import { queryApp } from "../../support/query-app.ts";

describe("GET /v1/events errors", () => {
  const app = queryApp(new MemoryEventStore(), new Map([["k", "acme"]]));
  const get = (query: string, key = "k") => app.request(`/v1/events?${query}`, { headers: { "x-api-key": key } });

  test("401 without a valid query key", async () => {
    expect((await app.request("/v1/events")).status).toBe(401);
    expect((await get("", "wrong")).status).toBe(401);
  });

  test.each([
    ["limit=abc", "limit"],
    ["limit=1000", "limit"],
    ["statusCode=99", "statusCode"],
    ["from=2026-13-45", "from"],
    ["to=tomorrow", "to"],
    ["unknown=1", "unknown parameter"],
    ["cursor=abc", "cursor"],
  ])("%s → 400 naming %s", async (query, fragment) => {
    const res = await get(query);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("INVALID_PARAMETER");
    expect(error.message).toContain(fragment);
  });

  test("an empty store answers an empty page", async () => {
    expect(await (await get("service=payment")).json()).toEqual({ events: [], nextCursor: null });
  });
});
