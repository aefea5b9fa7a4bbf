/**
 * Memory under cardinality abuse: 100,000 events with 100,000 distinct routes inside one minute,
 * through processEvents with the real IngestSetup (createIngestSetup from the default config:
 * ROLLUP_MAX_GROUPS=10,000, sampling at 5 %), drained into deltas as the Bun gateway's flusher
 * would (every ~5 s of that traffic), then applied to the embedded store. The same run with 10
 * distinct routes is the baseline. Each case runs in a fresh process so RSS figures are its own.
 *
 *   bun bench/cardinality.ts [events=100000] [routes=100000] [baseline=10] [flush=8]
 *
 * `flush`: requests of 1,000 events between drains (8 ≈ 5 s at 100,000 events per minute).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteEventStore } from "../src/adapters/sqlite/sqlite-event-store.ts";
import { parseConfig } from "../src/config/schema.ts";
import type { RollupDelta } from "../src/domain/rollup/rollup.ts";
import { createIngestSetup } from "../src/ingest/ingest-setup.ts";
import { processEvents } from "../src/ingest/process-events.ts";
import { MetricsRegistry } from "../src/metrics/registry.ts";
import { makeEvent } from "./fixtures.ts";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split("=") as [string, string]));
const EVENTS = Number(args.events ?? 100_000);
const PER_REQUEST = 1000;
const FLUSH = Number(args.flush ?? 8);
const MINUTE = Date.UTC(2026, 10, 26, 12, 0, 0);

interface CaseResult {
  routes: number;
  events: number;
  seconds: number;
  rssBefore: number;
  rssCounted: number;
  heapBefore: number;
  heapCounted: number;
  rssAfterApply: number;
  trackedGroups: number;
  deltas: number;
  deltaRows: number;
  deltaCount: number;
  distinctRows: number;
  otherRows: number;
  otherCount: number;
  kept: number;
  keptByReason: Record<string, number>;
  overflowMetric: string;
  storedMinuteRows: number;
  storedMinuteCount: number;
  storedHourRows: number;
  storedHourCount: number;
  applySeconds: number;
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

function memory(): { rss: number; heap: number } {
  Bun.gc(true);
  Bun.gc(true);
  return { rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed };
}

async function runCase(routes: number): Promise<CaseResult> {
  const metrics = new MetricsRegistry();
  const setup = createIngestSetup(parseConfig({ SAMPLING_NORMAL_RATE: "0.05" }), metrics);
  const aggregator = setup.rollups;
  if (aggregator === undefined) throw new Error("the IngestSetup has no rollup aggregator");
  const dir = mkdtempSync(join(tmpdir(), "widegate-cardinality-"));
  const store = new SqliteEventStore(dir);
  // Warm up the code paths on another tenant and minute, so the "before" figure holds the JIT'd code.
  for (let b = 0; b < 3; b++) {
    const items = Array.from({ length: PER_REQUEST }, (_, i) => ({ index: i, value: makeEvent(b * PER_REQUEST + i) }));
    processEvents({ items, rejected: [] }, setup, { tenant: "warmup" });
  }
  aggregator.drain();
  const warmupGroups = aggregator.trackedGroups;
  const before = memory();

  const deltas: RollupDelta[] = [];
  const keptByReason: Record<string, number> = {};
  let kept = 0;
  const started = performance.now();
  for (let b = 0; b * PER_REQUEST < EVENTS; b++) {
    // One request body of 1,000 events, parsed the way the route parses it (JSON.parse of the text).
    const values = [];
    for (let i = b * PER_REQUEST; i < Math.min(EVENTS, (b + 1) * PER_REQUEST); i++) {
      const event = makeEvent(i, 50);
      event.route = `/api/items/${i % routes}`;
      event.timestamp = new Date(MINUTE + Math.floor((i * 59_000) / EVENTS)).toISOString(); // all within one minute
      values.push(event);
    }
    const parsed = JSON.parse(JSON.stringify(values)) as unknown[];
    const result = processEvents({ items: parsed.map((value, index) => ({ index, value })), rejected: [] }, setup, { tenant: "acme" });
    if (!result.ok) throw new Error(`batch ${b} refused: ${JSON.stringify(result).slice(0, 200)}`);
    kept += result.kept.length;
    for (const event of result.kept) {
      const reason = (event.sampling as { reason: string }).reason;
      keptByReason[reason] = (keptByReason[reason] ?? 0) + 1;
    }
    if ((b + 1) % FLUSH === 0) deltas.push(...aggregator.drain());
  }
  const seconds = (performance.now() - started) / 1000;
  const trackedGroups = aggregator.trackedGroups - warmupGroups;
  deltas.push(...aggregator.drain());
  const counted = memory();

  const rows = deltas.flatMap((d) => d.rows);
  const key = (r: (typeof rows)[number]) => JSON.stringify([r.minute, r.service, r.route, r.method, r.statusCode, r.errorCode, r.error]);
  const other = rows.filter((r) => r.route === "__other__" || r.service === "__other__" || r.errorCode === "__other__");
  const overflowMetric = metrics
    .render()
    .split("\n")
    .filter((l) => l.startsWith("widegate_rollup_overflow_events_total{"))
    .join("; ");

  const applyStarted = performance.now();
  await store.applyRollups(deltas);
  const applySeconds = (performance.now() - applyStarted) / 1000;
  const minuteRows = await store.readRollups({ tenant: "acme", resolution: "minute", from: MINUTE, to: MINUTE + 60_000 });
  const hourRows = await store.readRollups({ tenant: "acme", resolution: "hour", from: MINUTE, to: MINUTE + 3_600_000 });
  const afterApply = memory();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    routes,
    events: EVENTS,
    seconds,
    rssBefore: before.rss,
    rssCounted: counted.rss,
    heapBefore: before.heap,
    heapCounted: counted.heap,
    rssAfterApply: afterApply.rss,
    trackedGroups,
    deltas: deltas.length,
    deltaRows: rows.length,
    deltaCount: rows.reduce((n, r) => n + r.count, 0),
    distinctRows: new Set(rows.map(key)).size,
    otherRows: other.length,
    otherCount: other.reduce((n, r) => n + r.count, 0),
    kept,
    keptByReason,
    overflowMetric,
    storedMinuteRows: minuteRows.length,
    storedMinuteCount: minuteRows.reduce((n, r) => n + r.count, 0),
    storedHourRows: hourRows.length,
    storedHourCount: hourRows.reduce((n, r) => n + r.count, 0),
    applySeconds,
  };
}

if (args.case !== undefined) {
  console.log(JSON.stringify(await runCase(Number(args.case))));
  process.exit(0);
}

const cases = [Number(args.baseline ?? 10), Number(args.routes ?? 100_000)];
const results: CaseResult[] = [];
for (const routes of cases) {
  const child = Bun.spawnSync([process.execPath, import.meta.path, `case=${routes}`, `events=${EVENTS}`, `flush=${FLUSH}`], {
    stderr: "inherit",
  });
  const line = child.stdout.toString().trim().split("\n").at(-1) ?? "";
  if (child.exitCode !== 0 || !line.startsWith("{")) throw new Error(`case routes=${routes} failed: ${child.stdout.toString()}`);
  results.push(JSON.parse(line) as CaseResult);
}

console.log(
  `bench/cardinality — Bun ${Bun.version}, ${navigator.hardwareConcurrency} cores; ${EVENTS.toLocaleString("en")} events in one minute, one tenant, ` +
    `default config (ROLLUP_MAX_GROUPS=10000, 5 % sampling), drained every ${FLUSH} requests of ${PER_REQUEST}`,
);
console.log(`| measure | ${results.map((r) => `${r.routes.toLocaleString("en")} routes`).join(" | ")} |`);
console.log(`| --- | ${results.map(() => "---:").join(" | ")} |`);
const row = (name: string, f: (r: CaseResult) => string) => console.log(`| ${name} | ${results.map(f).join(" | ")} |`);
row("processEvents time", (r) => `${r.seconds.toFixed(2)} s`);
row("RSS before → after counting (GC'd)", (r) => `${mb(r.rssBefore)} → ${mb(r.rssCounted)} (+${mb(r.rssCounted - r.rssBefore)})`);
row("JS heap before → after counting", (r) => `${mb(r.heapBefore)} → ${mb(r.heapCounted)} (+${mb(r.heapCounted - r.heapBefore)})`);
row("groups the aggregator remembers (this minute)", (r) => r.trackedGroups.toLocaleString("en"));
row(
  "deltas / rows in them / distinct rows",
  (r) => `${r.deltas} / ${r.deltaRows.toLocaleString("en")} / ${r.distinctRows.toLocaleString("en")}`,
);
row("total count in the deltas", (r) => r.deltaCount.toLocaleString("en"));
row("rows / count under __other__", (r) => `${r.otherRows.toLocaleString("en")} / ${r.otherCount.toLocaleString("en")}`);
row(
  "kept events (by reason)",
  (r) =>
    `${r.kept.toLocaleString("en")} (${Object.entries(r.keptByReason)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")})`,
);
row("overflow metric", (r) => r.overflowMetric || "—");
row("embedded store: applyRollups", (r) => `${r.applySeconds.toFixed(2)} s`);
row("stored minute rows / their count", (r) => `${r.storedMinuteRows.toLocaleString("en")} / ${r.storedMinuteCount.toLocaleString("en")}`);
row("stored hour rows / their count", (r) => `${r.storedHourRows.toLocaleString("en")} / ${r.storedHourCount.toLocaleString("en")}`);
row("RSS after applying to the store", (r) => mb(r.rssAfterApply));
const exact = results.every((r) => r.deltaCount === EVENTS && r.storedMinuteCount === EVENTS && r.storedHourCount === EVENTS);
console.log(`totals exact (deltas, minute rows and hour rows each count ${EVENTS.toLocaleString("en")}): ${exact ? "yes" : "NO"}`);
if (!exact) process.exit(1);
