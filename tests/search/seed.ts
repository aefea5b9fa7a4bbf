import type { OutboundEvent } from "../../src/ports/publisher.ts";
import { prng } from "../query/fixtures.ts";

export const SERVICES = ["payment", "order", "user"] as const;
export const ROUTES: Record<(typeof SERVICES)[number], string[]> = {
  payment: ["/api/payments", "/api/payments/refund"],
  order: ["/api/orders"],
  user: ["/api/users/me", "/api/login"],
};
const CODES = ["GATEWAY_TIMEOUT", "CARD_DECLINED", "DB_TIMEOUT", "INSUFFICIENT_BALANCE"];
const MESSAGES: Record<string, string> = {
  GATEWAY_TIMEOUT: "upstream payment gateway timeout after 2000 ms",
  CARD_DECLINED: "card declined by issuer",
  DB_TIMEOUT: "database timeout on orders table",
  INSUFFICIENT_BALANCE: "insufficient balance",
};

/** Minutes before NOW that a question's window starts at: seeded events keep 2 minutes away from each. */
const WINDOW_EDGES = [30, 60, 120, 360, 1440, 2880];

/**
 * Traffic for tenant `acme` over the two days before `now`, denser in the last hours: errors with
 * codes and messages, slow payment calls, sampled normal requests (rate 0.1, so counts are estimates).
 */
export function seedEvents(now: number, tenant = "acme", count = 900): OutboundEvent[] {
  const random = prng(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const events: OutboundEvent[] = [];
  for (let i = 0; events.length < count; i++) {
    const minutesAgo = random() < 0.4 ? random() * 120 : random() * 2800;
    if (WINDOW_EDGES.some((edge) => Math.abs(edge - minutesAgo) < 2) || minutesAgo < 1) continue;
    const service = pick(SERVICES);
    const route = pick(ROUTES[service]);
    const failed = random() < (service === "payment" ? 0.25 : 0.08);
    const code = failed ? (service === "payment" ? pick(CODES.slice(0, 2)) : pick(CODES.slice(2))) : undefined;
    const statusCode = failed ? (code === "GATEWAY_TIMEOUT" ? 502 : code === "DB_TIMEOUT" ? 503 : 402) : 200;
    const rate = failed ? 1 : 0.1;
    const event: OutboundEvent = {
      eventId: `seed-${i}`,
      requestId: `req-${i}`,
      tenant,
      service,
      route,
      method: route === "/api/users/me" ? "GET" : pick(["GET", "POST", "POST"]),
      statusCode,
      durationMs: Math.round((service === "payment" ? 300 : 40) * (1 + random() * 6) * (code === "GATEWAY_TIMEOUT" ? 4 : 1)),
      timestamp: new Date(now - minutesAgo * 60_000).toISOString(),
      sampling: { reason: failed ? "HAS_ERROR" : "SAMPLED_NORMAL", rate },
    };
    if (code) event.error = { code, message: MESSAGES[code], type: "UpstreamError" };
    events.push(event);
  }
  return events;
}
