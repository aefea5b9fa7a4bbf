/**
 * load — sends the payment-shop traffic model to a running gateway and reports what happened:
 * HTTP latencies, accepted/kept/dropped, and how close the store's sample-weighted estimate comes
 * to the traffic actually sent (the point of tail-aware sampling).
 *
 *   npm run load -- [url=http://localhost:8787] [rate=2000] [seconds=20] [batch=100] [key=…] [query-key=…]
 * Sends only to the URL given (use a gateway of your own, on loopback in tests).
 */
import { createTraffic } from "./lib/traffic.ts";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split("=") as [string, string]));
const url = (args.url ?? "http://localhost:8787").replace(/\/$/, "");
const rate = Number(args.rate ?? 2000);
const seconds = Number(args.seconds ?? 20);
const batch = Number(args.batch ?? 100);
const auth = (key: string | undefined): Record<string, string> => (key ? { authorization: `Bearer ${key}` } : {});
const ingestHeaders = { "content-type": "application/json", ...auth(args.key) };
const queryHeaders = { "content-type": "application/json", ...auth(args["query-key"] ?? args.key) };

const next = createTraffic({ seed: Number(args.seed ?? Date.now() % 1e9), errorRate: Number(args.errors ?? 0.01) });
const latencies: number[] = [];
const statuses = new Map<number, number>();
let sent = 0;
let errorsSent = 0;
let accepted = 0;
let kept = 0;
let rejected = 0;
const started = Date.now();
const firstTs = started;
const batches = Math.ceil((rate * seconds) / batch);
const interval = (1000 * batch) / rate;
const inflight = new Set<Promise<void>>();

for (let b = 0; b < batches; b++) {
  const due = started + b * interval;
  const wait = due - Date.now();
  if (wait > 0) await Bun.sleep(wait);
  const events = Array.from({ length: batch }, (_, i) => next(Math.floor(due + (i * interval) / batch)));
  sent += events.length;
  errorsSent += events.filter((e) => e.error).length;
  const t0 = performance.now();
  const request = fetch(`${url}/v1/events`, { method: "POST", headers: ingestHeaders, body: JSON.stringify(events) })
    .then(async (response) => {
      latencies.push(performance.now() - t0);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      const body = (await response.json()) as { accepted?: number; kept?: number; rejected?: unknown[] };
      accepted += body.accepted ?? 0;
      kept += body.kept ?? 0;
      rejected += body.rejected?.length ?? 0;
    })
    .catch(() => {
      statuses.set(0, (statuses.get(0) ?? 0) + 1);
    });
  inflight.add(request);
  void request.finally(() => inflight.delete(request));
  if (inflight.size >= 64) await Promise.race(inflight); // bounded: never more than 64 requests open
}
await Promise.all(inflight);
const elapsed = (Date.now() - started) / 1000;

latencies.sort((a, b) => a - b);
const pct = (p: number) => (latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0).toFixed(1);
console.log(
  `load: ${sent} events in ${elapsed.toFixed(1)} s (${rate}/s target, ${Math.round(sent / elapsed)}/s sent), batches of ${batch} → ${url}`,
);
console.log(
  `  HTTP   ${latencies.length} requests, ${[...statuses].map(([s, n]) => `${n} × ${s || "failed"}`).join(", ")}; latency p50 ${pct(50)} ms, p95 ${pct(95)} ms, p99 ${pct(99)} ms`,
);
console.log(
  `  gateway accepted ${accepted}, kept ${kept} (${((100 * kept) / (accepted || 1)).toFixed(1)}%), dropped ${accepted - kept}, rejected ${rejected}`,
);

const range = { from: new Date(firstTs - 1000).toISOString(), to: new Date(Date.now() + 1000).toISOString() };
async function estimate(filter?: Record<string, unknown>): Promise<{ value: number; estimated: boolean; source?: string } | string> {
  const response = await fetch(`${url}/v1/query`, {
    method: "POST",
    headers: queryHeaders,
    body: JSON.stringify({ metric: "count", timeRange: range, ...(filter ? { filter } : {}) }),
  });
  const body = (await response.json()) as { rows?: { value: number }[]; estimated?: boolean; source?: string; error?: { message: string } };
  return body.rows
    ? { value: body.rows[0]?.value ?? 0, estimated: body.estimated ?? false, ...(body.source ? { source: body.source } : {}) }
    : (body.error?.message ?? `HTTP ${response.status}`);
}
// The pipeline is asynchronous (rollup counts flush every ROLLUP_FLUSH_MS): wait until the store
// has counted what the gateway accepted, for at most `settle` ms.
const settleUntil = Date.now() + Number(args.settle ?? 15_000);
let all = await estimate();
while (Date.now() < settleUntil && (typeof all === "string" || all.value < accepted)) {
  await Bun.sleep(250);
  all = await estimate();
}
const errors = await estimate({ hasError: true });
const line = (label: string, truth: number, got: { value: number } | string) =>
  typeof got === "string"
    ? `    ${label.padEnd(8)} truth ${truth}, query failed: ${got}`
    : `    ${label.padEnd(8)} truth ${String(truth).padStart(8)}   store says ${String(Math.round(got.value)).padStart(8)}   (${((100 * (got.value - truth)) / (truth || 1)).toFixed(1)}%)`;
const source = typeof all === "string" ? "" : ` from ${all.source ?? "the store"}${all.estimated ? ", estimated" : ", exact"}`;
console.log(`  count check, POST /v1/query over the run's time window${source} (other traffic in that window counts too):`);
console.log(line("events", sent, all));
console.log(line("errors", errorsSent, errors));
