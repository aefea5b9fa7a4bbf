// Query engine benchmark: ./node_modules/.bin/bun bench/query.ts [--events N] [--mongo-events N] [--runs R] [--mongo-runs R]
//   [--mongo-warmup W] [--mongo-collection NAME] [--queries 1,2,…] [--stores embedded,mongo]
// Seeds N wide events (default 1,000,000) into each store, then times five typical StatQueries
// through the engine (store.query: plan, run, finalize) against the ceiling measured in the same
// run: the very same SQL / aggregation pipelines run directly through bun:sqlite / the driver.
// Env: BENCH_EVENTS, BENCH_MONGO_EVENTS, BENCH_RUNS, BENCH_MONGO_RUNS, MONGODB_URI.
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import type { Document } from "mongodb";
import { needsRefine, readRows, refineHistogram, statPasses } from "../src/adapters/mongo/mongo-aggregation.ts";
import { MongoEventStore } from "../src/adapters/mongo/mongo-event-store.ts";
import { SqliteEventStore } from "../src/adapters/sqlite/sqlite-event-store.ts";
import { type AggregateRow, type Params, readAggregateRows, statSql } from "../src/adapters/sqlite/sqlite-sql.ts";
import { finalize, type GroupPartial } from "../src/domain/query/evaluate.ts";
import { planQuery } from "../src/domain/query/plan.ts";
import { parseStatQuery, type StatQuery } from "../src/domain/query/stat-query.ts";
import type { EventStore } from "../src/ports/event-store.ts";
import type { OutboundEvent } from "../src/ports/publisher.ts";
import { prng } from "../tests/query/fixtures.ts";

const arg = (name: string, env: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return (i > 0 ? process.argv[i + 1] : undefined) ?? process.env[env] ?? fallback;
};
const EVENTS = Number(arg("events", "BENCH_EVENTS", "1000000"));
const MONGO_EVENTS = Number(arg("mongo-events", "BENCH_MONGO_EVENTS", String(EVENTS)));
const RUNS = Number(arg("runs", "BENCH_RUNS", "15"));
const MONGO_RUNS = Number(arg("mongo-runs", "BENCH_MONGO_RUNS", "5"));
const MONGO_WARMUP = Number(arg("mongo-warmup", "BENCH_MONGO_WARMUP", "1"));
// A named collection is kept afterwards and reused when it already holds the events (seeding 1M into FerretDB takes ~8 min).
const MONGO_COLLECTION = arg("mongo-collection", "BENCH_MONGO_COLLECTION", "");
// 1-based positions in QUERIES to run, e.g. "4,5"; default all.
const ONLY = arg("queries", "BENCH_QUERIES", "").split(",").filter(Boolean).map(Number);
const STORES = arg("stores", "BENCH_STORES", "embedded,mongo").split(",");
const MONGODB_URI = process.env.MONGODB_URI ?? "mongodb://127.0.0.1:27017";
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const SCOPE = { tenant: "acme", now: NOW };

let random = prng(42);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const services = ["payment", "checkout", "search", "catalog", "auth", "cart", "shipping", "notifications"];
const routes = [
  "/api/payments",
  "/api/payments/:id",
  "/api/orders",
  "/api/orders/:id",
  "/api/search",
  "/api/items/:id",
  "/api/cart",
  "/api/users/:id",
];

/** What the store holds after sampling: errors and slow requests at rate 1, the rest at 0.05. */
function makeEvent(i: number): OutboundEvent {
  const roll = random();
  const statusCode = roll < 0.08 ? pick([500, 502, 503, 504]) : roll < 0.15 ? pick([400, 404, 409]) : 200;
  const durationMs = Math.round(Math.exp(3 + random() * 3 + (random() < 0.05 ? 2 : 0)) * 10) / 10;
  const always = statusCode >= 500 || durationMs > 2000;
  return {
    eventId: `b-${i}`,
    requestId: `r-${i}`,
    tenant: "acme",
    service: pick(services),
    route: pick(routes),
    method: pick(["GET", "GET", "POST", "PUT"]),
    statusCode,
    durationMs,
    timestamp: new Date(NOW - Math.floor(random() * 86_400_000)).toISOString(),
    receivedAt: new Date(NOW).toISOString(),
    sampling: always ? { reason: statusCode >= 500 ? "HAS_ERROR" : "SLOW_REQUEST", rate: 1 } : { reason: "SAMPLED_NORMAL", rate: 0.05 },
    ...(statusCode >= 500
      ? { error: { code: pick(["GATEWAY_TIMEOUT", "DB_DOWN"]), message: "upstream timed out", type: "UpstreamError" } }
      : {}),
    user: { id: `u_${Math.floor(random() * 1e6)}`, plan: pick(["free", "pro", "enterprise"]) },
    region: pick(["eu-west-1", "us-east-1"]),
    version: `2026.11.${Math.floor(random() * 30)}`,
  };
}

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
];

async function seed(store: EventStore, count: number, batch: number): Promise<number> {
  random = prng(42);
  const started = performance.now();
  for (let i = 0; i < count; i += batch) {
    const events: OutboundEvent[] = [];
    for (let j = i; j < Math.min(count, i + batch); j++) events.push(makeEvent(j));
    await store.insertMany(events);
  }
  return (performance.now() - started) / 1000;
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
};

/** Alternates engine and direct runs so drift hits both; `warmup` untimed runs of each first. */
async function compare<T>(runs: number, engine: () => Promise<unknown>, direct: () => Promise<T>, warmup = 1, progress?: string) {
  for (let w = 0; w < warmup; w++) {
    await engine();
    await direct();
  }
  const e: number[] = [];
  const d: number[] = [];
  let last: T | undefined;
  for (let r = 0; r < runs; r++) {
    for (const [fn, sink] of r % 2 === 0
      ? ([
          [engine, e],
          [direct, d],
        ] as const)
      : ([
          [direct, d],
          [engine, e],
        ] as const)) {
      const t = performance.now();
      const result = await fn();
      sink.push(performance.now() - t);
      if (fn === direct) last = result as T;
      // Long runs (FerretDB at 1M: minutes per pass) print each timing as it lands.
      if (progress)
        console.log(`    ${progress} run ${r + 1}/${runs} ${fn === direct ? "direct" : "engine"}: ${(sink.at(-1) ?? 0).toFixed(0)} ms`);
    }
  }
  return { e50: quantile(e, 0.5), e95: quantile(e, 0.95), d50: quantile(d, 0.5), d95: quantile(d, 0.95), work: 0, last };
}

/**
 * The engine's own work on a query, free of the server's noise: plan, build the SQL/pipelines,
 * read the rows the database returned, finalize. Mean of 200 runs over rows captured once.
 */
async function engineWork(body: () => unknown): Promise<number> {
  for (let i = 0; i < 20; i++) await body();
  const t = performance.now();
  for (let i = 0; i < 200; i++) await body();
  return (performance.now() - t) / 200;
}

function report(
  store: string,
  events: number,
  runs: number,
  seedSeconds: number,
  rows: Array<[string, Awaited<ReturnType<typeof compare>>]>,
) {
  console.log(
    `\n## ${store}: ${events.toLocaleString("en")} stored events (seeded in ${seedSeconds.toFixed(0)} s), ${runs} timed runs per query`,
  );
  console.log("| query | engine p50 ms | engine p95 ms | direct p50 ms | direct p95 ms | p50 ratio | engine work ms | work / direct p50 |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const [name, r] of rows) {
    const ratio = ((r.e50 / r.d50 - 1) * 100).toFixed(1);
    const work = ((r.work / r.d50) * 100).toFixed(2);
    console.log(
      `| ${name} | ${r.e50.toFixed(1)} | ${r.e95.toFixed(1)} | ${r.d50.toFixed(1)} | ${r.d95.toFixed(1)} | ${ratio}% | ${r.work.toFixed(3)} | ${work}% |`,
    );
  }
}

console.log(`bun ${Bun.version}, ${cpus().length} cores (nproc), ${new Date().toISOString()}`);
const parsed = QUERIES.filter((_, i) => ONLY.length === 0 || ONLY.includes(i + 1)).map(([name, q]) => {
  const p = parseStatQuery(q);
  if (!p.ok) throw new Error(`${name}: ${p.error}`);
  return [name, p.query] as const;
});

if (STORES.includes("embedded")) {
  const dir = mkdtempSync(join(tmpdir(), "widegate-bench-"));
  const store = new SqliteEventStore(dir);
  const seconds = await seed(store, EVENTS, 5000);
  // The ceiling uses the store's own connection: same cache, same prepared-statement cache.
  const raw = store.db;
  const rows: Array<[string, Awaited<ReturnType<typeof compare>>]> = [];
  for (const [name, query] of parsed) {
    const result = await compare(
      RUNS,
      () => store.query(query, SCOPE),
      async () => {
        const { sql, params } = statSql(planQuery(query, SCOPE));
        return raw.query(sql).all(params);
      },
    );
    const { sql, params } = statSql(planQuery(query, SCOPE));
    const captured = raw.query<AggregateRow, [Params]>(sql).all(params);
    result.work = await engineWork(() => {
      const plan = planQuery(query, SCOPE);
      statSql(plan);
      return finalize(plan, readAggregateRows(plan, captured).values());
    });
    rows.push([name, result]);
  }
  report("embedded (bun:sqlite)", EVENTS, RUNS, seconds, rows);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

if (STORES.includes("mongo")) {
  const store = new MongoEventStore({
    uri: MONGODB_URI,
    db: "widegate_bench",
    collection: MONGO_COLLECTION || `query-${Date.now().toString(36)}`,
    retentionDays: 3650,
    // FerretDB has no TTL index, so the store prunes at start and every 10 min, and on FerretDB that
    // find is a full scan (~2 min at 1M) landing on random timed runs; nothing here expires: off.
    pruneIntervalMs: 0,
    clientOptions: { monitorCommands: true },
  });
  // The pipelines the engine sends, so the direct run replays exactly them: a percentile's second
  // pass depends on its first pass's rows, so only the engine can build it.
  const sent: Document[][] = [];
  store.client.on("commandStarted", (event) => {
    if (event.commandName === "aggregate") sent.push(event.command.pipeline as Document[]);
  });
  await store.init();
  console.log(`\nmongo capabilities: ${JSON.stringify(store.capabilities)}, retention: ${store.retention}`);
  try {
    const held = MONGO_COLLECTION ? await store.collection.estimatedDocumentCount() : 0;
    if (held !== 0 && held !== MONGO_EVENTS) throw new Error(`${MONGO_COLLECTION} holds ${held} events, not ${MONGO_EVENTS}`);
    const seconds = held === MONGO_EVENTS ? 0 : await seed(store, MONGO_EVENTS, 2000);
    if (held === MONGO_EVENTS) console.log(`reusing ${MONGO_COLLECTION}: ${held} events already seeded`);
    const rows: Array<[string, Awaited<ReturnType<typeof compare>>]> = [];
    for (const [name, query] of parsed) {
      const passes = statPasses(planQuery(query, SCOPE), store.capabilities);
      const refine = needsRefine(planQuery(query, SCOPE), store.capabilities) ? " then a refine pass built from their rows" : "";
      console.log(`  ${name}: ${passes.length} pass(es)${refine}: ${JSON.stringify(passes.map((p) => p.pipeline.slice(1)))}`);
      let enginePipelines: Document[][] = [];
      const engine = async () => {
        sent.length = 0;
        const answer = await store.query(query, SCOPE);
        enginePipelines = sent.slice();
        return answer;
      };
      const aggregate = (pipeline: Document[]) => store.collection.aggregate(pipeline).toArray();
      // The first passes together (as the engine runs them), then any pass that depends on them.
      const direct = async () => {
        const first = await Promise.all(passes.map((p) => aggregate(p.pipeline)));
        for (const pipeline of enginePipelines.slice(passes.length)) first.push(await aggregate(pipeline));
        return first;
      };
      const result = await compare(MONGO_RUNS, engine, direct, MONGO_WARMUP, name);
      // The rows of the last timed direct run: at 1M documents on FerretDB one more pass costs minutes.
      const captured = result.last ?? (await direct());
      result.work = await engineWork(async () => {
        const plan = planQuery(query, SCOPE);
        const partials = new Map<string, GroupPartial>();
        const passesNow = statPasses(plan, store.capabilities);
        passesNow.forEach((pass, i) => {
          readRows(plan, pass, captured[i] ?? [], partials);
        });
        let next = passesNow.length;
        if (needsRefine(plan, store.capabilities)) {
          await refineHistogram(plan, store.capabilities, partials, async () => captured[next++] ?? []);
        }
        return finalize(plan, partials.values());
      });
      rows.push([name, result]);
    }
    report("mongo (FerretDB 1.24, SQLite backend)", MONGO_EVENTS, MONGO_RUNS, seconds, rows);
  } finally {
    if (!MONGO_COLLECTION) await store.collection.drop().catch(() => {});
    await store.close();
  }
}
