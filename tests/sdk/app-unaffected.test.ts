import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { HttpTransport, type WideEventVariables, wideEvents } from "../../src/sdk/index.ts";
import { deadUrl, localServer } from "./gateway.ts";

/** The same app with and without the SDK, so a test can compare responses byte for byte. */
function shop(transport?: HttpTransport) {
  const app = new Hono<{ Variables: WideEventVariables }>();
  if (transport) app.use(wideEvents({ service: "payment", transport }));
  app.post("/api/payments", (c) => c.json({ paymentId: "pay_1", status: "SUCCESS" }, 201));
  app.get("/api/payments/:id", (c) => c.json({ error: { code: "GATEWAY_TIMEOUT" } }, 504));
  return app;
}

const noSleep = async () => {};

async function snapshot(response: Response) {
  return { status: response.status, body: await response.text(), type: response.headers.get("content-type") };
}

describe("the app's responses do not depend on the gateway", () => {
  test("with the gateway down, responses are unchanged and the lost events are counted", async () => {
    const transport = new HttpTransport({ url: await deadUrl(), flushIntervalMs: 0, maxRetries: 1, sleep: noSleep });
    const plain = shop();
    const instrumented = shop(transport);
    for (const [path, init] of [
      ["/api/payments", { method: "POST" }],
      ["/api/payments/p1", {}],
    ] as const) {
      expect(await snapshot(await instrumented.request(path, init))).toEqual(await snapshot(await plain.request(path, init)));
    }
    await transport.flush();
    expect(transport.stats().dropped).toMatchObject({ failed: 2, total: 2 });
  });

  test("with the gateway answering 429, responses are unchanged and what retries could not place is counted", async () => {
    const gateway = localServer(() => Response.json({ error: { code: "BACKPRESSURE" } }, { status: 429, headers: { "retry-after": "1" } }));
    try {
      const transport = new HttpTransport({ url: gateway.url, flushIntervalMs: 0, maxRetries: 2, sleep: noSleep });
      const plain = shop();
      const instrumented = shop(transport);
      for (let i = 0; i < 3; i++) {
        expect(await snapshot(await instrumented.request("/api/payments", { method: "POST" }))).toEqual(
          await snapshot(await plain.request("/api/payments", { method: "POST" })),
        );
      }
      await transport.flush();
      expect(gateway.bodies).toHaveLength(3);
      expect(transport.stats()).toMatchObject({ retries: 2, dropped: { failed: 3, total: 3 } });
    } finally {
      gateway.stop();
    }
  });

  test("the response is returned while the gateway has not answered yet", async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const gateway = localServer(async () => {
      await held;
      return Response.json({ accepted: 1, kept: 1, dropped: 0, rejected: [] }, { status: 202 });
    });
    try {
      const transport = new HttpTransport({ url: gateway.url, flushIntervalMs: 0, batchSize: 1 });
      const response = await shop(transport).request("/api/payments", { method: "POST" });
      expect(response.status).toBe(201);
      expect(transport.stats().delivered).toBe(0);
      release();
      await transport.flush();
      expect(transport.stats().delivered).toBe(1);
    } finally {
      gateway.stop();
    }
  });
});
