// Micro-benchmark of the tail-aware sampler: ./node_modules/.bin/bun bench/sampler.ts
// Times decide() over 100k realistic wide events (~800 bytes of JSON each) against two
// baselines in the same run: murmur3_32 alone on the requestIds, and an empty loop.
import { murmur3_32 } from "../src/domain/hash/murmur3.ts";
import { createSampler, SAMPLING_SEED } from "../src/domain/sampling/sampler.ts";
import type { SamplingPolicy } from "../src/domain/sampling/types.ts";
import { prng } from "../tests/query/fixtures.ts";

const EVENTS = 100_000;
const ROUNDS = 15;

// Deterministic PRNG (mulberry32) so every run times the same events.
const random = prng(42);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

const services = ["payment", "checkout", "search", "catalog", "auth", "cart", "shipping", "notifications"];
const resources = ["payments", "orders", "items", "users", "sessions", "carts", "invoices", "refunds", "products", "reviews"];
const routes = [
  ...resources.map((r) => `/api/${r}`),
  ...resources.map((r) => `/api/${r}/:id`),
  ...resources.slice(0, 8).map((r) => `/api/v2/${r}/:id/history`),
  "/healthz",
  "/api/checkout",
];
const plans = ["free", "free", "free", "pro", "enterprise"];
const regions = ["eu-west-1", "us-east-1", "us-west-2", "ap-southeast-1"];

function makeEvent(i: number): Record<string, unknown> {
  const roll = random();
  const statusCode = roll < 0.02 ? pick([500, 502, 503, 504]) : roll < 0.06 ? pick([400, 401, 404, 409]) : 200;
  // Log-normal-ish latency; about 1% land above the 2 s slow threshold.
  const durationMs = Math.round(Math.exp(4 + random() * 2.2 + (random() < 0.05 ? 2 : 0)) * 10) / 10;
  return {
    requestId: crypto.randomUUID(),
    timestamp: new Date(Date.UTC(2026, 10, 26, 3, 0, 0, i * 7)).toISOString(),
    service: pick(services),
    route: pick(routes),
    method: pick(["GET", "GET", "GET", "POST", "PUT", "DELETE"]),
    statusCode,
    durationMs,
    ...(statusCode >= 500 ? { error: { code: "UPSTREAM_TIMEOUT", message: "upstream timed out", type: "UpstreamError" } } : {}),
    user: { id: `u_${Math.floor(random() * 1e6)}`, plan: pick(plans), country: pick(["DE", "US", "KR", "BR", "IN"]) },
    region: pick(regions),
    version: `2026.11.${Math.floor(random() * 30)}`,
    host: `ip-10-0-${Math.floor(random() * 255)}-${Math.floor(random() * 255)}.internal`,
    userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15",
    cart: { items: Math.floor(random() * 12), totalCents: Math.floor(random() * 50000), currency: "EUR", coupon: null },
    db: { queries: Math.floor(random() * 20), ms: Math.round(random() * 300), pool: "primary", slowestTable: "orders" },
    cache: { hit: random() < 0.8, key: `catalog:v3:${Math.floor(random() * 1e5)}` },
    flags: { newCheckout: random() < 0.3, searchV2: random() < 0.5 },
    traceId: crypto.randomUUID().replaceAll("-", ""),
    spanId: crypto.randomUUID().slice(0, 16),
    _metadata: { sdk: "wide-events-js", sdkVersion: "1.8.2", sampledUpstream: false, tags: ["edge", "canary"] },
  };
}

const typical: SamplingPolicy = {
  normalRate: 0.05,
  slowMs: 2000,
  criticalRoutes: ["/api/checkout", "/api/payments/:id", "/api/v2/payments/**", "/api/*/:id/refund"],
  rules: [
    { name: "health", rate: 0, when: [{ field: "route", op: "eq", value: "/healthz" }] },
    { name: "enterprise", rate: 0.5, when: [{ field: "user.plan", op: "eq", value: "enterprise" }] },
    {
      name: "new-checkout",
      rate: 0.25,
      when: [
        { field: "flags.newCheckout", op: "eq", value: true },
        { field: "region", op: "prefix", value: "eu-" },
      ],
    },
    { name: "client-errors", rate: 0.2, when: [{ field: "statusCode", op: "in", value: [401, 409] }] },
  ],
};
const minimal: SamplingPolicy = { normalRate: 0.05, slowMs: 2000, criticalRoutes: [], rules: [] };

const events = Array.from({ length: EVENTS }, (_, i) => makeEvent(i));
const ids = events.map((e) => e.requestId as string);
const avgBytes = events.slice(0, 1000).reduce((n, e) => n + JSON.stringify(e).length, 0) / 1000;

/** Runs `body` over all events ROUNDS times (after 3 warm-up rounds); returns ns/event per round. */
function time(body: () => number): { median: number; best: number; sink: number } {
  let sink = 0;
  for (let r = 0; r < 3; r++) sink += body();
  const perEvent: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    sink += body();
    perEvent.push(((performance.now() - start) * 1e6) / EVENTS);
  }
  perEvent.sort((a, b) => a - b);
  return { median: perEvent[Math.floor(ROUNDS / 2)] as number, best: perEvent[0] as number, sink };
}

const noop = (): number => {
  let n = 0;
  for (let i = 0; i < events.length; i++) if (events[i] !== undefined) n++;
  return n;
};
const hashOnly = (): number => {
  let x = 0;
  for (let i = 0; i < ids.length; i++) x ^= murmur3_32(ids[i] as string, SAMPLING_SEED);
  return x;
};
const decideWith = (policy: SamplingPolicy) => {
  const sampler = createSampler(policy);
  return {
    sampler,
    run: (): number => {
      let kept = 0;
      for (let i = 0; i < events.length; i++) if (sampler.decide(events[i] as Record<string, unknown>).keep) kept++;
      return kept;
    },
  };
};

const typicalRun = decideWith(typical);
const minimalRun = decideWith(minimal);
const rows: [string, () => number][] = [
  ["no-op loop", noop],
  ["murmur3_32(requestId)", hashOnly],
  ["decide, minimal policy", minimalRun.run],
  ["decide, typical policy", typicalRun.run],
];

console.log(`runtime: ${typeof Bun !== "undefined" ? `bun ${Bun.version}` : "unknown"}`);
console.log(`${EVENTS} events, avg ${avgBytes.toFixed(0)} bytes JSON, ${ROUNDS} timed rounds after 3 warm-up\n`);
console.log("case                      median ns/event   best ns/event");
for (const [name, body] of rows) {
  const { median, best, sink } = time(body);
  console.log(`${name.padEnd(26)}${median.toFixed(1).padStart(15)}${best.toFixed(1).padStart(16)}   (sink ${sink})`);
}
typicalRun.sampler.reset();
typicalRun.run();
console.log("\ntypical policy, one pass:", JSON.stringify(typicalRun.sampler.counters()));
