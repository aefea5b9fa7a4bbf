import { describe, expect, test } from "bun:test";
import { MemoryEventStore } from "../../../src/adapters/memory/memory-event-store.ts";
import { postQuery, QUERY_INJECTIONS, queryApp, RecordingStore } from "../../support/query-app.ts";

describe("POST /v1/query refuses injection before the store", () => {
  const store = new RecordingStore(new MemoryEventStore());
  const app = queryApp(store);

  test.each(QUERY_INJECTIONS)("%s → 400 naming %s", async (_, body, path) => {
    const before = store.calls.length;
    const res = await postQuery(app, body);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("INVALID_QUERY");
    expect(error.message).toContain(path);
    expect(store.calls.length).toBe(before);
  });

  test("a valid query does reach the store, with the caller's tenant", async () => {
    const res = await postQuery(app, { metric: "count" });
    expect(res.status).toBe(200);
    expect(store.calls.at(-1)).toMatchObject({ method: "readRollups", args: [{ tenant: "default" }] });
  });
});
