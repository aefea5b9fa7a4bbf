/**
 * The shop's routes: which service answers, the request mix, typical latency and the errors each
 * can fail with. The payment route runs the multi-step flow (payment-flow.ts); the others are one
 * step each. The traffic driver and the load report read the same table.
 */
export interface SimRoute {
  service: string;
  method: "GET" | "POST";
  /** The route pattern the events carry. */
  pattern: string;
  /** Share of requests, in percent of all traffic. */
  weight: number;
  medianMs: number;
  errors: { code: string; message: string; type: string; status: number }[];
}

const INTERNAL = { code: "INTERNAL", message: "unexpected error", type: "Error", status: 500 };

export const SIM_ROUTES: readonly SimRoute[] = [
  { service: "search", method: "GET", pattern: "/api/search", weight: 30, medianMs: 45, errors: [INTERNAL] },
  {
    service: "catalog",
    method: "GET",
    pattern: "/api/items/:id",
    weight: 25,
    medianMs: 25,
    errors: [{ code: "ITEM_LOOKUP_FAILED", message: "catalog database did not answer", type: "UpstreamError", status: 503 }],
  },
  { service: "cart", method: "POST", pattern: "/api/cart/items", weight: 15, medianMs: 35, errors: [INTERNAL] },
  {
    service: "auth",
    method: "POST",
    pattern: "/api/login",
    weight: 8,
    medianMs: 80,
    errors: [{ code: "SESSION_STORE_DOWN", message: "session store refused the connection", type: "UpstreamError", status: 503 }],
  },
  {
    service: "checkout",
    method: "POST",
    pattern: "/api/checkout",
    weight: 10,
    medianMs: 160,
    errors: [{ code: "STOCK_CONFLICT", message: "item went out of stock during checkout", type: "ConflictError", status: 409 }],
  },
  { service: "payment", method: "POST", pattern: "/api/payments", weight: 5, medianMs: 270, errors: [] },
  { service: "payment", method: "GET", pattern: "/api/payments/:id", weight: 5, medianMs: 20, errors: [INTERNAL] },
  {
    service: "payment",
    method: "POST",
    pattern: "/api/payments/:id/refund",
    weight: 2,
    medianMs: 240,
    errors: [{ code: "REFUND_REJECTED", message: "provider refused the refund", type: "PaymentError", status: 502 }],
  },
];

/** Routes the gateway should always keep (`SAMPLING_CRITICAL_ROUTES`): the payment itself. */
export const SIM_CRITICAL_ROUTES: readonly string[] = ["/api/payments"];

/** A concrete path for a pattern: ids filled from `n`. */
export const pathFor = (route: SimRoute, n: number): string => route.pattern.replace(":id", `${n.toString(36)}`);
