/**
 * One tenant's text searches against everyone's health checks, on the embedded store: `/healthz`
 * latency while 30 `q` searches that match nothing run at once, with the search done in one SQLite
 * statement (`before`: how the store searched until the chunked scan) and chunked (`after`), and
 * the latency of another tenant's ingest (a 100-event POST /v1/events) in the same process.
 *
 *   bun bench/q-starvation.ts [events=230000] [searches=30] [chunks=250,500] [budgets=1e9,4,2] [before=no]
 *
 * chunks compares chunk sizes; budgets compares the scans' shared time budget per event-loop turn
 * (1e9: no budget, each scan's continuation runs every turn, as before the budget existed).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import { SqliteEventStore } from "../src/adapters/sqlite/sqlite-event-store.ts";
import { parseConfig } from "../src/config/schema.ts";
import { eventsRoutes } from "../src/http/routes/events.ts";
import { ingestRoutes } from "../src/http/routes/ingest.ts";
import { createIngestSetup } from "../src/ingest/ingest-setup.ts";
import { MetricsRegistry } from "../src/metrics/registry.ts";
import type { OutboundEvent } from "../src/ports/publisher.ts";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split("=") as [string, string]));
const EVENTS = Number(args.events ?? 230_000);
const SEARCHES = Number(args.searches ?? 30);
const dir = mkdtempSync(join(tmpdir(), "widegate-q-starvation-"));
const T0 = Date.UTC(2026, 10, 26);

const seeder = new SqliteEventStore(dir);
for (let start = 0; start < EVENTS; start += 5000) {
  const batch: OutboundEvent[] = [];
  for (let i = start; i < Math.min(EVENTS, start + 5000); i++) {
    batch.push({
      eventId: `ev-${i}`,
      requestId: `r${i}`,
      tenant: "default",
      service: `svc-${i % 7}`,
      route: `/api/items/${i % 50}`,
      statusCode: i % 20 === 0 ? 502 : 200,
      timestamp: new Date(T0 - i * 500).toISOString(),
      receivedAt: new Date(T0).toISOString(),
      message: `request ${i} handled by worker ${i % 13} after upstream call`,
      sampling: { reason: "SAMPLED_NORMAL", rate: 1 },
    });
  }
  await seeder.insertMany(batch);
}
await seeder.close();

async function run(label: string, store: SqliteEventStore): Promise<void> {
  // Another tenant's ingest runs in the same process: its batches are parsed, sampled and handed off.
  const metrics = new MetricsRegistry();
  const setup = createIngestSetup(parseConfig({}), metrics);
  const sink = { submit: () => ({ ok: true as const }), drain: async () => {} };
  const app = new Hono()
    .get("/healthz", (c) => c.json({ ok: true }))
    .route("/", eventsRoutes({ store }))
    .route("/", ingestRoutes({ setup, sink, metrics }));
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: app.fetch });
  const base = `http://127.0.0.1:${server.port}`;
  const t0 = performance.now();
  const searches = Array.from({ length: SEARCHES }, () =>
    fetch(`${base}/v1/events?q=no-such-text-anywhere&limit=50`).then((r) => r.json()),
  );
  let done = false;
  const all = Promise.all(searches).then((pages) => {
    done = true;
    return pages as Array<{ warnings?: unknown[] }>;
  });
  const health: number[] = [];
  const ingest: number[] = [];
  const batch = JSON.stringify(
    Array.from({ length: 100 }, (_, i) => ({ service: "other-tenant", route: "/x", statusCode: 200, durationMs: i })),
  );
  while (!done) {
    const s = performance.now();
    await fetch(`${base}/healthz`).then((r) => r.arrayBuffer());
    health.push(performance.now() - s);
    const t = performance.now();
    await fetch(`${base}/v1/events`, { method: "POST", headers: { "content-type": "application/json" }, body: batch }).then((r) =>
      r.arrayBuffer(),
    );
    ingest.push(performance.now() - t);
    await Bun.sleep(10);
  }
  const pages = await all;
  const total = performance.now() - t0;
  server.stop(true);
  health.sort((a, b) => a - b);
  ingest.sort((a, b) => a - b);
  const at = (xs: number[], p: number) => (xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? 0).toFixed(1);
  const pct = (p: number) => at(health, p);
  const partial = pages.filter((p) => (p.warnings?.length ?? 0) > 0).length;
  console.log(
    `${label.padEnd(10)} ${SEARCHES} searches over ${EVENTS} events: all answered in ${total.toFixed(0)} ms (${partial} partial); /healthz ×${health.length}: p50 ${pct(0.5)} ms, p95 ${pct(0.95)} ms, max ${pct(1)} ms; another tenant's 100-event POST: p50 ${at(ingest, 0.5)} ms, max ${at(ingest, 1)} ms`,
  );
}

if (args.before !== "no") await run("before", new SqliteEventStore(dir, { textScan: { chunkRows: 1e9, maxRows: 1e9 } }));
const chunks = (args.chunks ?? "").split(",").filter(Boolean).map(Number);
if (chunks.length === 0 && !args.budgets) await run("after", new SqliteEventStore(dir));
for (const chunkRows of chunks) await run(`after/${chunkRows}`, new SqliteEventStore(dir, { textScan: { chunkRows } }));
const budgets = (args.budgets ?? "").split(",").filter(Boolean).map(Number);
for (const turnBudgetMs of budgets) await run(`budget/${turnBudgetMs}`, new SqliteEventStore(dir, { textScan: { turnBudgetMs } }));
rmSync(dir, { recursive: true, force: true });
