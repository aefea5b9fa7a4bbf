/**
 * load — drives traffic at a running gateway and reports what happened.
 *
 * Synthetic (default): posts the payment-shop traffic model straight to POST /v1/events and reports
 * HTTP latencies, accepted/kept/dropped, and how close the store's counts come to what was sent.
 *
 *   npm run load -- [url=http://localhost:8787] [rate=2000] [seconds=20] [batch=100] [key=…] [query-key=…] [metrics-key=…]
 *
 * Simulation (mode=sim): sends real requests through the payment simulation, a Hono app instrumented
 * with wide-gate/sdk, started in this process; the SDK ships its events to the gateway. Reports the
 * truth (events the SDK built, by service, route and the sampling reason they should get), what the
 * gateway decided (GET /metrics), what the store holds (GET /v1/events, POST /v1/query), the stored
 * fraction and the share of valuable events (errors, slow, critical routes) kept.
 *
 *   npm run load -- mode=sim [url=…] [requests=100000] [concurrency=64] [errors=0.01] [slow=0.02]
 *                   [critical=/api/payments] [slow-ms=2000] [batch=500] [key=…] [query-key=…] [metrics-key=…] [settle=30000]
 * The gateway should run with SAMPLING_CRITICAL_ROUTES=/api/payments (the critical= list).
 * Sends only to the URL given (use a gateway of your own, on loopback in tests).
 */
import { SIM_CRITICAL_ROUTES } from "../examples/payment-sim/routes.ts";
import { HttpTransport } from "../src/sdk/index.ts";
import {
  countingSink,
  createSimTraffic,
  createTraffic,
  createTruth,
  driveSim,
  type SimRequest,
  samplingDecisions,
  serveSim,
  TRUTH_REASONS,
  unreachable,
} from "./lib/traffic.ts";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split("=") as [string, string]));
const url = (args.url ?? "http://localhost:8787").replace(/\/$/, "");
const rate = Number(args.rate ?? 2000);
const seconds = Number(args.seconds ?? 20);
const batch = Number(args.batch ?? 100);
const auth = (key: string | undefined): Record<string, string> => (key ? { authorization: `Bearer ${key}` } : {});
const ingestHeaders = { "content-type": "application/json", ...auth(args.key) };
const queryHeaders = { "content-type": "application/json", ...auth(args["query-key"] ?? args.key) };
// A keyed gateway serves /metrics only to METRICS_API_KEY.
const metricsHeaders = auth(args["metrics-key"] ?? args["query-key"] ?? args.key);

const down = await unreachable(url);
if (down) {
  console.error(`load: ${down}`);
  process.exit(1);
}
if (args.mode === "sim") {
  await runSim();
  process.exit(0);
}

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
  }).catch((error: Error) => error); // a gateway stopped mid-run: a line in the report, not a stack
  if (response instanceof Error) return response.message;
  const body = (await response.json().catch(() => ({}))) as {
    rows?: { value: number }[];
    estimated?: boolean;
    source?: string;
    error?: { message: string };
  };
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
const source = typeof all === "string" ? "" : ` from ${all.source ?? "the store"}${all.estimated ? ", estimated" : ", exact"}`;
console.log(`  count check, POST /v1/query over the run's time window${source} (other traffic in that window counts too):`);
console.log(line("events", sent, all));
console.log(line("errors", errorsSent, errors));

/** mode=sim: requests through the instrumented payment simulation; the report compares the gateway and store with the truth. */
async function runSim(): Promise<void> {
  const total = Number(args.requests ?? 100_000);
  const concurrency = Number(args.concurrency ?? 64);
  const slowMs = Number(args["slow-ms"] ?? 2000);
  const critical = args.critical ? args.critical.split(",") : [...SIM_CRITICAL_ROUTES];
  const tag = `load-${Date.now().toString(36)}`;
  const truth = createTruth({ slowMs, criticalRoutes: critical });
  const transport = new HttpTransport({ url, batchSize: Number(args.batch ?? 500), ...(args.key ? { apiKey: args.key } : {}) });
  const scenario = { seed: Number(args.seed ?? 7), errorRate: Number(args.errors ?? 0.01), slowRate: Number(args.slow ?? 0.02) };
  const app = serveSim(countingSink(truth, transport), scenario);
  const before = await samplingMetrics();

  const next = createSimTraffic({ seed: scenario.seed, tag });
  function* requests(): Generator<SimRequest> {
    for (let i = 0; i < total; i++) yield next(Date.now());
  }
  const started = Date.now();
  const statuses = await driveSim(app.url, requests(), concurrency);
  await transport.close();
  const elapsed = (Date.now() - started) / 1000;
  app.stop();
  const stats = transport.stats();
  const range = { from: started - 1000, to: Date.now() + 1000 };

  console.log(
    `load (sim): ${total} requests through the payment simulation in ${elapsed.toFixed(1)} s (${Math.round(total / elapsed)}/s), ${concurrency} at a time → ${url}`,
  );
  const answered = [...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${n} × ${status || "failed"}`);
  console.log(`  app answered ${answered.join(", ")}`);
  const d = stats.dropped;
  console.log(
    `  SDK transport: ${stats.enqueued} events built, ${stats.delivered} delivered in ${stats.requests} requests (retries ${stats.retries}, gzip fallbacks ${stats.gzipFallbacks}); dropped ${d.total} (buffer full ${d.bufferFull}, refused ${d.refused}, failed ${d.failed}, too large ${d.tooLarge})`,
  );

  // Wait for the asynchronous pipeline: rollups counting every delivered event, then the kept events stored.
  const settleUntil = Date.now() + Number(args.settle ?? 30_000);
  let counted = await storeCount(range);
  while (Date.now() < settleUntil && (typeof counted === "string" || counted.value < stats.delivered)) {
    await Bun.sleep(250);
    counted = await storeCount(range);
  }
  let stored = await storedIds(range, tag);
  while (Date.now() < settleUntil && typeof stored !== "string" && stored.size < stats.keptByGateway) {
    await Bun.sleep(500);
    stored = await storedIds(range, tag);
  }
  const byGroup = await storeCount(range, ["service", "route"]);

  console.log("  truth: events generated, by service / route / the reason the sampler should give; store = POST /v1/query (rollups)");
  const header = ["service", "route", ...TRUTH_REASONS, "total", "store"];
  const widths = [10, 26, 10, 13, 15, 15, 8, 8];
  const row = (cells: (string | number)[]) =>
    `    ${cells.map((c, i) => (i < 2 ? String(c).padEnd(widths[i] ?? 8) : String(c).padStart(widths[i] ?? 8))).join(" ")}`;
  console.log(row(header));
  const groups = [...truth.groups.values()].sort((a, b) => `${a.service} ${a.route}`.localeCompare(`${b.service} ${b.route}`));
  for (const g of groups) {
    const sum = TRUTH_REASONS.reduce((n, r) => n + g.reasons[r], 0);
    const store = typeof byGroup === "string" ? "?" : Math.round(byGroup.groups.get(`${g.service} ${g.route}`) ?? 0);
    console.log(row([g.service, g.route, ...TRUTH_REASONS.map((r) => g.reasons[r]), sum, store]));
  }
  console.log(
    row([
      "all",
      "",
      ...TRUTH_REASONS.map((r) => truth.totals.byReason[r]),
      truth.totals.events,
      typeof counted === "string" ? "?" : Math.round(counted.value),
    ]),
  );

  const after = await samplingMetrics();
  console.log("  gateway sampling decisions during the run (GET /metrics) against the truth:");
  for (const reason of TRUTH_REASONS) {
    const kept = (after.get(`${reason} kept`) ?? 0) - (before.get(`${reason} kept`) ?? 0);
    const dropped = (after.get(`${reason} dropped`) ?? 0) - (before.get(`${reason} dropped`) ?? 0);
    const want = truth.totals.byReason[reason];
    const mark = kept + dropped === want ? "" : "   ← differs from the truth";
    console.log(
      `    ${reason.padEnd(15)} truth ${String(want).padStart(8)}   gateway ${String(kept + dropped).padStart(8)}, kept ${String(kept).padStart(7)} (${share(kept, kept + dropped)})${mark}`,
    );
  }
  const keptByReason = TRUTH_REASONS.reduce((n, r) => n + (after.get(`${r} kept`) ?? 0) - (before.get(`${r} kept`) ?? 0), 0);

  const storedCount = typeof stored === "string" ? 0 : stored.size;
  const valuableKept = typeof stored === "string" ? 0 : [...truth.valuable].filter((id) => stored.has(id)).length;
  console.log(`  events generated: ${truth.totals.events}`);
  console.log(
    typeof stored === "string"
      ? `  events stored: unknown (GET /v1/events failed: ${stored})`
      : `  events stored: ${storedCount} (the gateway's 202s said kept ${stats.keptByGateway}: ${keptByReason} by the sampler, ${stats.keptByGateway - keptByReason} exemplars, the first event of a rollup group and minute nothing else kept)`,
  );
  console.log(`  stored fraction: ${share(storedCount, truth.totals.events)}`);
  console.log(
    `  valuable events kept: ${share(valuableKept, truth.valuable.size)} (${valuableKept} of ${truth.valuable.size} errors, slow requests and critical-route events)`,
  );
  if (!critical.length || truth.totals.byReason.CRITICAL_ROUTE === 0)
    console.log("  (no critical-route traffic in the truth: check critical=)");
  const errors = await storeCount(range, undefined, { hasError: true });
  const source =
    typeof counted === "string" ? "" : ` from ${counted.source ?? "the store"}${counted.estimated ? ", estimated" : ", exact"}`;
  console.log(`  count check, POST /v1/query over the run's time window${source} (other traffic in that window counts too):`);
  console.log(line("events", truth.totals.events, counted));
  console.log(line("errors", truth.totals.errors, errors));
}

/** One count-check line: the truth, what the store says, and the difference. */
function line(label: string, truth: number, got: { value: number } | string): string {
  return typeof got === "string"
    ? `    ${label.padEnd(8)} truth ${truth}, query failed: ${got}`
    : `    ${label.padEnd(8)} truth ${String(truth).padStart(8)}   store says ${String(Math.round(got.value)).padStart(8)}   (${((100 * (got.value - truth)) / (truth || 1)).toFixed(1)}%)`;
}

function share(part: number, whole: number): string {
  return `${((100 * part) / (whole || 1)).toFixed(1)}%`;
}

/** The gateway's sampling decisions so far (GET /metrics). */
function samplingMetrics(): Promise<Map<string, number>> {
  return samplingDecisions(url, metricsHeaders);
}

type Counted = { value: number; estimated: boolean; source?: string; groups: Map<string, number> };

/** POST /v1/query count over [from, to], optionally grouped; the error message when it fails. */
async function storeCount(
  range: { from: number; to: number },
  groupBy?: string[],
  filter?: Record<string, unknown>,
): Promise<Counted | string> {
  const response = await fetch(`${url}/v1/query`, {
    method: "POST",
    headers: queryHeaders,
    body: JSON.stringify({
      metric: "count",
      timeRange: { from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString() },
      ...(groupBy ? { groupBy, limit: 1000 } : {}),
      ...(filter ? { filter } : {}),
    }),
  }).catch((error: Error) => error);
  if (response instanceof Error) return response.message;
  const body = (await response.json().catch(() => ({}))) as {
    rows?: Array<{ value: number; service?: string; route?: string }>;
    estimated?: boolean;
    source?: string;
    error?: { message: string };
  };
  if (!body.rows) return body.error?.message ?? `HTTP ${response.status}`;
  const groups = new Map<string, number>();
  for (const r of body.rows) if (groupBy) groups.set(`${r.service} ${r.route}`, r.value);
  const value = groupBy ? body.rows.reduce((n, r) => n + r.value, 0) : (body.rows[0]?.value ?? 0);
  return { value, estimated: body.estimated ?? false, groups, ...(body.source ? { source: body.source } : {}) };
}

/** Request ids of this run's stored events (GET /v1/events, every page of the window). */
async function storedIds(range: { from: number; to: number }, tag: string): Promise<Set<string> | string> {
  const ids = new Set<string>();
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({ from: String(range.from), to: String(range.to), limit: "200", ...(cursor ? { cursor } : {}) });
    const response = await fetch(`${url}/v1/events?${query}`, { headers: queryHeaders }).catch((error: Error) => error);
    if (response instanceof Error) return response.message;
    const body = (await response.json().catch(() => ({}))) as {
      events?: Array<{ requestId?: string }>;
      nextCursor?: string | null;
      error?: { message: string };
    };
    if (!body.events) return body.error?.message ?? `HTTP ${response.status}`;
    for (const e of body.events) if (e.requestId?.startsWith(`${tag}-`)) ids.add(e.requestId);
    cursor = body.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}
