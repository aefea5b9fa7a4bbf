// Random wide events for differential tests: every field the gateway reads, in any order, with
// nulls, empty strings, values redaction replaces, fields producers should not send, and one event
// in eight holding a value validation refuses. Seeded, so a failure names a reproducible seed.

export { prng } from "../../examples/payment-sim/random.ts";

/** Event times are near this instant; pass it as the clock so future-skew checks are stable. */
export const NOW = Date.parse("2026-11-26T03:30:00.000Z");

export function randomEvent(r: () => number, i: number): Record<string, unknown> {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const maybe = (p: number) => r() < p;
  const e: Record<string, unknown> = {};
  // Producer field order varies; the gateway's fields keep their places or come last.
  const fields: Array<() => void> = [
    () => {
      if (maybe(0.95)) e.service = pick(["payment", "checkout", "svc-a@b.io"]);
    },
    () => {
      if (maybe(0.85)) e.requestId = pick([`req-${i}`, `req-${i * 7}`, "", null, `r${i}`]);
    },
    () => {
      if (maybe(0.2)) e.eventId = pick([`ev-${i}`, "", null]);
    },
    () => {
      if (maybe(0.9))
        e.timestamp = pick([
          new Date(NOW - i * 997).toISOString(),
          "2026-11-26T03:04:05Z",
          "2026-11-26T03:04:05.123456Z",
          NOW - i * 1000,
          null,
        ]);
    },
    () => {
      if (maybe(0.9)) e.route = pick(["/pay", "/pay", "/health", "/api/cards/4111 1111 1111 1111", "/users/a@b.io", null, "/admin/x"]);
    },
    () => {
      if (maybe(0.8)) e.method = pick(["GET", "GET", "post", null]);
    },
    () => {
      if (maybe(0.9)) e.statusCode = pick([200, 200, 200, 200, 404, 500, null]);
    },
    () => {
      if (maybe(0.9)) e.durationMs = pick([1, 12.5, 250, 12.5, 2500, null, 0]);
    },
    () => {
      if (maybe(0.15)) e.error = pick(["boom", "", { code: "E_CARD", message: "declined" }, { code: "4111 1111 1111 1111" }, null]);
    },
    () => {
      if (maybe(0.5)) e.user = { id: `u${i % 17}`, plan: pick(["free", "pro"]), email: "x@y.io", password: "hunter2" };
    },
    () => {
      if (maybe(0.3)) e.level = pick(["info", "warn", "error"]);
    },
    () => {
      if (maybe(0.1)) e.tenant = "someone-else";
    },
    () => {
      if (maybe(0.1)) e.receivedAt = "2000-01-01T00:00:00.000Z";
    },
    () => {
      if (maybe(0.1)) e.sampling = { reason: "FAKE", rate: 1 };
    },
    () => {
      if (maybe(0.3)) e.tags = ["a", { card: "4111 1111 1111 1111" }, null];
    },
  ];
  for (let k = fields.length - 1; k > 0; k--) {
    const j = Math.floor(r() * (k + 1));
    [fields[k], fields[j]] = [fields[j] as () => void, fields[k] as () => void];
  }
  for (const f of fields) f();
  // One event in eight has one field that validation refuses.
  if (maybe(0.125)) {
    const [key, value] = pick<[string, unknown]>([
      ["service", ""],
      ["service", 42],
      ["timestamp", "not a time"],
      ["timestamp", new Date(NOW + 86_400_000 * 400).toISOString()],
      ["route", 7],
      ["method", ""],
      ["statusCode", 99],
      ["statusCode", 200.5],
      ["durationMs", -1],
      ["error", 3],
      ["error", { code: 5 }],
    ]);
    e[key] = value;
  }
  return e;
}
