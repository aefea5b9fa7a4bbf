import { type OutcomeMix, PaymentStatus } from "./payment-status.ts";
import type { SimRoute } from "./routes.ts";

/** How the shop behaves: background error and slow rates, and an optional provider incident. */
export interface Scenario {
  seed: number;
  /** Share of requests on every route that fail outside an incident (default 0.01). */
  errorRate: number;
  /** Share that succeed slowly, over 2 s (default 0.02). */
  slowRate: number;
  /** From `from` to `to` (epoch ms of the request's time) the payment provider times out for `timeoutRate` of payments. */
  incident?: { from: number; to: number; timeoutRate: number } | undefined;
}

export const DEFAULT_SCENARIO: Scenario = { seed: 7, errorRate: 0.01, slowRate: 0.02 };

/** A payment's odds at time `at`: the background errors split across the three failures, plus the incident's timeouts. */
export function paymentMix(scenario: Scenario, at: number): OutcomeMix {
  const e = scenario.errorRate;
  const incident = scenario.incident && at >= scenario.incident.from && at < scenario.incident.to ? scenario.incident.timeoutRate : 0;
  return { insufficientBalance: e * 0.5, gatewayTimeout: e * 0.3 + incident, gatewayError: e * 0.2, slow: scenario.slowRate };
}

export const decidePayment = (scenario: Scenario, at: number, roll: number): PaymentStatus =>
  PaymentStatus.decide(roll, paymentMix(scenario, at));

export type SimpleOutcome =
  | { kind: "ok"; latencyMs: number }
  | { kind: "slow"; latencyMs: number }
  | { kind: "error"; latencyMs: number; error: SimRoute["errors"][number] };

/** A one-step route's outcome from three uniform rolls. */
export function decideSimple(scenario: Scenario, route: SimRoute, rolls: [number, number, number]): SimpleOutcome {
  const [outcome, pick, latency] = rolls;
  const error = route.errors[Math.floor(pick * route.errors.length)];
  if (error && outcome < scenario.errorRate) return { kind: "error", latencyMs: route.medianMs * (0.5 + latency), error };
  if (outcome < scenario.errorRate + scenario.slowRate) return { kind: "slow", latencyMs: 2200 + latency * 1300 };
  return { kind: "ok", latencyMs: Math.round(route.medianMs * (0.5 + latency) * 10) / 10 };
}
