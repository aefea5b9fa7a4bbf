import { describe, expect, test } from "bun:test";
import { createPaymentSim, OUTCOME_HEADER } from "../../examples/payment-sim/app.ts";
import { PaymentStatus } from "../../examples/payment-sim/payment-status.ts";
import { SIM_ROUTES } from "../../examples/payment-sim/routes.ts";
import { HttpTransport, type WideEvent } from "../../src/sdk/index.ts";
import { INGEST_KEY, inProcessGateway, type StoredEvent } from "../sdk/gateway.ts";

/** The simulation app, its SDK transport delivering to the real gateway app in-process. */
async function simulation() {
  const gateway = await inProcessGateway();
  const transport = new HttpTransport({ url: gateway.url, apiKey: INGEST_KEY, fetch: gateway.fetch, flushIntervalMs: 0 });
  const app = createPaymentSim({ transport, scenario: { seed: 11 } });
  const pay = async (outcome: string, requestId: string) => {
    const response = await app.request("/api/payments", {
      method: "POST",
      headers: { [OUTCOME_HEADER]: outcome, "x-request-id": requestId },
    });
    await transport.flush();
    const stored = (await gateway.events()).find((e) => e.requestId === requestId);
    if (!stored) throw new Error(`no stored event for ${requestId}`);
    return { response, stored };
  };
  return { app, transport, gateway, pay };
}

const stepNames = (e: StoredEvent) => (e.steps as Array<{ name: string; service: string }>).map((s) => `${s.name}@${s.service}`);

describe("payment simulation → SDK → real gateway, one event per PaymentStatus outcome", () => {
  test("SUCCESS: 201, three steps across wallet, provider and order, no error", async () => {
    const { response, stored } = await (await simulation()).pay("SUCCESS", "sim-success");
    expect(response.status).toBe(201);
    expect(stored).toMatchObject({
      service: "payment",
      route: "/api/payments",
      method: "POST",
      statusCode: 201,
      step: "order-confirmation",
    });
    expect(stepNames(stored)).toEqual(["balance-check@wallet", "payment-gateway@payment-gateway", "order-confirmation@order"]);
    expect(stored.error).toBeUndefined();
    expect(stored._metadata).toEqual({ simulation: { outcome: "SUCCESS", forced: true } });
    expect(stored.durationMs as number).toBeLessThan(2000);
  });

  test("SLOW_SUCCESS: 201 over 2 s, kept as a slow request", async () => {
    const { response, stored } = await (await simulation()).pay("SLOW_SUCCESS", "sim-slow");
    expect(response.status).toBe(201);
    expect(stored.durationMs as number).toBeGreaterThan(2000);
    expect(stepNames(stored)).toHaveLength(3);
    expect(stored.sampling?.reason).toBe("SLOW_REQUEST");
    expect(stored._metadata).toEqual({ simulation: { outcome: "SLOW_SUCCESS", forced: true } });
  });

  test("INSUFFICIENT_BALANCE: 402, stops at the balance check with the error code", async () => {
    const { response, stored } = await (await simulation()).pay("INSUFFICIENT_BALANCE", "sim-balance");
    expect(response.status).toBe(402);
    expect(stored).toMatchObject({
      statusCode: 402,
      step: "balance-check",
      error: { code: "INSUFFICIENT_BALANCE", step: "balance-check" },
    });
    expect(stepNames(stored)).toEqual(["balance-check@wallet"]);
    expect(stored.sampling?.reason).toBe("HAS_ERROR");
  });

  test("GATEWAY_TIMEOUT: 504 after the provider's 2 s, failing in the payment-gateway step", async () => {
    const { response, stored } = await (await simulation()).pay("GATEWAY_TIMEOUT", "sim-timeout");
    expect(response.status).toBe(504);
    expect(stored).toMatchObject({ statusCode: 504, step: "payment-gateway", error: { code: "GATEWAY_TIMEOUT", type: "UpstreamError" } });
    expect(stepNames(stored)).toEqual(["balance-check@wallet", "payment-gateway@payment-gateway"]);
    expect(stored.durationMs as number).toBeGreaterThanOrEqual(2000);
    expect(stored._metadata).toEqual({ simulation: { outcome: "GATEWAY_TIMEOUT", forced: true } });
  });

  test("GATEWAY_ERROR: 502, failing in the payment-gateway step", async () => {
    const { response, stored } = await (await simulation()).pay("GATEWAY_ERROR", "sim-provider-error");
    expect(response.status).toBe(502);
    expect(stored).toMatchObject({ statusCode: 502, error: { code: "GATEWAY_ERROR", step: "payment-gateway" } });
    expect(stepNames(stored)).toEqual(["balance-check@wallet", "payment-gateway@payment-gateway"]);
  });

  test("every PaymentStatus is covered above", () => {
    expect(PaymentStatus.ALL.map((s) => s.code).sort()).toEqual([
      "GATEWAY_ERROR",
      "GATEWAY_TIMEOUT",
      "INSUFFICIENT_BALANCE",
      "SLOW_SUCCESS",
      "SUCCESS",
    ]);
  });

  test("the same request id gets the same decided outcome, whatever ran before it", async () => {
    const outcomes = async (order: number[]) => {
      const events: WideEvent[] = [];
      const app = createPaymentSim({ transport: { send: (e) => events.push(e) }, scenario: { seed: 3, errorRate: 0.3, slowRate: 0.2 } });
      for (const i of order) await app.request("/api/payments", { method: "POST", headers: { "x-request-id": `same-${i}` } });
      return Object.fromEntries(events.map((e) => [e.requestId, (e._metadata as { simulation: { outcome: string } }).simulation.outcome]));
    };
    const ids = Array.from({ length: 40 }, (_, i) => i);
    const forward = await outcomes(ids);
    expect(await outcomes([...ids].reverse())).toEqual(forward);
    expect(new Set(Object.values(forward)).size).toBeGreaterThan(2);
  });

  test("every route of the shop produces an event with its service and pattern", async () => {
    const s = await simulation();
    for (const [i, route] of SIM_ROUTES.entries()) {
      await s.app.request(route.pattern.replace(":id", "x1"), { method: route.method, headers: { "x-request-id": `route-${i}` } });
    }
    await s.transport.flush();
    const stored = await s.gateway.events();
    const seen = SIM_ROUTES.map((_, i) => stored.find((e) => e.requestId === `route-${i}`)).map(
      (e) => `${e?.service} ${e?.method} ${e?.route}`,
    );
    expect(seen).toEqual(SIM_ROUTES.map((r) => `${r.service} ${r.method} ${r.pattern}`));
  });
});
