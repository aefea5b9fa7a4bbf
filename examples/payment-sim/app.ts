import { Hono } from "hono";
import { type EventSink, type WideEventContext, type WideEventVariables, wideEvents } from "wide-gate/sdk";
import { PaymentStatus, STEP_SERVICE } from "./payment-status.ts";
import { requestRandom } from "./random.ts";
import { SIM_ROUTES, type SimRoute } from "./routes.ts";
import { DEFAULT_SCENARIO, decidePayment, decideSimple, type Scenario } from "./scenario.ts";
import { isSimClock, type LatencyMode, simClock } from "./sim-clock.ts";

export interface PaymentSimOptions {
  transport: EventSink;
  scenario?: Partial<Scenario>;
  /** `virtual` (default) advances each request's clock instead of sleeping; `real` sleeps. */
  latency?: LatencyMode;
}

/** Header that forces a payment's outcome (`SUCCESS`, `GATEWAY_TIMEOUT`, …), for tests and hand-driven demos. */
export const OUTCOME_HEADER = "x-sim-outcome";

type SimEnv = { Variables: WideEventVariables };

/**
 * The payment shop as a Hono app instrumented with the SDK: one wide event per request, the
 * payment route moving through balance check → payment gateway → order confirmation with its
 * outcome decided by PaymentStatus.
 */
export function createPaymentSim(options: PaymentSimOptions) {
  const scenario: Scenario = { ...DEFAULT_SCENARIO, ...options.scenario };
  const latency = options.latency ?? "virtual";
  const app = new Hono<SimEnv>();
  app.use(wideEvents({ service: "shop", transport: options.transport, clock: (request) => simClock(latency, request) }));

  const wait = (event: WideEventContext, ms: number) => (isSimClock(event.clock) ? event.clock.wait(ms) : Promise.resolve());

  app.post("/api/payments", async (c) => {
    const event = c.var.wideEvent.setService("payment");
    const random = requestRandom(event.requestId, scenario.seed);
    const forced = PaymentStatus.of(c.req.header(OUTCOME_HEADER) ?? "");
    const status = forced ?? decidePayment(scenario, event.startedAt, random());
    const userNo = Math.floor(random() * 5000);
    const amount = Math.round(1000 + random() * 99_000);
    event
      .set({
        user: { id: `u_${userNo}`, plan: userNo % 10 === 0 ? "enterprise" : "free" },
        payment: { amount, currency: "KRW", provider: "pg-main" },
      })
      .attachMetadata({ simulation: { outcome: status.code, forced: forced !== undefined } });
    for (const step of status.steps) {
      event.step(step, STEP_SERVICE[step]);
      await wait(event, status.latencyMs(step, random()));
      if (step === status.failsAt && status.error) {
        event.recordError(status.error, status.httpStatus);
        return c.json({ error: { code: status.error.code, message: status.error.message } }, status.httpStatus as 402 | 502 | 504);
      }
    }
    const paymentId = `pay_${event.requestId.slice(0, 12)}`;
    event.set({ payment: { amount, currency: "KRW", provider: "pg-main", id: paymentId } });
    return c.json({ paymentId, status: status.code }, 201);
  });

  for (const route of SIM_ROUTES) {
    if (route.pattern === "/api/payments" && route.method === "POST") continue;
    const handler = simpleHandler(route, scenario, wait);
    if (route.method === "GET") app.get(route.pattern, handler);
    else app.post(route.pattern, handler);
  }
  return app;
}

/** One step, one service: ok, slow or a route-specific error. */
function simpleHandler(route: SimRoute, scenario: Scenario, wait: (event: WideEventContext, ms: number) => Promise<void>) {
  return async (c: { var: WideEventVariables; json: (body: unknown, status?: number) => Response }) => {
    const event = c.var.wideEvent.setService(route.service);
    const random = requestRandom(event.requestId, scenario.seed);
    const outcome = decideSimple(scenario, route, [random(), random(), random()]);
    const userNo = Math.floor(random() * 5000);
    event.set({ user: { id: `u_${userNo}`, plan: userNo % 10 === 0 ? "enterprise" : "free" } }).step("handle", route.service);
    await wait(event, outcome.latencyMs);
    if (outcome.kind === "error") {
      const { status, ...error } = outcome.error;
      event.recordError(error, status);
      return c.json({ error: { code: error.code, message: error.message } }, status);
    }
    return c.json({ ok: true }, route.method === "POST" ? 201 : 200);
  };
}
