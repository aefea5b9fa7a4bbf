import { describe, expect, test } from "bun:test";
import { MemoryPublisher } from "../../../src/adapters/memory/memory-publisher.ts";
import { parseConfig } from "../../../src/config/schema.ts";
import { BatchingSink } from "../../../src/delivery/batching-sink.ts";
import { createAdapters } from "../../../src/factory/create-adapters.ts";
import { ROUTE_METHODS } from "../../../src/http/allowed-methods.ts";
import { createApp } from "../../../src/http/create-app.ts";
import { MetricsRegistry } from "../../../src/metrics/registry.ts";

async function app() {
  const config = parseConfig({ EVENT_STORE: "memory" });
  const metrics = new MetricsRegistry();
  const adapters = await createAdapters(config, { runtime: "bun" }, { metrics });
  return createApp({ config, adapters, sink: new BatchingSink(new MemoryPublisher(), { metrics }), metrics });
}

/** One concrete path per route pattern. */
const SAMPLE_PATHS = [
  "/v1/events",
  "/v1/logs",
  "/v1/query",
  "/v1/search",
  "/v1/search/sessions",
  "/v1/search/sessions/abcdefgh12",
  "/healthz",
  "/readyz",
  "/metrics",
  "/dashboard",
];

describe("405 Method Not Allowed", async () => {
  const gateway = await app();

  test("PUT /v1/events is 405 with Allow and a JSON error", async () => {
    const response = await gateway.request("/v1/events", { method: "PUT", body: "{}" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD, POST");
    expect(await response.json()).toEqual({
      error: { code: "METHOD_NOT_ALLOWED", message: "PUT is not allowed on /v1/events; use GET, HEAD, POST" },
    });
  });

  test("GET /v1/query is 405 naming POST", async () => {
    const response = await gateway.request("/v1/query");
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
  });

  test("a path no route has is still 404", async () => {
    const response = await gateway.request("/v1/nope", { method: "PUT" });
    expect(response.status).toBe(404);
    expect(response.headers.get("allow")).toBeNull();
  });

  test("every sample path matches one table entry", () => {
    for (const path of SAMPLE_PATHS) expect(ROUTE_METHODS.filter(([pattern]) => pattern.test(path))).toHaveLength(1);
  });

  test("every method the table allows is served (the table matches the routes)", async () => {
    for (const path of SAMPLE_PATHS) {
      const [, methods] = ROUTE_METHODS.find(([pattern]) => pattern.test(path)) ?? [undefined, []];
      for (const method of methods) {
        const init: RequestInit = method === "POST" ? { method, headers: { "content-type": "application/json" }, body: "{}" } : { method };
        const response = await gateway.request(path, init);
        // A served route may refuse the body or miss the session, but never with 405, nor with the router's 404.
        expect({ path, method, status: response.status }).not.toMatchObject({ status: 405 });
        // HEAD answers carry no body; GET on the same path checks the message.
        if (response.status === 404 && method !== "HEAD")
          expect(((await response.json()) as { error: { message: string } }).error.message).not.toStartWith("no route");
      }
    }
  });
});
