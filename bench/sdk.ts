/**
 * bench:sdk — what the SDK's Hono middleware costs an instrumented app per request: the same Hono
 * route with and without `wideEvents`, in process (no network), against the same run's baseline
 * (the plain app). The handler enriches the event the way the payment simulation does; events go
 * into the HTTP transport's buffer, which is emptied every 1,000 as if a batch had been sent.
 * CPU time per request (process.cpuUsage), best of the rounds, so other work on the machine counts less.
 * The handler reads the context with `c.get`: Hono's `c.var` copies all variables per access, a cost of Hono's, not the SDK's.
 * `base=<path to another copy of src/sdk/index.ts>` adds that SDK to the same rounds (before/after a change).
 *
 *   npm run bench:sdk [-- requests=100000 rounds=8 base=/tmp/old/src/sdk/index.ts]
 */
import { Hono } from "hono";
import * as current from "../src/sdk/index.ts";

type Sdk = typeof current;
type App = Hono<{ Variables: current.WideEventVariables }>;

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split("=") as [string, string]));
const N = Number(args.requests ?? 100_000);
const ROUNDS = Number(args.rounds ?? 8);

const buffers: unknown[][] = [];

function app(sdk: Sdk | undefined): App {
  const a: App = new Hono();
  if (sdk) {
    // Never flushed (no timer, batch larger than any round): the bench measures building and buffering.
    const transport = new sdk.HttpTransport({ url: "http://127.0.0.1:1", flushIntervalMs: 0, batchSize: 1e9, maxBuffer: 1e9 });
    buffers.push((transport as unknown as { buffer: unknown[] }).buffer);
    a.use(sdk.wideEvents({ service: "payment", transport }));
  }
  a.get("/api/payments/:id", (c) => {
    c.get("wideEvent")
      ?.set({ user: { id: "u1", plan: "pro" } })
      .step("balance-check", "wallet")
      .attachMetadata({ attempt: 1 });
    return c.text("ok");
  });
  return a;
}

const apps: Record<string, App> = { plain: app(undefined), sdk: app(current) };
if (args.base) apps.base = app((await import(args.base)) as Sdk);
const request = new Request("http://bench/api/payments/123");

async function cpuPerRequest(target: App): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < N; i++) {
    await target.fetch(request);
    if (i % 1000 === 999) for (const buffer of buffers) buffer.length = 0;
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / N;
}

const best: Record<string, number> = {};
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, target] of Object.entries(apps))
    best[name] = Math.min(best[name] ?? Number.POSITIVE_INFINITY, await cpuPerRequest(target));
}
const plain = best.plain as number;
const line = (label: string, name: string) => {
  const us = best[name] as number;
  console.log(`  ${label.padEnd(34)} ${us.toFixed(2)} µs   overhead ${(us - plain).toFixed(2)} µs per request`);
};
console.log(`bench:sdk — Bun ${Bun.version}, ${N} requests × ${ROUNDS} rounds, CPU µs per request (best round)`);
console.log(`  ${"plain Hono route (baseline)".padEnd(34)} ${plain.toFixed(2)} µs`);
if (apps.base) line(`with wideEvents, base=${args.base}`.slice(0, 34), "base");
line("with wideEvents middleware", "sdk");
console.log(`  SDK overhead ${((best.sdk as number) - plain).toFixed(2)} µs per request (target < 5 µs)`);
