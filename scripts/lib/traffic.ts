import { createPaymentSim } from "../../examples/payment-sim/app.ts";
import { prng } from "../../examples/payment-sim/random.ts";
import { pathFor, SIM_ROUTES, type SimRoute } from "../../examples/payment-sim/routes.ts";
import type { Scenario } from "../../examples/payment-sim/scenario.ts";
import { SIM_AT_HEADER } from "../../examples/payment-sim/sim-clock.ts";
import { isErrorEvent } from "../../src/domain/event/error-flag.ts";
import { compileRouteMatcher } from "../../src/domain/sampling/glob.ts";
import type { EventSink, WideEvent } from "../../src/sdk/index.ts";

/**
 * A payment-shop traffic model for `demo` and `load`: five services, realistic routes, log-normal
 * latencies, a background error rate and an optional incident window where the payment provider
 * times out. Seeded, so a run can be repeated exactly. Two generators: synthetic events posted
 * straight to the gateway (`createTraffic`), and requests for the instrumented payment simulation
 * (`createSimTraffic`), whose events the SDK builds and ships.
 */

export interface TrafficOptions {
  seed?: number;
  /** Fraction of requests that fail outside an incident. */
  errorRate?: number;
  /** [start, end) epoch ms where /api/payments times out for `incidentErrorRate` of requests. */
  incident?: { from: number; to: number; errorRate: number };
}

const ROUTES: { service: string; route: string; method: string; medianMs: number; weight: number }[] = [
  { service: "search", route: "/api/search", method: "GET", medianMs: 45, weight: 30 },
  { service: "catalog", route: "/api/items/:id", method: "GET", medianMs: 25, weight: 25 },
  { service: "cart", route: "/api/cart/items", method: "POST", medianMs: 35, weight: 15 },
  { service: "auth", route: "/api/login", method: "POST", medianMs: 80, weight: 8 },
  { service: "checkout", route: "/api/checkout", method: "POST", medianMs: 160, weight: 10 },
  { service: "payment", route: "/api/payments", method: "POST", medianMs: 320, weight: 10 },
  { service: "payment", route: "/api/payments/refund", method: "POST", medianMs: 280, weight: 2 },
];
const TOTAL_WEIGHT = ROUTES.reduce((sum, r) => sum + r.weight, 0);
const ERRORS: Record<string, { code: string; message: string; type: string; status: number }[]> = {
  payment: [
    { code: "CARD_DECLINED", message: "card was declined by the issuer", type: "PaymentError", status: 402 },
    { code: "GATEWAY_TIMEOUT", message: "payment provider did not answer within 2000 ms", type: "UpstreamError", status: 504 },
  ],
  checkout: [{ code: "STOCK_CONFLICT", message: "item went out of stock during checkout", type: "ConflictError", status: 409 }],
  default: [{ code: "INTERNAL", message: "unexpected error", type: "Error", status: 500 }],
};

export function createTraffic(options: TrafficOptions = {}) {
  const random = prng(options.seed ?? 42);
  const errorRate = options.errorRate ?? 0.01;
  let counter = 0;
  const gaussian = () => Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());

  /** One wide event at time `at` (epoch ms). */
  return function next(at: number): Record<string, unknown> {
    let pick = random() * TOTAL_WEIGHT;
    let route = ROUTES[0] as (typeof ROUTES)[number];
    for (const candidate of ROUTES) {
      route = candidate;
      pick -= candidate.weight;
      if (pick < 0) break;
    }
    const inIncident = options.incident && at >= options.incident.from && at < options.incident.to && route.route === "/api/payments";
    const fails = random() < (inIncident ? (options.incident?.errorRate ?? 0) : errorRate);
    const candidates = ERRORS[route.service] ?? ERRORS.default ?? [];
    const error = fails
      ? inIncident
        ? candidates.find((e) => e.code === "GATEWAY_TIMEOUT")
        : candidates[Math.floor(random() * candidates.length)]
      : undefined;
    const durationMs =
      error?.code === "GATEWAY_TIMEOUT" ? 2000 + random() * 400 : Math.round(route.medianMs * Math.exp(0.6 * gaussian()) * 10) / 10;
    const user = Math.floor(random() * 5000);
    counter++;
    return {
      requestId: `req-${at.toString(36)}-${counter}`,
      timestamp: new Date(at).toISOString(),
      service: route.service,
      route: route.route,
      method: route.method,
      statusCode: error?.status ?? 200,
      durationMs,
      user: { id: `u_${user}`, plan: user % 10 === 0 ? "enterprise" : "free" },
      region: ["eu-west-1", "us-east-1", "ap-northeast-2"][user % 3],
      ...(error ? { error: { code: error.code, message: error.message, type: error.type } } : {}),
    };
  };
}

// ── The payment simulation: real requests through the instrumented app ──────────────────────────

/** One request for the simulation app: what to call, as which request id, at which (simulated) time. */
export interface SimRequest {
  method: "GET" | "POST";
  path: string;
  requestId: string;
  at: number;
}

/** The shop's request mix (SIM_ROUTES weights); outcomes are the app's own decision, by request id. */
export function createSimTraffic(options: { seed?: number; tag?: string } = {}) {
  const random = prng(options.seed ?? 42);
  const tag = options.tag ?? "sim";
  const total = SIM_ROUTES.reduce((sum, r) => sum + r.weight, 0);
  let counter = 0;
  return function next(at: number): SimRequest {
    let pick = random() * total;
    let route = SIM_ROUTES[0] as SimRoute;
    for (const candidate of SIM_ROUTES) {
      route = candidate;
      pick -= candidate.weight;
      if (pick < 0) break;
    }
    counter++;
    return { method: route.method, path: pathFor(route, Math.floor(random() * 100_000)), requestId: `${tag}-${counter}`, at };
  };
}

/** Sends the requests to the app over HTTP, `concurrency` at a time; counts the answers by status. */
export async function driveSim(appUrl: string, requests: Iterable<SimRequest>, concurrency = 32): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  const iterator = requests[Symbol.iterator]();
  const worker = async () => {
    for (let item = iterator.next(); !item.done; item = iterator.next()) {
      const r = item.value;
      const response = await fetch(`${appUrl}${r.path}`, {
        method: r.method,
        headers: {
          "x-request-id": r.requestId,
          [SIM_AT_HEADER]: String(r.at),
          ...(r.method === "POST" ? { "content-type": "application/json" } : {}),
        },
        ...(r.method === "POST" ? { body: "{}" } : {}),
      }).catch(() => undefined);
      await response?.arrayBuffer();
      const status = response?.status ?? 0;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses;
}

export type TruthReason = "HAS_ERROR" | "SLOW_REQUEST" | "CRITICAL_ROUTE" | "SAMPLED_NORMAL";
export const TRUTH_REASONS: readonly TruthReason[] = ["HAS_ERROR", "SLOW_REQUEST", "CRITICAL_ROUTE", "SAMPLED_NORMAL"];

/**
 * The truth of a run: every event the SDK built, counted by service, route and the reason the
 * gateway's sampler should give it (same order: error, slow, critical route, else normal), and
 * the request ids of the valuable ones (everything but normal), which must all be stored.
 */
export function createTruth(options: { slowMs: number; criticalRoutes: readonly string[] }) {
  const critical = compileRouteMatcher(options.criticalRoutes);
  const groups = new Map<string, { service: string; route: string; reasons: Record<TruthReason, number> }>();
  const valuable = new Set<string>();
  const totals = {
    events: 0,
    errors: 0,
    byReason: { HAS_ERROR: 0, SLOW_REQUEST: 0, CRITICAL_ROUTE: 0, SAMPLED_NORMAL: 0 } as Record<TruthReason, number>,
  };
  const reasonOf = (event: WideEvent): TruthReason => {
    if (isErrorEvent(event)) return "HAS_ERROR";
    if (event.durationMs > options.slowMs) return "SLOW_REQUEST";
    if (event.route !== undefined && critical(event.route)) return "CRITICAL_ROUTE";
    return "SAMPLED_NORMAL";
  };
  return {
    groups,
    valuable,
    totals,
    record(event: WideEvent): void {
      const reason = reasonOf(event);
      const key = `${event.service} ${event.route ?? "-"}`;
      let group = groups.get(key);
      if (!group) {
        group = {
          service: event.service,
          route: event.route ?? "-",
          reasons: { HAS_ERROR: 0, SLOW_REQUEST: 0, CRITICAL_ROUTE: 0, SAMPLED_NORMAL: 0 },
        };
        groups.set(key, group);
      }
      group.reasons[reason]++;
      totals.events++;
      totals.byReason[reason]++;
      if (reason === "HAS_ERROR") totals.errors++;
      if (reason !== "SAMPLED_NORMAL") valuable.add(event.requestId);
    },
  };
}

/** An EventSink that counts each event into the truth before handing it to the real transport. */
export function countingSink(truth: ReturnType<typeof createTruth>, inner: EventSink): EventSink {
  return {
    send(event, options) {
      truth.record(event);
      inner.send(event, options);
    },
  };
}

/** The payment app on a loopback port, its events going through `sink`. */
export function serveSim(sink: EventSink, scenario: Partial<Scenario>, port = 0) {
  const app = createPaymentSim({ transport: sink, scenario, latency: "virtual" });
  const server = Bun.serve({ port, hostname: "127.0.0.1", fetch: app.fetch });
  return { url: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) };
}

/** One line for a gateway that cannot be reached, instead of a stack. Undefined when it answers. */
export async function unreachable(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) });
    await response.arrayBuffer();
    return undefined;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `cannot reach the gateway at ${url} (${reason}); start one with \`npm start\` or pass url=…`;
  }
}

/** widegate_sampling_decisions_total by "<reason> <decision>" (`SAMPLED_NORMAL kept`); empty when /metrics cannot be read. */
export async function samplingDecisions(url: string, headers: Record<string, string>): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const text = await fetch(`${url}/metrics`, { headers })
    .then((r) => (r.ok ? r.text() : ""))
    .catch(() => "");
  for (const m of text.matchAll(/^widegate_sampling_decisions_total\{([^}]*)\}\s+(\S+)$/gm)) {
    const labels = Object.fromEntries([...(m[1] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    out.set(`${labels.reason} ${labels.decision}`, Number(m[2]));
  }
  return out;
}
