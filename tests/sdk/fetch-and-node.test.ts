import { describe, expect, test } from "bun:test";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { HttpTransport, type NodeRequestLike, type WideEvent, wideEventsNode, withWideEvents } from "../../src/sdk/index.ts";
import { INGEST_KEY, inProcessGateway, manualClock } from "./gateway.ts";

describe("fetch handler wrapper", () => {
  test("the event has the route the handler named, its status and its steps, and reaches the gateway", async () => {
    const gateway = await inProcessGateway();
    const transport = new HttpTransport({ url: gateway.url, apiKey: INGEST_KEY, fetch: gateway.fetch, flushIntervalMs: 0 });
    const clock = manualClock();
    const handler = withWideEvents(
      (_request, event) => {
        event.setRoute("/api/items/:id").step("lookup", "catalog").attachMetadata({ cache: "miss" });
        clock.advance(12);
        return new Response("item", { status: 200 });
      },
      { service: "catalog", transport, clock: () => clock },
    );
    const response = await handler(new Request("http://shop.test/api/items/42", { headers: { "x-request-id": "f-1" } }), {}, {});
    expect(await response.text()).toBe("item");
    await transport.flush();
    const [stored] = await gateway.events();
    expect(stored).toMatchObject({
      requestId: "f-1",
      service: "catalog",
      route: "/api/items/:id",
      method: "GET",
      statusCode: 200,
      durationMs: 12,
      steps: [{ name: "lookup", service: "catalog", startMs: 0, durationMs: 12 }],
      _metadata: { cache: "miss" },
    });
  });

  test("a thrown error becomes a JSON 500 and the event records it", async () => {
    const events: WideEvent[] = [];
    const handler = withWideEvents(
      () => {
        throw new RangeError("amount out of range");
      },
      { service: "payment", transport: { send: (e) => events.push(e) } },
    );
    const response = await handler(new Request("http://shop.test/pay", { method: "POST" }), {}, {});
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: { code: "INTERNAL", message: "internal error" } });
    expect(events[0]).toMatchObject({ statusCode: 500, method: "POST", error: { code: "UNHANDLED", type: "RangeError" } });
  });

  test("the execution context's waitUntil carries the delivery", async () => {
    const gateway = await inProcessGateway();
    const transport = new HttpTransport({ url: gateway.url, apiKey: INGEST_KEY, fetch: gateway.fetch });
    const pending: Promise<unknown>[] = [];
    const handler = withWideEvents(() => new Response("ok"), { service: "edge", transport });
    await handler(new Request("http://shop.test/"), {}, { waitUntil: (p: Promise<unknown>) => pending.push(p) });
    expect(pending).toHaveLength(1);
    await Promise.all(pending);
    expect(await gateway.events()).toHaveLength(1);
  });
});

describe("Node middleware", () => {
  /** A node:http server using the middleware, the way an Express app or a plain handler would. */
  async function nodeServer(handle: (req: IncomingMessage & NodeRequestLike, res: ServerResponse) => void) {
    const events: WideEvent[] = [];
    const middleware = wideEventsNode({ service: "cart", transport: { send: (e) => events.push(e) } });
    const server = createServer((req, res) => middleware(req, res, () => handle(req, res)));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url, events, close: () => new Promise((resolve) => server.close(resolve)) };
  }

  test("the event is built when the response finishes, with status, method and the handler's fields", async () => {
    const s = await nodeServer((req, res) => {
      req.wideEvent?.setRoute("/api/cart/items").set({ cart: { items: 3 } });
      res.statusCode = 201;
      res.end("added");
    });
    try {
      const response = await fetch(`${s.url}/api/cart/items?x=1`, { method: "POST", headers: { "x-request-id": "n-1" } });
      expect(response.headers.get("x-request-id")).toBe("n-1");
      await response.text();
      while (s.events.length === 0) await Bun.sleep(5);
      expect(s.events[0]).toMatchObject({
        requestId: "n-1",
        service: "cart",
        route: "/api/cart/items",
        method: "POST",
        statusCode: 201,
        cart: { items: 3 },
      });
    } finally {
      await s.close();
    }
  });

  test("Express's matched route pattern (req.baseUrl + req.route.path) is the event's route", async () => {
    const s = await nodeServer((req, res) => {
      // What Express's router leaves on the request once a route matched.
      req.baseUrl = "/api";
      req.route = { path: "/items/:id" };
      res.end("item");
    });
    try {
      await (await fetch(`${s.url}/api/items/99`)).text();
      while (s.events.length === 0) await Bun.sleep(5);
      expect(s.events[0]?.route).toBe("/api/items/:id");
    } finally {
      await s.close();
    }
  });
});
