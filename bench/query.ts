// Query benchmark: rollups against kept events, in the same run.
//   bun bench/query.ts [--requests N] [--days D] [--runs R] [--raw-runs R] [--mongo-runs R] [--mongo-raw-runs R]
//     [--mongo-stored N] [--mongo-hours H] [--mongo-batch N] [--mongo-db NAME] [--embedded-dir DIR] [--queries 1,2,…] [--stores embedded,mongo]
//
// Generates N represented requests (default 20,000,000) spread over D days (default 7) ending at
// NOW, through the gateway's own processEvents (bench/traffic.ts: validation, the RollupAggregator
// counting every accepted event before sampling, the 5 % sampler, exemplars, one drain per 5 s of
// simulated time), and loads what a store would be sent, kept events and rollup deltas, into the
// embedded store (SqliteEventStore) and FerretDB (MongoEventStore). Then, per query, alternately:
//   rollup path = answerStatQuery (src/stats/stat-service.ts), checked to answer from rollups;
//   raw path    = store.query, the kept events, weighted.
// Printed: p50/p95 of each, the rollup rows read and the time in readRollups, the kept events in
// the query's range, and how far the two answers' totals differ.
//
// --mongo-stored N loads only the newest N kept events into FerretDB (all rollups are loaded, so
// the rollup path runs at full scale); its raw path then reads those N. --mongo-hours H loads only
// the newest H hours of the stream (rollups and events) into FerretDB (the full 7 days of 20M
// requests load in ~15 min of applyRollups on a quiet machine). --mongo-db NAME keeps the database
// afterwards and reuses it when it already holds this scale; --embedded-dir DIR likewise.
// Env: MONGODB_URI (default mongodb://127.0.0.1:27017).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { MongoEventStore } from "../src/adapters/mongo/mongo-event-store.ts";
import { SqliteEventStore } from "../src/adapters/sqlite/sqlite-event-store.ts";
import { parseStatQuery, type StatQuery, type StatResult } from "../src/domain/query/stat-query.ts";
import type { RollupDelta, RollupRecord } from "../src/domain/rollup/rollup.ts";
import type { EventStore, RollupRead } from "../src/ports/event-store.ts";
import type { OutboundEvent } from "../src/ports/publisher.ts";
import { answerStatQuery } from "../src/stats/stat-service.ts";
import { generateTraffic, TENANT, type TrafficTotals } from "./traffic.ts";

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return (i > 0 ? process.argv[i + 1] : undefined) ?? fallback;
};
const REQUESTS = Number(arg("requests", "20000000"));
const DAYS = Number(arg("days", "7"));
const RUNS = Number(arg("runs", "15"));
const RAW_RUNS = Number(arg("raw-runs", String(RUNS)));
const MONGO_RUNS = Number(arg("mongo-runs", "5"));
const MONGO_RAW_RUNS = Number(arg("mongo-raw-runs", "1"));
const MONGO_STORED = Number(arg("mongo-stored", "0")); // 0: every kept event
const MONGO_HOURS = Number(arg("mongo-hours", "0")); // 0: the whole span
const MONGO_DB = arg("mongo-db", "");
const MONGO_BATCH = Number(arg("mongo-batch", "0")); // 0: one applyRollups call per simulated hour
const EMBEDDED_DIR = arg("embedded-dir", "");
const ONLY = arg("queries", "").split(",").filter(Boolean).map(Number);
const STORES = arg("stores", "embedded,mongo").split(",");
const MONGODB_URI = process.env.MONGODB_URI ?? "mongodb://127.0.0.1:27017";
// Not on an hour: a 24 h question reads 23 whole hours from hour rows and two ragged edges from minute rows, as most real ones do.
const NOW = Date.UTC(2026, 10, 26, 12, 34, 56);
const SPAN_MS = DAYS * 86_400_000;
const SCOPE = { tenant: TENANT, now: NOW };
const SCALE = `requests=${REQUESTS} days=${DAYS} now=${NOW} traffic=v1`;

const QUERIES: Array<[string, StatQuery]> = [
  ["count by service, 24h", { metric: "count", timeRange: { last: "24h" }, groupBy: ["service"] }],
  [
    "error_rate by route, payment, 24h",
    { metric: "error_rate", timeRange: { last: "24h" }, filter: { service: "payment" }, groupBy: ["route"] },
  ],
  ["p95 durationMs by service, 24h", { metric: "p95", field: "durationMs", timeRange: { last: "24h" }, groupBy: ["service"] }],
  ["count per 5m, last 6h", { metric: "count", timeRange: { last: "6h" }, bucket: "5m" }],
  [
    "avg durationMs by route, errors, 24h",
    { metric: "avg", field: "durationMs", timeRange: { last: "24h" }, filter: { hasError: true }, groupBy: ["route"] },
  ],
  ["count per 5m, last 24h", { metric: "count", timeRange: { last: "24h" }, bucket: "5m" }],
  ["count by service, 7d", { metric: "count", timeRange: { last: "7d" }, groupBy: ["service"] }],
  [
    "error_rate by route, payment, 7d",
    { metric: "error_rate", timeRange: { last: "7d" }, filter: { service: "payment" }, groupBy: ["route"] },
  ],
  ["p95 durationMs by service, 7d", { metric: "p95", field: "durationMs", timeRange: { last: "7d" }, groupBy: ["service"] }],
  ["count per 1h, last 7d", { metric: "count", timeRange: { last: "7d" }, bucket: "1h" }],
  [
    "avg durationMs by route, errors, 7d",
    { metric: "avg", field: "durationMs", timeRange: { last: "7d" }, filter: { hasError: true }, groupBy: ["route"] },
  ],
];

const fmt = (n: number) => Math.round(n).toLocaleString("en");
const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
};
const ms = (x: number) => (x >= 100 ? fmt(x) : x.toFixed(1));

/** Counts what the rollup path reads, and the wall time from the first read's start to the last one's end. */
class Counting {
  rows = 0;
  reads = 0;
  private first = Number.POSITIVE_INFINITY;
  private last = 0;
  readonly store: EventStore;
  constructor(inner: EventStore) {
    this.store = new Proxy(inner, {
      get: (target, key, receiver) => {
        if (key === "readRollups") {
          return async (read: RollupRead): Promise<RollupRecord[]> => {
            this.first = Math.min(this.first, performance.now());
            const rows = await target.readRollups(read);
            this.last = Math.max(this.last, performance.now());
            this.rows += rows.length;
            this.reads++;
            return rows;
          };
        }
        const value = Reflect.get(target, key, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  }
  get readMs(): number {
    return this.reads === 0 ? 0 : this.last - this.first;
  }
  reset(): void {
    this.rows = 0;
    this.reads = 0;
    this.first = Number.POSITIVE_INFINITY;
    this.last = 0;
  }
}

interface Timed {
  rollup: number[];
  readMs: number[];
  raw: number[];
  rows: number;
  reads: number;
  rollupAnswer?: StatResult;
  rawAnswer?: StatResult;
}

/** Alternates rollup and raw runs (one untimed run of each first) so drift hits both. */
async function timeQuery(store: EventStore, query: StatQuery, runs: number, rawRuns: number, label: string): Promise<Timed> {
  const counting = new Counting(store);
  const rollup = async () => {
    counting.reset();
    const answer = await answerStatQuery(counting.store, query, SCOPE);
    if (answer.source !== "rollups") throw new Error(`${label}: answered from ${answer.source}, not rollups`);
    return answer;
  };
  const out: Timed = { rollup: [], readMs: [], raw: [], rows: 0, reads: 0 };
  out.rollupAnswer = await rollup();
  for (let r = 0; r < Math.max(runs, rawRuns); r++) {
    const steps: Array<"rollup" | "raw"> = [];
    if (r < runs) steps.push("rollup");
    if (r < rawRuns) steps.push("raw");
    if (r % 2 === 1) steps.reverse();
    for (const step of steps) {
      const t = performance.now();
      if (step === "rollup") {
        await rollup();
        out.rollup.push(performance.now() - t);
        out.readMs.push(counting.readMs);
        out.rows = counting.rows;
        out.reads = counting.reads;
      } else {
        out.rawAnswer = await store.query(query, SCOPE);
        out.raw.push(performance.now() - t);
        if (performance.now() - t > 10_000) console.log(`    ${label}: raw run ${r + 1}/${rawRuns} ${fmt(performance.now() - t)} ms`);
      }
    }
  }
  return out;
}

/** Relative difference of the answers' totals (counts: exact vs weighted estimate; rates: a mean of the rows). */
function totalsGap(a: StatResult | undefined, b: StatResult | undefined): string {
  if (!a || !b) return "—";
  const sum = (r: StatResult) => r.rows.reduce((n, row) => n + (row.value ?? 0), 0) / Math.max(1, r.rows.length);
  const x = sum(a);
  const y = sum(b);
  return x === 0 ? "—" : `${(((y - x) / x) * 100).toFixed(1)}%`;
}

function report(title: string, results: Array<[string, Timed, number]>, target: number): void {
  console.log(`\n## ${title}`);
  console.log(
    "| query | rollup p50 ms | rollup p95 ms | in readRollups p50 ms | rollup rows read (reads) | raw p50 ms | raw p95 ms | kept events in range | raw ÷ rollup p50 | raw vs rollup answer |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  let met = 0;
  for (const [name, t, inRange] of results) {
    const r50 = quantile(t.rollup, 0.5);
    const raw50 = t.raw.length > 0 ? quantile(t.raw, 0.5) : Number.NaN;
    if (r50 <= target) met++;
    console.log(
      `| ${name} | ${ms(r50)} | ${ms(quantile(t.rollup, 0.95))} | ${ms(quantile(t.readMs, 0.5))} | ${fmt(t.rows)} (${t.reads}) | ` +
        `${t.raw.length ? ms(raw50) : "—"} | ${t.raw.length ? ms(quantile(t.raw, 0.95)) : "—"} | ${fmt(inRange)} | ` +
        `${t.raw.length ? `${(raw50 / r50).toFixed(raw50 / r50 >= 10 ? 0 : 1)}×` : "—"} | ${totalsGap(t.rollupAnswer, t.rawAnswer)} |`,
    );
  }
  console.log(`rollup p50 ≤ ${fmt(target)} ms: ${met} of ${results.length} queries`);
}

const queries = QUERIES.map((q, i) => [i + 1, ...q] as const)
  .filter(([i]) => ONLY.length === 0 || ONLY.includes(i))
  .map(([i, name, q]) => {
    const p = parseStatQuery(q);
    if (!p.ok) throw new Error(`${name}: ${p.error}`);
    return [`${i}. ${name}`, p.query] as const;
  });

const RANGE_MS: Record<string, number> = { "6h": 6 * 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000 };
const rangeOf = (q: StatQuery): [number, number] => {
  const last = (q.timeRange as { last?: string }).last ?? "24h";
  return [NOW - (RANGE_MS[last] ?? 86_400_000), NOW];
};

console.log(`bun ${Bun.version}, ${cpus().length} cores (nproc), ${new Date().toISOString()}; ${SCALE}`);

// ---- stores ---------------------------------------------------------------------------------
interface Target {
  name: string;
  store: EventStore;
  load: boolean;
  /** Called per simulated hour during generation. */
  chunk: (events: OutboundEvent[], deltas: RollupDelta[], from: number) => Promise<void>;
  finish: () => Promise<void>;
  loadSeconds: { events: number; rollups: number };
  /** Epoch ms of every kept event loaded, for "kept events in range". */
  stamps: number[];
}

const targets: Target[] = [];
let embeddedDir = "";
let sqlite: SqliteEventStore | undefined;
const marker = (dir: string) => join(dir, "bench-scale.txt");
if (STORES.includes("embedded")) {
  embeddedDir = EMBEDDED_DIR || mkdtempSync(join(tmpdir(), "widegate-bench-query-"));
  mkdirSync(embeddedDir, { recursive: true });
  const reuse = existsSync(marker(embeddedDir)) && readFileSync(marker(embeddedDir), "utf8") === SCALE;
  if (!reuse && existsSync(join(embeddedDir, "events.db"))) rmSync(join(embeddedDir, "events.db"), { force: true });
  sqlite = new SqliteEventStore(embeddedDir);
  const store = sqlite;
  const target: Target = {
    name: "embedded",
    store,
    load: !reuse,
    loadSeconds: { events: 0, rollups: 0 },
    stamps: [],
    chunk: async (events, deltas) => {
      let t = performance.now();
      for (let i = 0; i < events.length; i += 5000) await store.insertMany(events.slice(i, i + 5000));
      target.loadSeconds.events += (performance.now() - t) / 1000;
      t = performance.now();
      await store.applyRollups(deltas);
      target.loadSeconds.rollups += (performance.now() - t) / 1000;
    },
    finish: async () => {
      if (EMBEDDED_DIR) writeFileSync(marker(embeddedDir), SCALE);
    },
  };
  if (reuse) console.log(`embedded: reusing ${embeddedDir} (${SCALE})`);
  targets.push(target);
}

let mongo: MongoEventStore | undefined;
const mongoDb = MONGO_DB || `widegate_bench_q_${Date.now().toString(36)}`;
const MONGO_SCALE = `${SCALE} stored=${MONGO_STORED} hours=${MONGO_HOURS}${MONGO_BATCH > 0 ? ` batch=${MONGO_BATCH}` : ""}`;
if (STORES.includes("mongo")) {
  mongo = new MongoEventStore({
    uri: MONGODB_URI,
    db: mongoDb,
    collection: "events",
    retentionDays: 3650,
    rollupRetentionDays: 3650,
    // FerretDB has no TTL index, so the store would prune every 10 min with a full scan landing on timed runs: off.
    pruneIntervalMs: 0,
  });
  const meta = mongo.client.db(mongoDb).collection<{ _id: string; scale: string; stored: number }>("bench_meta");
  const held = await meta.findOne({ _id: "scale" });
  const reuse = held?.scale === MONGO_SCALE;
  if (!reuse) await mongo.client.db(mongoDb).dropDatabase();
  await mongo.init();
  const store = mongo;
  // Newest kept events, held until the end when only the newest MONGO_STORED are loaded.
  let pending: OutboundEvent[][] = [];
  let pendingCount = 0;
  const insertEvents = async (events: OutboundEvent[]) => {
    const t = performance.now();
    for (let i = 0; i < events.length; i += 2000) await store.insertMany(events.slice(i, i + 2000));
    target.loadSeconds.events += (performance.now() - t) / 1000;
    for (const e of events) target.stamps.push(Date.parse(e.timestamp as string));
  };
  const target: Target = {
    name: "mongo",
    store,
    load: !reuse,
    loadSeconds: { events: 0, rollups: 0 },
    stamps: [],
    chunk: async (events, deltas, from) => {
      if (MONGO_HOURS > 0 && from < NOW - MONGO_HOURS * 3_600_000) return;
      const t = performance.now();
      // Default: one call per simulated hour. --mongo-batch N: calls of N deltas, as a worker applying
      // each gateway flush (5 s of traffic) as it arrives would make: many more versions per bucket.
      const per = MONGO_BATCH > 0 ? MONGO_BATCH : deltas.length;
      for (let i = 0; i < deltas.length; i += per) await store.applyRollups(deltas.slice(i, i + per));
      target.loadSeconds.rollups += (performance.now() - t) / 1000;
      if (MONGO_STORED === 0) return insertEvents(events);
      pending.push(events);
      pendingCount += events.length;
      while (pending.length > 1 && pendingCount - (pending[0]?.length ?? 0) >= MONGO_STORED) pendingCount -= pending.shift()?.length ?? 0;
    },
    finish: async () => {
      if (MONGO_STORED > 0) {
        const newest = pending.flat().slice(-MONGO_STORED);
        pending = [];
        await insertEvents(newest);
      }
      await meta.insertOne({ _id: "scale", scale: MONGO_SCALE, stored: await store.collection.estimatedDocumentCount() });
    },
  };
  if (reuse) console.log(`mongo: reusing database ${mongoDb} (${MONGO_SCALE})`);
  targets.push(target);
}

// ---- load -----------------------------------------------------------------------------------
const loading = targets.filter((t) => t.load);
let totals: TrafficTotals | undefined;
if (loading.length > 0) {
  let hours = 0;
  totals = await generateTraffic({
    requests: REQUESTS,
    end: NOW,
    spanMs: SPAN_MS,
    onChunk: async (chunk) => {
      for (const t of loading) await t.chunk(chunk.kept, chunk.deltas, chunk.from);
      if (++hours % 24 === 0) {
        const done = loading.map((t) => `${t.name} events ${fmt(t.loadSeconds.events)} s, rollups ${fmt(t.loadSeconds.rollups)} s`);
        console.log(`  loaded ${hours / 24} of ${DAYS} days: ${done.join("; ")}`);
      }
    },
  });
  for (const t of loading) await t.finish();
  if (totals.counted !== totals.requests) throw new Error(`deltas count ${totals.counted} of ${totals.requests} requests`);
  console.log(
    `generated ${fmt(totals.requests)} requests over ${DAYS} days in ${totals.seconds.toFixed(0)} s (processEvents + loading): ` +
      `${fmt(totals.kept)} kept (${Object.entries(totals.keptByReason)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(", ")}), ${fmt(totals.deltas)} deltas with ${fmt(totals.deltaRows)} rows, counting ${fmt(totals.counted)} requests`,
  );
}

// ---- time -----------------------------------------------------------------------------------
for (const target of targets) {
  const { store, name } = target;
  const held = await store.count();
  const minuteRows = await store.readRollups({ tenant: TENANT, resolution: "minute", from: NOW - SPAN_MS - 60_000, to: NOW + 60_000 });
  const hourRows = await store.readRollups({ tenant: TENANT, resolution: "hour", from: NOW - SPAN_MS - 3_600_000, to: NOW + 3_600_000 });
  const counted = minuteRows.reduce((n, r) => n + r.count, 0);
  console.log(
    `\n${name}: ${fmt(held)} kept events, ${fmt(minuteRows.length)} minute rows and ${fmt(hourRows.length)} hour rows counting ${fmt(counted)} requests` +
      (target.load
        ? `; loaded in ${fmt(target.loadSeconds.events)} s (events) + ${fmt(target.loadSeconds.rollups)} s (applyRollups)`
        : " (reused)"),
  );
  if (counted !== REQUESTS && !(name === "mongo" && MONGO_HOURS > 0))
    console.log(`  WARNING: the minute rows count ${counted}, not ${REQUESTS}`);
  if (mongo && store === mongo) {
    // FerretDB 1.24 (SQLite) pushes no filter but _id equality down: every rollup read decodes the whole collection.
    const db = mongo.client.db(mongoDb);
    const names = (await db.listCollections().toArray()).map((c) => c.name).sort();
    const sizes = await Promise.all(names.map(async (n) => `${n} ${fmt(await db.collection(n).estimatedDocumentCount())}`));
    console.log(`  collections: ${sizes.join(", ")}`);
  }
  const stamps = target.stamps.length > 0 ? target.stamps.sort((a, b) => a - b) : undefined;
  const inRange = async (q: StatQuery): Promise<number> => {
    const [from, to] = rangeOf(q);
    if (stamps) {
      const lower = (x: number) => {
        let lo = 0;
        let hi = stamps.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if ((stamps[mid] as number) < x) lo = mid + 1;
          else hi = mid;
        }
        return lo;
      };
      return lower(to) - lower(from);
    }
    if (sqlite && store === sqlite) {
      return (
        sqlite.db
          .query<{ n: number }, [string, number, number]>("SELECT count(*) AS n FROM events WHERE tenant = ? AND ts >= ? AND ts < ?")
          .get(TENANT, from, to)?.n ?? 0
      );
    }
    return mongo?.collection.countDocuments({ tenant: TENANT, "_q.ts": { $gte: new Date(from), $lt: new Date(to) } }) ?? 0;
  };
  const runs = name === "mongo" ? MONGO_RUNS : RUNS;
  const rawRuns = name === "mongo" ? MONGO_RAW_RUNS : RAW_RUNS;
  const results: Array<[string, Timed, number]> = [];
  for (const [label, query] of queries) {
    const timed = await timeQuery(store, query, runs, rawRuns, label);
    const events = await inRange(query);
    results.push([label, timed, events]);
    console.log(
      `  ${label}: rollup p50 ${ms(quantile(timed.rollup, 0.5))} ms (${fmt(timed.rows)} rows), raw p50 ${timed.raw.length ? ms(quantile(timed.raw, 0.5)) : "—"} ms`,
    );
  }
  const title =
    name === "embedded"
      ? `embedded (bun:sqlite): ${fmt(held)} kept events of ${fmt(REQUESTS)} requests over ${DAYS} days; ${runs} rollup runs, ${rawRuns} raw runs per query`
      : `mongo (FerretDB, ${mongoDb}): ${fmt(held)} kept events${MONGO_STORED ? ` (the newest ${fmt(MONGO_STORED)})` : ""}, rollups of ${MONGO_HOURS > 0 ? `the last ${MONGO_HOURS} h of the` : "all"} ${fmt(REQUESTS)} requests over ${DAYS} days; ${runs} rollup runs, ${rawRuns} raw runs per query`;
  report(title, results, name === "mongo" ? 1000 : 20);
}

// ---- clean up -------------------------------------------------------------------------------
if (sqlite) {
  await sqlite.close();
  if (!EMBEDDED_DIR) rmSync(embeddedDir, { recursive: true, force: true });
}
if (mongo) {
  if (!MONGO_DB)
    await mongo.client
      .db(mongoDb)
      .dropDatabase()
      .catch(() => {});
  await mongo.close();
}
process.exit(0);
