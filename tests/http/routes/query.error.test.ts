import { describe, expect, test } from "bun:test";
import { MemoryEventStore } from "../../../src/adapters/memory/memory-event-store.ts";
import { MAX_QUERY_BYTES } from "../../../src/http/routes/query.ts";
import { postQuery, queryApp } from "../../support/query-app.ts";

describe("POST /v1/query errors", () => {
  const app = queryApp(new MemoryEventStore(), new Map([["k-acme", "acme"]]));
  const auth = { "x-api-key": "k-acme" };
  const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

  test("401 without or with a wrong key, naming the scope", async () => {
    const missing = await postQuery(app, { metric: "count" });
    expect(missing.status).toBe(401);
    expect((await errorOf(missing)).message).toContain("query");
    expect((await postQuery(app, { metric: "count" }, { "x-api-key": "nope" })).status).toBe(401);
  });

  test.each([
    ["not JSON", "{metric:", 400, "INVALID_JSON"],
    ["JSON but not an object", "[1,2]", 400, "INVALID_QUERY"],
    ["unknown metric", { metric: "median" }, 400, "INVALID_QUERY"],
    ["field with count", { metric: "count", field: "durationMs" }, 400, "INVALID_QUERY"],
    ["bad duration", { metric: "count", timeRange: { last: "1 hour" } }, 400, "INVALID_QUERY"],
    ["from after to", { metric: "count", timeRange: { from: "2026-11-26T00:00:00Z", to: "2026-11-25T00:00:00Z" } }, 400, "INVALID_QUERY"],
    ["limit too large", { metric: "count", limit: 5000 }, 400, "INVALID_QUERY"],
    ["repeated groupBy", { metric: "count", groupBy: ["service", "service"] }, 400, "INVALID_QUERY"],
    ["unknown bucket", { metric: "count", bucket: "2m" }, 400, "INVALID_QUERY"],
  ])("%s → %i %s", async (_, body, status, code) => {
    const res = await postQuery(app, body, auth);
    expect(res.status).toBe(status);
    const error = await errorOf(res);
    expect(error.code).toBe(code);
    expect(error.message.length).toBeGreaterThan(0);
  });

  test("the message names the path of the problem", async () => {
    const error = await errorOf(await postQuery(app, { metric: "count", filter: { statusCode: "502" } }, auth));
    expect(error.message).toStartWith("filter.statusCode:");
  });

  test("415 for a body that is not declared JSON", async () => {
    const res = await app.request("/v1/query", {
      method: "POST",
      headers: { ...auth, "content-type": "text/plain" },
      body: '{"metric":"count"}',
    });
    expect(res.status).toBe(415);
  });

  test("413 over 64 KiB, declared or streamed", async () => {
    const big = JSON.stringify({ metric: "count", pad: "x".repeat(MAX_QUERY_BYTES) });
    const res = await postQuery(app, big, auth);
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe("PAYLOAD_TOO_LARGE");
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const streamed = await app.request("/v1/query", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });

  test("deep nesting is a 400, never a crash", async () => {
    const res = await postQuery(app, `${"[".repeat(30_000)}${"]".repeat(30_000)}`, auth);
    expect(res.status).toBe(400);
  });
});
