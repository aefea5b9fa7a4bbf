/**
 * demo — the payment-shop story in one command: starts the all-in-one server on a fresh data folder
 * (or uses url=…), starts the payment simulation (a Hono app instrumented with wide-gate/sdk) and
 * drives the last hour of shop traffic through it, with a payment-provider incident in it, so every
 * event the gateway sees was built by the SDK from a real request. Then it asks the search API
 * about it in English and Korean. The servers keep running for the dashboard until Ctrl-C (or
 * exit at once with `exit`).
 *
 *   npm run demo [-- url=http://localhost:8787] [port=8787] [app-port=0] [events=20000] [key=…] [query-key=…] [metrics-key=…] [exit]
 * The gateway listens on port= (else $PORT, else 8787); the payment app on app-port= (0: any free port).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { SIM_CRITICAL_ROUTES } from "../examples/payment-sim/routes.ts";
import { HttpTransport } from "../src/sdk/index.ts";
import {
  countingSink,
  createSimTraffic,
  createTruth,
  driveSim,
  type SimRequest,
  samplingDecisions,
  serveSim,
  TRUTH_REASONS,
} from "./lib/traffic.ts";

const args = Object.fromEntries(process.argv.slice(2).map((a) => (a.includes("=") ? a.split("=") : [a, "true"]) as [string, string]));
const total = Number(args.events ?? 20_000);
let url = args.url?.replace(/\/$/, "");
let server: ReturnType<typeof Bun.spawn> | undefined;

if (!url) {
  const dataDir = mkdtempSync(join(tmpdir(), "widegate-demo-"));
  server = Bun.spawn([process.execPath, resolve(import.meta.dir, "../edge/bun-server.ts")], {
    env: {
      PATH: process.env.PATH ?? "",
      PORT: args.port ?? process.env.PORT ?? "8787",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      // Every payment is kept: the route the incident is on.
      SAMPLING_CRITICAL_ROUTES: SIM_CRITICAL_ROUTES.join(","),
      ROLLUP_FLUSH_MS: "500",
    },
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = (server.stdout as ReadableStream<Uint8Array>).getReader();
  let printed = "";
  while (!url) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`server exited: ${printed}`);
    printed += new TextDecoder().decode(value);
    url = printed.match(/listening on (http:\/\/\S+)/)?.[1];
  }
  console.log(`started the all-in-one server at ${url} (data in ${dataDir})`);
}

// The last hour of traffic; from 35 to 25 minutes ago the payment provider times out for 40% of payments.
const now = Date.now();
const incident = { from: now - 35 * 60_000, to: now - 25 * 60_000, timeoutRate: 0.4 };
const transport = new HttpTransport({ url, batchSize: 500, ...(args.key ? { apiKey: args.key } : {}) });
const truth = createTruth({ slowMs: 2000, criticalRoutes: SIM_CRITICAL_ROUTES });
const app = serveSim(
  countingSink(truth, transport),
  { seed: 7, errorRate: 0.005, slowRate: 0.01, incident },
  Number(args["app-port"] ?? 0),
);
console.log(`started the payment simulation at ${app.url} (instrumented with wide-gate/sdk, shipping to ${url})`);

const queryHeaders: Record<string, string> = {
  "content-type": "application/json",
  ...(args["query-key"] || args.key ? { authorization: `Bearer ${args["query-key"] ?? args.key}` } : {}),
};
// A keyed gateway serves /metrics only to METRICS_API_KEY.
const metricsKey = args["metrics-key"] ?? args["query-key"] ?? args.key;
const metricsHeaders: Record<string, string> = metricsKey ? { authorization: `Bearer ${metricsKey}` } : {};
const decisionsBefore = await samplingDecisions(url, metricsHeaders);

const next = createSimTraffic({ seed: 7, tag: `demo-${now.toString(36)}` });
function* lastHour(): Generator<SimRequest> {
  for (let i = 0; i < total; i++) yield next(now - 3_600_000 + Math.floor((i / total) * 3_600_000));
}
const statuses = await driveSim(app.url, lastHour());
await transport.flush();
const stats = transport.stats();
const answered = [...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${n} × ${status || "failed"}`);
console.log(`drove ${total} requests of the last hour through the payment app: ${answered.join(", ")}`);
console.log(
  `the payment app's SDK sent ${stats.enqueued} events in ${stats.requests} batches (dropped ${stats.dropped.total}); the gateway kept ${stats.keptByGateway} (${percent(stats.keptByGateway, stats.enqueued)}):`,
);
console.log(`${explainKept(await samplingDecisions(url, metricsHeaders))}\n`);
// The pipeline is asynchronous: wait (at most 15 s) until the rollups count every event the gateway accepted.
for (const until = Date.now() + 15_000; Date.now() < until; await Bun.sleep(250)) {
  const response = await fetch(`${url}/v1/query`, {
    method: "POST",
    headers: queryHeaders,
    body: JSON.stringify({ metric: "count", timeRange: { last: "2h" } }),
  }).catch(() => undefined);
  const body = (await response?.json().catch(() => undefined)) as { rows?: { value: number }[] } | undefined;
  if ((body?.rows?.[0]?.value ?? 0) >= stats.delivered) break;
}

/** Why the gateway kept what it kept, from its sampling decisions during the run (GET /metrics) and the truth. */
function explainKept(after: Map<string, number>): string {
  const kept = (reason: string) => (after.get(`${reason} kept`) ?? 0) - (decisionsBefore.get(`${reason} kept`) ?? 0);
  if (after.size === 0) return "  (GET /metrics could not be read: no breakdown)";
  const always = kept("HAS_ERROR") + kept("SLOW_REQUEST") + kept("CRITICAL_ROUTE");
  const sampled = kept("SAMPLED_NORMAL");
  const exemplars = stats.keptByGateway - TRUTH_REASONS.reduce((n, reason) => n + kept(reason), 0);
  const rest = truth.totals.byReason.SAMPLED_NORMAL;
  return [
    `  ${always} always kept: every error, slow request and payment (/api/payments is a critical route)`,
    `  ${sampled} of the ${rest} other requests (${percent(sampled, rest)}), sampled by request id at the normal rate`,
    `  ${exemplars} exemplars (${percent(exemplars, truth.totals.events)} of the requests): the first event of each rollup group (service, route, method,`,
    "    status, error code) and minute that sampling kept nothing of; their number follows how many groups and minutes the",
    "    traffic spans, not how many requests it has, so the thinner the traffic per minute, the larger their share",
  ].join("\n");
}

function percent(part: number, whole: number): string {
  return `${((100 * part) / (whole || 1)).toFixed(1)}%`;
}

const questions = [
  "how many payment errors in the last hour, by error code?",
  "error rate by route in the last hour",
  "p95 latency of payment in the last hour",
  "show me errors like timeout",
  "지난 1시간 서비스별 에러율은?",
  "what did I ask before?",
];
let sessionId: string | undefined;
for (const question of questions) {
  const response = await fetch(`${url}/v1/search`, {
    method: "POST",
    headers: queryHeaders,
    body: JSON.stringify({ question, ...(sessionId ? { sessionId } : {}) }),
  });
  const body = (await response.json()) as { sessionId: string; intent: string; query?: unknown; answer: string };
  sessionId = body.sessionId;
  console.log(
    `? ${question}\n  [${body.intent}] ${body.query ? JSON.stringify(body.query) : ""}\n  ${body.answer.replace(/\n/g, "\n  ")}\n`,
  );
}

if (server && !args.exit) {
  console.log(`dashboard: ${url}/dashboard, payment app: ${app.url} — Ctrl-C to stop`);
  process.on("SIGINT", () => server?.kill("SIGTERM"));
  await server.exited;
  await transport.close();
  app.stop();
} else {
  await transport.close();
  app.stop();
  server?.kill("SIGTERM");
  await server?.exited;
}
