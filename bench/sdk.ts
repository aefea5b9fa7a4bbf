/**
 * bench:sdk — what the SDK's Hono middleware costs an instrumented app per request: the same Hono
 * route with and without `wideEvents`, in process (no network), against the same run's baseline
 * (the plain app). The handler enriches the event the way the payment simulation does; events go
 * into the HTTP transport's buffer, which is emptied every 1,000 as if a batch had been sent.
 * CPU time per request (process.cpuUsage), best of the rounds, so other work on the machine counts less.
 *
 *   npm run bench:sdk [-- requests=100000 rounds=8]
 */
import { Hono } from "hono";
import { HttpTransport, type WideEventVariables, wideEvents } from "../src/sdk/index.ts";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split("=") as [string, string]));
const N = Number(args.requests ?? 100_000);
const ROUNDS = Number(args.rounds ?? 8);

// Never flushed (no timer, batch larger than any round): the bench measures building and buffering.
const transport = new HttpTransport({ url: "http://127.0.0.1:1", flushIntervalMs: 0, batchSize: 1e9, maxBuffer: 1e9 });
const buffer = (transport as unknown as { buffer: unknown[] }).buffer;

function app(instrumented: boolean) {
  const a = new Hono<{ Variables: WideEventVariables }>();
  if (instrumented) a.use(wideEvents({ service: "payment", transport }));
  a.get("/api/payments/:id", (c) => {
    c.var.wideEvent
      ?.set({ user: { id: "u1", plan: "pro" } })
      .step("balance-check", "wallet")
      .attachMetadata({ attempt: 1 });
    return c.text("ok");
  });
  return a;
}

const apps = { plain: app(false), sdk: app(true) };
const request = new Request("http://bench/api/payments/123");

async function cpuPerRequest(target: Hono<{ Variables: WideEventVariables }>): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < N; i++) {
    await target.fetch(request);
    if (buffer.length >= 1000) buffer.length = 0;
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / N;
}

const best = { plain: Number.POSITIVE_INFINITY, sdk: Number.POSITIVE_INFINITY };
for (let r = 0; r < ROUNDS; r++) {
  for (const name of ["plain", "sdk"] as const) best[name] = Math.min(best[name], await cpuPerRequest(apps[name]));
}
console.log(`bench:sdk — Bun ${Bun.version}, ${N} requests × ${ROUNDS} rounds, CPU µs per request (best round)`);
console.log(`  plain Hono route (baseline)  ${best.plain.toFixed(2)} µs`);
console.log(`  with wideEvents middleware   ${best.sdk.toFixed(2)} µs`);
console.log(`  SDK overhead                 ${(best.sdk - best.plain).toFixed(2)} µs per request (target < 5 µs)`);
