import { describe, expect, test } from "bun:test";
import { DEFAULT_LIMITS } from "./limits.ts";
import { createNormalizeContext, type DraftEvent, normalizeBody } from "./normalize.ts";
import { redactValue } from "./pii.ts";
import { redactKept, VALIDATE_ONLY } from "./redact-kept.ts";
import { compileRedaction, type Redaction, type RedactionOptions } from "./redaction.ts";
import { scrubEvent } from "./scrub.ts";

/** A valid event as ingest holds it before the sampler keeps it (validated with VALIDATE_ONLY, stamped). */
function validated(event: Record<string, unknown>): DraftEvent {
  const batch = normalizeBody(
    { items: [{ index: 0, value: structuredClone(event) }], rejected: [] },
    createNormalizeContext({ tenant: "t", redaction: VALIDATE_ONLY, newId: () => "generated", now: () => Date.UTC(2026, 10, 26, 3) }),
  );
  if (!batch.ok) throw new Error(batch.message);
  const first = batch.events[0];
  if (first === undefined) throw new Error(`rejected: ${batch.rejected[0]?.error}`);
  return first.event;
}

/** Top-level fields the reference walk leaves alone. */
const EXACT_FIELDS = new Set(["requestId", "eventId", "traceId", "spanId", "timestamp", "receivedAt", "tenant", "service"]);

/** The value-scanner walk kept events had before the one-walk redaction, kept here as the reference. */
function redactKeptEvent(event: Record<string, unknown>, redaction: Redaction): void {
  const on = redaction.values;
  if (!on.email && !on.phone && !on.iban && !on.jwt && !on.bearer) return;
  const counts = redaction.counts;
  const count = (rule: keyof typeof counts) => {
    counts[rule]++;
  };
  const nodes: object[] = [event];
  while (nodes.length > 0) {
    const node = nodes.pop() as Record<string, unknown> | unknown[];
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const value: unknown = node[i];
        if (typeof value === "string") {
          const clean = redactValue(value, on, count);
          if (clean !== value) node[i] = clean;
        } else if (typeof value === "object" && value !== null) nodes.push(value);
      }
      continue;
    }
    for (const key in node) {
      if (!Object.hasOwn(node, key)) continue;
      const value = node[key];
      if (typeof value === "string") {
        if (node === event && EXACT_FIELDS.has(key)) continue;
        const clean = redactValue(value, on, count);
        if (clean !== value) node[key] = clean;
      } else if (typeof value === "object" && value !== null) nodes.push(value);
    }
  }
}

/** What kept events got before the one-walk redaction: the scrub walk with the real rules, then the value scanners. */
function twoWalks(event: DraftEvent, redaction: Redaction): void {
  const failure = scrubEvent(event, { maxDepth: 1000, maxFields: 1_000_000 }, redaction);
  if (failure !== null) throw new Error(failure.error);
  if (typeof event.error === "string") event.error = { message: event.error };
  redactKeptEvent(event, redaction);
}

/** A plausible wide event: ids, a user, headers with a credential, a cart, sometimes an error and a card number. */
function wideEvent(i: number): Record<string, unknown> {
  return {
    requestId: `req_${i.toString(36)}`,
    timestamp: new Date(Date.UTC(2026, 10, 26, 3) + i * 37).toISOString(),
    service: ["payment", "checkout"][i % 2],
    route: ["/api/payments", "/api/users/jane@example.com"][i % 2],
    method: i % 3 === 0 ? "get" : "POST",
    statusCode: i % 7 === 0 ? 502 : 200,
    durationMs: 12.5 + i,
    user: { id: `u_${i}`, email: i % 4 === 0 ? "jane@example.com" : "none", phone: "+44 20 7946 0958" },
    request: { headers: { authorization: "Bearer abc.def.ghi", "user-agent": "Mozilla/5.0 (X11; Linux x86_64)" } },
    cart: { items: [{ sku: "SKU-1001", qty: 1 }, "DE89 3704 0044 0532 0130 00"] },
    payment: { note: i % 5 === 0 ? "card 4111 1111 1111 1111 declined" : "ok" },
    ...(i % 7 === 0 ? { error: { code: "GATEWAY_TIMEOUT", message: "upstream timed out for jane@example.com" } } : {}),
    _metadata: { sdk: "wide-events-js@1.4.2" },
  };
}

const CASES: Array<[string, Record<string, unknown>]> = [
  [
    "secrets at every depth, in arrays, ids and gateway fields",
    {
      service: "pay 4111 1111 1111 1111 jane@example.com",
      requestId: "4111111111111111",
      eventId: "jane@example.com",
      traceId: "+44 20 7946 0958",
      route: "/users/jane@example.com/4111-1111-1111-1111",
      timestamp: "2026-11-26T03:00:00.000Z",
      note: "Bearer abcdefgh12345678 and eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl",
      user: { password: "p", email: "jane@example.com", nested: [{ token: { deep: 1 } }, "DE89 3704 0044 0532 0130 00", ["555-123-4567"]] },
      headers: { authorization: "Bearer abcdefgh12345678", "set-cookie": ["a", "b"] },
      list: ["4111 1111 1111 1111", { cvv: "123" }, 7, null, true],
      "http.request.header.cookie": "c",
    },
  ],
  ["a sensitive error key", { service: "s", error: { code: "E", message: "jane@example.com" }, statusCode: 500 }],
  ["nothing to redact", { service: "s", route: "/a", durationMs: 3, user: { id: "u1", tags: ["x", "y"] } }],
];

const REDACTIONS: Array<[string, RedactionOptions]> = [
  ["defaults", {}],
  ["error and user as keys, no card numbers", { keys: ["error", "user", "password"], cardNumbers: false }],
  ["phone only", { values: ["phone"] }],
  ["no value scanners", { values: [] }],
];

describe("redactKept: one walk for keys, card numbers and value scanners", () => {
  for (const [name, options] of REDACTIONS) {
    test(`gives what the scrub walk and the scanner walk gave, with the same counts (${name})`, () => {
      const events = [...CASES.map(([, event]) => event), ...Array.from({ length: 60 }, (_, i) => wideEvent(i))];
      for (const source of events) {
        const before = compileRedaction(options);
        const after = compileRedaction(options);
        const old = validated(source);
        twoWalks(old, before);
        const now = validated(source);
        redactKept(now, after);
        expect(now).toEqual(old);
        expect(after.counts).toEqual(before.counts);
      }
    });
  }

  test("an event validated at the field limit is redacted all through, however many fields the gateway adds", () => {
    // INGEST_MAX_FIELDS exactly: the gateway's tenant and receivedAt take it over the limit, which
    // once stopped the kept walk before the nested object was reached.
    const event: Record<string, unknown> = {
      service: "s",
      requestId: "r",
      user: { password: "hunter2", note: "card 4111 1111 1111 1111" },
    };
    for (let i = 0; Object.keys(event).length + 2 < DEFAULT_LIMITS.maxFields; i++) event[`f${i}`] = i;
    const draft = validated(event);
    redactKept(draft, compileRedaction());
    expect(draft.user).toEqual({ password: "[REDACTED]", note: "card [REDACTED:card]" });
  });
});
