/**
 * A payment-shop traffic model for `demo` and `load`: five services, realistic routes, log-normal
 * latencies, a background error rate and an optional incident window where the payment provider
 * times out. Seeded, so a run can be repeated exactly.
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

/** mulberry32: small, fast, good enough for traffic shapes. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
