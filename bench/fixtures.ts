// Shared bench data: plausible ~800-byte wide events.

const SERVICES = ["payment", "checkout", "cart", "auth", "search"];
const ROUTES = ["/api/payments", "/api/checkout/confirm", "/api/cart/items", "/api/login", "/api/search"];

/** A plausible wide event: ids, timing, user and cart context, headers with a secret, sometimes an error. */
export function makeEvent(i: number, errorEvery = 10): Record<string, unknown> {
  const failed = i % errorEvery === 0;
  return {
    requestId: `req_${i.toString(36).padStart(8, "0")}_${(i * 7919).toString(16)}`,
    timestamp: new Date(Date.UTC(2026, 10, 26, 3) + i * 37).toISOString(),
    service: SERVICES[i % SERVICES.length],
    route: ROUTES[i % ROUTES.length],
    method: i % 3 === 0 ? "get" : "POST",
    statusCode: failed ? 502 : 200,
    durationMs: 12.5 + (i % 400) * 3.1,
    user: { id: `u_${i % 977}`, plan: i % 4 === 0 ? "enterprise" : "free", country: "DE", ageDays: i % 365 },
    request: {
      headers: {
        "user-agent": "Mozilla/5.0 (X11; Linux x86_64) wide-gate-bench/1.0",
        authorization: "Bearer abc.def.ghi",
        accept: "application/json",
      },
      ip: `10.0.${i % 255}.${(i * 13) % 255}`,
    },
    cart: {
      id: `cart_${i}`,
      currency: "EUR",
      total: 129.99 + i,
      items: [
        { sku: "SKU-1001", qty: 1, price: 99.99 },
        { sku: "SKU-2002", qty: 2, price: 15 },
      ],
    },
    payment: {
      provider: "stripe",
      method: "card",
      last4: "4242",
      attempt: 1 + (i % 3),
      note: i % 50 === 0 ? "card 4111 1111 1111 1111 declined" : "ok",
    },
    feature_flags: ["new-checkout", "fast-search", i % 2 === 0 ? "beta-cart" : "stable-cart"],
    ...(failed
      ? { error: { code: "GATEWAY_TIMEOUT", message: "upstream payment provider timed out after 2000ms", type: "UpstreamError" } }
      : {}),
    _metadata: { sdk: "wide-events-js@1.4.2", region: "eu-central-1", host: `pod-${i % 17}` },
  };
}

/** A JSON array body of `n` events starting at id `from`. */
export function makeBatch(n: number, from = 0, errorEvery = 10): string {
  return JSON.stringify(Array.from({ length: n }, (_, i) => makeEvent(from + i, errorEvery)));
}
