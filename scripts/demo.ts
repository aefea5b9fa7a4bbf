/**
 * demo — the payment-shop story in one command: starts the all-in-one server on a fresh data folder
 * (or uses url=…), replays the last hour of shop traffic with a payment-provider incident in it,
 * then asks the search API about it in English and Korean. The server keeps running for the
 * dashboard until Ctrl-C (or exits at once with `exit`).
 *
 *   npm run demo [-- url=http://localhost:8787] [events=60000] [exit]
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createTraffic } from "./lib/traffic.ts";

const args = Object.fromEntries(process.argv.slice(2).map((a) => (a.includes("=") ? a.split("=") : [a, "true"]) as [string, string]));
const total = Number(args.events ?? 60_000);
let url = args.url?.replace(/\/$/, "");
let server: ReturnType<typeof Bun.spawn> | undefined;

if (!url) {
  const dataDir = mkdtempSync(join(tmpdir(), "widegate-demo-"));
  server = Bun.spawn([process.execPath, resolve(import.meta.dir, "../edge/bun-server.ts")], {
    env: { PATH: process.env.PATH ?? "", PORT: args.port ?? "8787", HOST: "127.0.0.1", DATA_DIR: dataDir },
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
const incident = { from: now - 35 * 60_000, to: now - 25 * 60_000, errorRate: 0.4 };
const next = createTraffic({ seed: 7, errorRate: 0.005, incident });
let kept = 0;
for (let sent = 0; sent < total; sent += 1000) {
  const events = Array.from({ length: Math.min(1000, total - sent) }, (_, i) =>
    next(now - 3_600_000 + Math.floor(((sent + i) / total) * 3_600_000)),
  );
  const response = await fetch(`${url}/v1/events`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(events),
  });
  kept += ((await response.json()) as { kept: number }).kept;
}
console.log(
  `sent ${total} events of the last hour; the gateway kept ${kept} (${((100 * kept) / total).toFixed(1)}%): every error and slow request, 5% of the rest\n`,
);
await Bun.sleep(800); // let the embedded pipeline write

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
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ question, ...(sessionId ? { sessionId } : {}) }),
  });
  const body = (await response.json()) as { sessionId: string; intent: string; query?: unknown; answer: string };
  sessionId = body.sessionId;
  console.log(
    `? ${question}\n  [${body.intent}] ${body.query ? JSON.stringify(body.query) : ""}\n  ${body.answer.replace(/\n/g, "\n  ")}\n`,
  );
}

if (server && !args.exit) {
  console.log(`dashboard: ${url}/dashboard — Ctrl-C to stop`);
  process.on("SIGINT", () => server?.kill("SIGTERM"));
  await server.exited;
} else {
  server?.kill("SIGTERM");
  await server?.exited;
}
