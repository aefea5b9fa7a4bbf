import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { HttpTransport, type WideEvent, type WideEventVariables, wideEvents } from "../../src/sdk/index.ts";
import { INGEST_KEY, inProcessGateway, manualClock } from "./gateway.ts";

/** An app instrumented with the SDK, its transport delivering to the real gateway app. */
async function instrumented() {
  const gateway = await inProcessGateway();
  const transport = new HttpTransport({ url: gateway.url, apiKey: INGEST_KEY, fetch: gateway.fetch, flushIntervalMs: 0 });
  const clock = manualClock();
  const app = new Hono<{ Variables: WideEventVariables }>();
  app.use(wideEvents({ service: "payment", transport, clock: () => clock }));
  app.get("/api/payments/:id", (c) => {
    const event = c.var.wideEvent;
    event.set({ user: { id: "u_7" } }).step("balance-check", "wallet");
    clock.advance(30);
    event.step("payment-gateway", "payment-gateway").attachMetadata({ source: "test", attempt: 1 });
    clock.advance(2000);
    event.recordError({ code: "GATEWAY_TIMEOUT", message: "provider did not answer", type: "UpstreamError" });
    return c.json({ error: "timeout" }, 504);
  });
  app.get("/api/boom", () => {
    throw new TypeError("cannot read amount");
  });
  app.get("/api/ok", (c) => c.text("ok"));
  app.onError((_error, c) => c.json({ error: { code: "INTERNAL" } }, 500));
  const stored = async (requestId: string) => {
    await transport.flush();
    const found = (await gateway.events()).find((e) => e.requestId === requestId);
    if (!found) throw new Error(`event ${requestId} did not reach the gateway`);
    return found;
  };
  return { app, transport, gateway, stored };
}

describe("Hono middleware → real gateway", () => {
  test("the event carries the route pattern, not the raw path", async () => {
    const t = await instrumented();
    await t.app.request("/api/payments/pay_123", { headers: { "x-request-id": "r-route" } });
    const event = await t.stored("r-route");
    expect(event.route).toBe("/api/payments/:id");
    expect(event.method).toBe("GET");
    expect(event.service).toBe("payment");
  });

  test("status, duration from the request's clock and the error with its code and step", async () => {
    const t = await instrumented();
    await t.app.request("/api/payments/pay_1", { headers: { "x-request-id": "r-error" } });
    const event = await t.stored("r-error");
    expect(event.statusCode).toBe(504);
    expect(event.durationMs).toBe(2030);
    expect(event.error).toEqual({
      code: "GATEWAY_TIMEOUT",
      message: "provider did not answer",
      type: "UpstreamError",
      step: "payment-gateway",
    });
    expect(event.sampling?.reason).toBe("HAS_ERROR");
  });

  test("each step is recorded with its service and duration, and the last one is the event's step", async () => {
    const t = await instrumented();
    await t.app.request("/api/payments/pay_2", { headers: { "x-request-id": "r-steps" } });
    const event = await t.stored("r-steps");
    expect(event.steps).toEqual([
      { name: "balance-check", service: "wallet", startMs: 0, durationMs: 30 },
      { name: "payment-gateway", service: "payment-gateway", startMs: 30, durationMs: 2000 },
    ]);
    expect(event.step).toBe("payment-gateway");
  });

  test("_metadata and handler fields reach the stored event", async () => {
    const t = await instrumented();
    await t.app.request("/api/payments/pay_3", { headers: { "x-request-id": "r-meta" } });
    const event = await t.stored("r-meta");
    expect(event._metadata).toEqual({ source: "test", attempt: 1 });
    expect(event.user).toEqual({ id: "u_7" });
  });

  test("requestId comes from x-request-id and is echoed on the response", async () => {
    const t = await instrumented();
    const response = await t.app.request("/api/ok", { headers: { "x-request-id": "caller-42" } });
    expect(response.headers.get("x-request-id")).toBe("caller-42");
    expect((await t.stored("caller-42")).statusCode).toBe(200);
  });

  test("without x-request-id a UUID is generated", async () => {
    const t = await instrumented();
    const response = await t.app.request("/api/ok");
    const id = response.headers.get("x-request-id") ?? "";
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect((await t.stored(id)).route).toBe("/api/ok");
  });

  test("a thrown error is recorded as UNHANDLED with the 500 Hono answered", async () => {
    const t = await instrumented();
    const response = await t.app.request("/api/boom", { headers: { "x-request-id": "r-throw" } });
    expect(response.status).toBe(500);
    const event = await t.stored("r-throw");
    expect(event.statusCode).toBe(500);
    expect(event.error).toEqual({ code: "UNHANDLED", message: "cannot read amount", type: "TypeError" });
  });

  test("a request no route matched has no route, so raw paths never become groups", async () => {
    const t = await instrumented();
    await t.app.request("/api/unknown/12345", { headers: { "x-request-id": "r-404" } });
    const event = await t.stored("r-404");
    expect(event.statusCode).toBe(404);
    expect(event.route).toBeUndefined();
  });

  test("handlers cannot overwrite the contract fields with set()", async () => {
    const events: WideEvent[] = [];
    const app = new Hono<{ Variables: WideEventVariables }>();
    app.use(wideEvents({ service: "cart", transport: { send: (e) => events.push(e) } }));
    app.get("/x", (c) => {
      c.var.wideEvent.set({ statusCode: 999, service: "evil", route: "/raw/1", cart: { items: 2 } });
      return c.text("ok");
    });
    await app.request("/x");
    expect(events[0]).toMatchObject({ statusCode: 200, service: "cart", route: "/x", cart: { items: 2 } });
  });
});
