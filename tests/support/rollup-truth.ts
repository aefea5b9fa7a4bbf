// Wide events of known truth for the rollup suites: a generator (compact columns, bodies built per
// batch), a poster that behaves like the producers, and a checker that compares /v1/query's
// rollup answers with the truth, exactly.
import { expect } from "bun:test";
import type { Collection, Document } from "mongodb";
import { binOf, exactWeightedQuantile } from "../../src/domain/query/histogram.ts";
import type { StatQuery, StatRow } from "../../src/domain/query/stat-query.ts";
import { prng } from "../query/fixtures.ts";

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

/** Services and their routes: 5 × 3 routes; traffic is uneven across services. */
export const SERVICES = ["payment", "checkout", "search", "catalog", "auth"] as const;
const SERVICE_SHARES = [0.3, 0.25, 0.2, 0.15, 0.1];
const ROUTES: Record<(typeof SERVICES)[number], readonly string[]> = {
  payment: ["/api/payments", "/api/payments/:id", "/api/refunds"],
  checkout: ["/api/cart", "/api/checkout", "/api/checkout/:id"],
  search: ["/api/search", "/api/suggest", "/api/search/facets"],
  catalog: ["/api/products", "/api/products/:id", "/api/categories"],
  auth: ["/api/login", "/api/logout", "/api/token"],
};
/** Median duration (ms) per service: the log-normal's exp(mu). */
const MEDIAN_MS = [80, 120, 35, 25, 15];
const METHODS = ["GET", "POST"] as const;
export const ERROR_CODES = ["DB_DOWN", "UPSTREAM_TIMEOUT", "INTERNAL"] as const;

/** One event's dimensions, as the rollups and the answers carry them. */
export interface TruthDims {
  service: string;
  route: string;
  method: string;
  statusCode: number;
  errorCode: string | null;
  /** 1 when an error (status ≥ 500 here). */
  error: 0 | 1;
}

/** The truth of one (minute, group): what the minute rollup row must hold. */
export interface TruthCell extends TruthDims {
  minute: number;
  count: number;
  errors: number;
  durationCount: number;
  durationSum: number;
  durationMin: number | null;
  durationMax: number | null;
}

export interface TruthTotals {
  count: number;
  errors: number;
  durationCount: number;
  durationSum: number;
}

export interface RollupTruth {
  runId: string;
  now: number;
  /** Minute-aligned range holding every event: [from, to). */
  from: number;
  to: number;
  count: number;
  /** (minute, service, route, method, statusCode, errorCode) → truth. */
  cells: TruthCell[];
  perService: Map<string, TruthTotals>;
  total: TruthTotals;
}

export interface TrafficOptions {
  count: number;
  /** Events are timestamped in [now - spanMs, now). */
  now: number;
  seed?: number;
  /** Prefix of every requestId: unique per run, so reruns and other suites never collide. */
  runId: string;
  spanMs?: number;
  /** Events per request body (the producers send ≤ 5,000). */
  batchSize?: number;
}

/**
 * `count` events of known truth, kept as columns (about 30 bytes an event) so a million fit easily;
 * request bodies are built per batch, on demand, always the same for the same batch.
 */
export class RollupTraffic {
  readonly truth: RollupTruth;
  readonly batchSize: number;
  /** Per event: timestamp (ms), index into truth.cells, duration (NaN when the event has none). */
  private readonly ts: Float64Array;
  private readonly cellOf: Int32Array;
  private readonly duration: Float64Array;

  constructor(readonly options: TrafficOptions) {
    const { count, now, runId } = options;
    const spanMs = options.spanMs ?? 2 * HOUR_MS;
    this.batchSize = options.batchSize ?? 5000;
    if (this.batchSize > 5000) throw new Error("producers send at most 5,000 events per request");
    const random = prng(options.seed ?? 20_261_126);
    this.ts = new Float64Array(count);
    this.cellOf = new Int32Array(count);
    this.duration = new Float64Array(count);
    const cells: TruthCell[] = [];
    const cellIndex = new Map<string, number>();
    const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    for (let i = 0; i < count; i++) {
      let roll = random();
      let s = SERVICES.length - 1;
      for (let k = 0; k < SERVICE_SHARES.length; k++) {
        if (roll < (SERVICE_SHARES[k] as number)) {
          s = k;
          break;
        }
        roll -= SERVICE_SHARES[k] as number;
      }
      const service = SERVICES[s] as (typeof SERVICES)[number];
      const route = ROUTES[service][Math.floor(random() * 3)] as string;
      const method = METHODS[random() < 0.7 ? 0 : 1] as string;
      const r = random();
      let statusCode = 200;
      let errorCode: string | null = null;
      if (r < 0.045) {
        // Errors: status ≥ 500 with an error code; a few 500s carry no error object (errorCode null).
        statusCode = [500, 502, 503][Math.floor(random() * 3)] as number;
        errorCode = r < 0.04 ? (ERROR_CODES[Math.floor(random() * ERROR_CODES.length)] as string) : null;
      } else if (r < 0.1) statusCode = 404;
      else if (r < 0.13) statusCode = 400;
      else if (r < 0.2) statusCode = 201;
      const error: 0 | 1 = statusCode >= 500 ? 1 : 0;
      // Log-normal durations (σ 0.9, errors 3× slower); 1.5% of events carry none.
      const median = (MEDIAN_MS[s] as number) * (error ? 3 : 1);
      const d = random() < 0.015 ? Number.NaN : Math.round(median * Math.exp(0.9 * normal()) * 1000) / 1000;
      const t = now - 1 - Math.floor(random() * spanMs);
      const minute = Math.floor(t / MINUTE_MS) * MINUTE_MS;
      const key = `${minute}\u0001${service}\u0001${route}\u0001${method}\u0001${statusCode}\u0001${errorCode ?? ""}`;
      let c = cellIndex.get(key);
      if (c === undefined) {
        c = cells.length;
        cellIndex.set(key, c);
        cells.push({
          minute,
          service,
          route,
          method,
          statusCode,
          errorCode,
          error,
          count: 0,
          errors: 0,
          durationCount: 0,
          durationSum: 0,
          durationMin: null,
          durationMax: null,
        });
      }
      const cell = cells[c] as TruthCell;
      cell.count++;
      cell.errors += error;
      if (!Number.isNaN(d)) {
        cell.durationCount++;
        cell.durationSum += d;
        if (cell.durationMin === null || d < cell.durationMin) cell.durationMin = d;
        if (cell.durationMax === null || d > cell.durationMax) cell.durationMax = d;
      }
      this.ts[i] = t;
      this.cellOf[i] = c;
      this.duration[i] = d;
    }
    const perService = new Map<string, TruthTotals>();
    const total: TruthTotals = { count: 0, errors: 0, durationCount: 0, durationSum: 0 };
    for (const cell of cells) {
      let totals = perService.get(cell.service);
      if (totals === undefined) {
        totals = { count: 0, errors: 0, durationCount: 0, durationSum: 0 };
        perService.set(cell.service, totals);
      }
      for (const t of [totals, total]) {
        t.count += cell.count;
        t.errors += cell.errors;
        t.durationCount += cell.durationCount;
        t.durationSum += cell.durationSum;
      }
    }
    const from = Math.floor((now - spanMs) / MINUTE_MS) * MINUTE_MS;
    const to = Math.floor(now / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
    this.truth = { runId, now, from, to, count, cells, perService, total };
  }

  get batches(): number {
    return Math.ceil(this.truth.count / this.batchSize);
  }

  /** The JSON body of batch `b`: what a producer would POST to /v1/events. */
  body(b: number): string {
    const start = b * this.batchSize;
    const end = Math.min(this.truth.count, start + this.batchSize);
    const events: Record<string, unknown>[] = [];
    for (let i = start; i < end; i++) {
      const cell = this.truth.cells[this.cellOf[i] as number] as TruthCell;
      const d = this.duration[i] as number;
      events.push({
        requestId: `${this.truth.runId}-${i}`,
        timestamp: new Date(this.ts[i] as number).toISOString(),
        service: cell.service,
        route: cell.route,
        method: cell.method,
        statusCode: cell.statusCode,
        ...(Number.isNaN(d) ? {} : { durationMs: d }),
        ...(cell.errorCode === null ? {} : { error: { code: cell.errorCode, message: `${cell.errorCode} on ${cell.route}` } }),
        user: { id: `u_${i % 997}` },
      });
    }
    return JSON.stringify(events);
  }

  /** Events in batches [fromBatch, toBatch). */
  eventsIn(fromBatch: number, toBatch: number): number {
    return Math.max(0, Math.min(this.truth.count, toBatch * this.batchSize) - fromBatch * this.batchSize);
  }

  /** Durations (ms) of the events whose cell passes `keep`, grouped by `groupOf(cell)`. */
  durationsBy(keep: (cell: TruthCell) => boolean, groupOf: (cell: TruthCell) => string): Map<string, number[]> {
    const cells = this.truth.cells;
    const groupOfCell = cells.map((cell) => (keep(cell) ? groupOf(cell) : null));
    const out = new Map<string, number[]>();
    for (let i = 0; i < this.truth.count; i++) {
      const g = groupOfCell[this.cellOf[i] as number];
      const d = this.duration[i] as number;
      if (g === null || g === undefined || Number.isNaN(d)) continue;
      let list = out.get(g);
      if (list === undefined) {
        list = [];
        out.set(g, list);
      }
      list.push(d);
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Posting, as the producers do.

export interface PostOptions {
  /** Requests in flight at once. */
  concurrency?: number;
  /** Batches [from, to) of the traffic; all by default. */
  fromBatch?: number;
  toBatch?: number;
  /** Give up on one batch after this long of 429s. */
  retryForMs?: number;
  /** Pause of each lane after each batch: paced traffic, for suites that break things mid-stream. */
  pauseMs?: number;
  /**
   * Send each batch with an `Idempotency-Key` and re-post it when the connection drops before an
   * answer (workerd resets kept-alive sockets now and then), as a producer should: the gateway
   * counts a re-posted keyed batch once.
   */
  idempotent?: boolean;
}

export interface PostReport {
  /** Events the gateway answered 202 for (accepted = kept + dropped). */
  accepted: number;
  kept: number;
  dropped: number;
  /** 429 answers (retried after Retry-After; the gateway counted none of them). */
  refusals: number;
  /** Keyed batches posted again after the connection dropped. */
  reposts: number;
  elapsedMs: number;
}

interface IngestAnswer {
  accepted: number;
  kept: number;
  dropped: number;
  rejected: unknown[];
}

/**
 * POSTs the traffic's batches to `/v1/events` with the ingest key, `concurrency` at a time; a 429
 * is retried after its Retry-After (the gateway refuses before it counts, so a retry never counts
 * twice). Any other answer than 202, or a rejected event, fails.
 */
export async function postTraffic(
  baseUrl: string,
  ingestKey: string,
  traffic: RollupTraffic,
  options: PostOptions = {},
): Promise<PostReport> {
  const started = Date.now();
  const report: PostReport = { accepted: 0, kept: 0, dropped: 0, refusals: 0, reposts: 0, elapsedMs: 0 };
  const from = options.fromBatch ?? 0;
  const to = Math.min(options.toBatch ?? traffic.batches, traffic.batches);
  let next = from;
  const postOne = async (b: number) => {
    const body = traffic.body(b);
    const headers: Record<string, string> = { authorization: `Bearer ${ingestKey}`, "content-type": "application/json" };
    // Keys are printable ASCII: run ids carry spaces and arrows.
    if (options.idempotent) headers["idempotency-key"] = `${traffic.truth.runId.replace(/[^\x21-\x7e]/g, "_")}:${b}`;
    const deadline = Date.now() + (options.retryForMs ?? 120_000);
    for (;;) {
      let response: Response;
      try {
        response = await fetch(`${baseUrl}/v1/events`, { method: "POST", headers, body });
      } catch (error) {
        const reset = (error as { code?: unknown }).code === "ECONNRESET";
        if (!options.idempotent || !reset || Date.now() > deadline) throw error;
        report.reposts++;
        await Bun.sleep(200);
        continue;
      }
      // 503 says nothing was accepted; only a keyed batch is re-posted after it, to be safe.
      if (response.status === 429 || (response.status === 503 && options.idempotent)) {
        report.refusals++;
        await response.arrayBuffer();
        if (Date.now() > deadline) throw new Error(`batch ${b}: still refused (429) after ${options.retryForMs ?? 120_000} ms`);
        const seconds = Number(response.headers.get("retry-after"));
        await Bun.sleep(Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000);
        continue;
      }
      const text = await response.text();
      if (response.status !== 202) throw new Error(`batch ${b}: POST /v1/events answered ${response.status}: ${text.slice(0, 500)}`);
      const answer = JSON.parse(text) as IngestAnswer;
      const size = traffic.eventsIn(b, b + 1);
      if (answer.accepted !== size || answer.rejected.length > 0) {
        throw new Error(`batch ${b}: ${answer.accepted} of ${size} accepted, ${answer.rejected.length} rejected: ${text.slice(0, 500)}`);
      }
      report.accepted += answer.accepted;
      report.kept += answer.kept;
      report.dropped += answer.dropped;
      return;
    }
  };
  const lanes = Array.from({ length: Math.max(1, options.concurrency ?? 6) }, async () => {
    while (next < to) {
      const b = next++;
      await postOne(b);
      if (options.pauseMs) await Bun.sleep(options.pauseMs);
    }
  });
  await Promise.all(lanes);
  report.elapsedMs = Date.now() - started;
  return report;
}

// ---------------------------------------------------------------------------------------------
// Querying and checking.

export interface QueryAnswer {
  rows: StatRow[];
  estimated: boolean;
  source?: "rollups" | "events";
  range?: { from: string; to: string };
}

export async function askQuery(baseUrl: string, queryKey: string, query: StatQuery): Promise<QueryAnswer> {
  const response = await fetch(`${baseUrl}/v1/query`, {
    method: "POST",
    headers: { authorization: `Bearer ${queryKey}`, "content-type": "application/json" },
    body: JSON.stringify(query),
  });
  const text = await response.text();
  if (response.status !== 200)
    throw new Error(`POST /v1/query ${JSON.stringify(query)} answered ${response.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as QueryAnswer;
}

/** The total count /v1/query gives over the truth's range (0 while nothing is stored). */
export async function countedTotal(baseUrl: string, queryKey: string, truth: RollupTruth): Promise<number> {
  const answer = await askQuery(baseUrl, queryKey, { metric: "count", timeRange: rangeOf(truth) });
  return answer.rows[0]?.value ?? 0;
}

/**
 * Polls until /v1/query counts `expected` events over the truth's range; fails if it ever counts
 * more (a double count never shrinks), or when the time is up.
 */
export async function waitForCount(
  baseUrl: string,
  queryKey: string,
  truth: RollupTruth,
  options: { expected?: number; timeoutMs?: number; everyMs?: number } = {},
): Promise<number> {
  const expected = options.expected ?? truth.count;
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let last = 0;
  while (Date.now() < deadline) {
    last = await countedTotal(baseUrl, queryKey, truth);
    if (last === expected) return last;
    if (last > expected) throw new Error(`rollups count ${last} events, more than the ${expected} accepted`);
    await Bun.sleep(options.everyMs ?? 250);
  }
  throw new Error(`rollups counted ${last} of ${expected} events after ${options.timeoutMs ?? 120_000} ms`);
}

const iso = (ms: number) => new Date(ms).toISOString();
export const rangeOf = (truth: RollupTruth, from = truth.from, to = truth.to) => ({ from: iso(from), to: iso(to) });

/** One query of the check, with the range it answers (minute-aligned, so the answer's `range` equals it). */
export interface TruthQuery {
  name: string;
  query: StatQuery;
  /** The range the answer must report; unset for relative ranges (`last`), whose end is the server's clock. */
  range?: { from: number; to: number };
}

/**
 * The issue's checks, over the whole range: totals, per service, route × status per minute (in
 * 5-minute windows so every answer fits one page), errors by code, error rates, averages,
 * percentiles, min and max; whole hours read hour rows, the edges minute rows.
 */
export function standardQueries(truth: RollupTruth): TruthQuery[] {
  const whole = { from: truth.from, to: truth.to };
  const q = (name: string, query: Omit<StatQuery, "timeRange">, range = whole): TruthQuery => ({
    name,
    query: { ...query, timeRange: rangeOf(truth, range.from, range.to), limit: 1000 },
    range,
  });
  const queries: TruthQuery[] = [
    q("count total", { metric: "count" }),
    q("count by service", { metric: "count", groupBy: ["service"] }),
    q("count of errors by errorCode", { metric: "count", filter: { hasError: true }, groupBy: ["errorCode"] }),
    q("count of non-errors by statusCode", { metric: "count", filter: { hasError: false }, groupBy: ["statusCode"] }),
    q("count with statusCode ≥ 500 by service", { metric: "count", filter: { statusCode: { gte: 500 } }, groupBy: ["service"] }),
    q("count by method and statusCode for payment", { metric: "count", filter: { service: "payment" }, groupBy: ["method", "statusCode"] }),
    q("count by service per hour", { metric: "count", groupBy: ["service"], bucket: "1h" }),
    q("count by errorCode per 15 minutes for two services", {
      metric: "count",
      filter: { service: { in: ["checkout", "auth"] }, hasError: true },
      groupBy: ["errorCode"],
      bucket: "15m",
    }),
    q("error_rate total", { metric: "error_rate" }),
    q("error_rate by service", { metric: "error_rate", groupBy: ["service"] }),
    q("error_rate by route for search", { metric: "error_rate", filter: { service: "search" }, groupBy: ["route"] }),
    q("avg total", { metric: "avg" }),
    q("avg by service", { metric: "avg", groupBy: ["service"] }),
    q("avg by service and route", { metric: "avg", groupBy: ["service", "route"] }),
    q("min total", { metric: "min" }),
    q("max total", { metric: "max" }),
    q("min by service", { metric: "min", groupBy: ["service"] }),
    q("max by service", { metric: "max", groupBy: ["service"] }),
    q("p95 total", { metric: "p95" }),
    q("p99 total", { metric: "p99" }),
    q("p50 total", { metric: "p50" }),
    q("p95 by service", { metric: "p95", groupBy: ["service"] }),
    q("p99 by service", { metric: "p99", groupBy: ["service"] }),
    q("p95 of errors by errorCode", { metric: "p95", filter: { hasError: true }, groupBy: ["errorCode"] }),
    q("avg per 5 minutes", { metric: "avg", bucket: "5m" }),
  ];
  // Route × status per minute, in windows of whole minutes cut so that each answer fits one page.
  const combos = new Map<number, Set<string>>();
  for (const cell of truth.cells) {
    let set = combos.get(cell.minute);
    if (set === undefined) {
      set = new Set();
      combos.set(cell.minute, set);
    }
    set.add(`${cell.route} ${cell.statusCode}`);
  }
  let windowFrom = truth.from;
  let rows = 0;
  for (let minute = truth.from; minute <= truth.to; minute += MINUTE_MS) {
    const here = minute < truth.to ? (combos.get(minute)?.size ?? 0) : 0;
    if (minute === truth.to || (rows + here > 1000 && minute > windowFrom)) {
      const window = { from: windowFrom, to: minute };
      queries.push(
        q(
          `count by route and statusCode per minute from ${iso(window.from)}`,
          { metric: "count", groupBy: ["route", "statusCode"], bucket: "1m" },
          window,
        ),
      );
      windowFrom = minute;
      rows = 0;
    }
    rows += here;
  }
  // A relative range (the server's clock) covering everything: the same total.
  queries.push({ name: "count total over the last 3h", query: { metric: "count", timeRange: { last: "3h" } } });
  return queries;
}

/** A smaller set for the chaos suites: totals, per service, per minute, errors, avg and p95. */
export function coreQueries(truth: RollupTruth): TruthQuery[] {
  const keep = new Set([
    "count total",
    "count by service",
    "count of errors by errorCode",
    "error_rate by service",
    "avg by service",
    "p95 by service",
    "max total",
  ]);
  return standardQueries(truth).filter((q) => keep.has(q.name) || q.name.startsWith("count by route and statusCode per minute"));
}

type Key = string | number | null;

function matches(condition: unknown, value: Key): boolean {
  if (typeof condition !== "object" || condition === null) return value === condition;
  const c = condition as { eq?: Key; neq?: Key; in?: Key[]; nin?: Key[]; gte?: number; gt?: number; lte?: number; lt?: number };
  if (c.eq !== undefined && value !== c.eq) return false;
  if (c.neq !== undefined && value === c.neq) return false;
  if (c.in !== undefined && (value === null || !c.in.includes(value))) return false;
  if (c.nin !== undefined && value !== null && c.nin.includes(value)) return false;
  for (const [op, bound] of [
    ["gte", c.gte],
    ["gt", c.gt],
    ["lte", c.lte],
    ["lt", c.lt],
  ] as const) {
    if (bound === undefined) continue;
    if (typeof value !== "number") return false;
    if (op === "gte" && !(value >= bound)) return false;
    if (op === "gt" && !(value > bound)) return false;
    if (op === "lte" && !(value <= bound)) return false;
    if (op === "lt" && !(value < bound)) return false;
  }
  return true;
}

interface ExpectedRow {
  keys: Record<string, Key>;
  bucket?: string;
  count: number;
  errors: number;
  durationCount: number;
  durationSum: number;
  min: number | null;
  max: number | null;
  /** The exact quantile of the group's durations, for p50/p95/p99. */
  exact?: number | null;
}

const QUANTILE: Record<string, number> = { p50: 0.5, p95: 0.95, p99: 0.99 };

/** The truth's answer to a query: one entry per group (and bucket), keyed like answer rows. */
export function expectedRows(traffic: RollupTraffic, query: StatQuery, range?: { from: number; to: number }): Map<string, ExpectedRow> {
  const truth = traffic.truth;
  const groupBy = (query.groupBy ?? []) as Array<keyof TruthDims>;
  const bucketMs = query.bucket
    ? { "1m": MINUTE_MS, "5m": 5 * MINUTE_MS, "15m": 15 * MINUTE_MS, "1h": HOUR_MS, "6h": 6 * HOUR_MS, "1d": 24 * HOUR_MS }[query.bucket]
    : undefined;
  const filter = (query.filter ?? {}) as Record<string, unknown>;
  const from = range?.from ?? Number.NEGATIVE_INFINITY;
  const to = range?.to ?? Number.POSITIVE_INFINITY;
  const usesDuration = query.metric !== "count" && query.metric !== "error_rate";
  const keep = (cell: TruthCell) => {
    if (cell.minute < from || cell.minute >= to) return false;
    for (const field of ["service", "route", "method", "statusCode", "errorCode"] as const) {
      if (filter[field] !== undefined && !matches(filter[field], cell[field])) return false;
    }
    if (filter.hasError !== undefined && cell.error !== (filter.hasError ? 1 : 0)) return false;
    return !usesDuration || cell.durationCount > 0;
  };
  const bucketOf = (cell: TruthCell) => (bucketMs === undefined ? undefined : iso(Math.floor(cell.minute / bucketMs) * bucketMs));
  const keyOf = (cell: TruthCell) => rowKey(Object.fromEntries(groupBy.map((g) => [g, cell[g]])), bucketOf(cell));
  const rows = new Map<string, ExpectedRow>();
  for (const cell of truth.cells) {
    if (!keep(cell)) continue;
    const key = keyOf(cell);
    let row = rows.get(key);
    if (row === undefined) {
      const bucket = bucketOf(cell);
      row = {
        keys: Object.fromEntries(groupBy.map((g) => [g, cell[g]])),
        ...(bucket === undefined ? {} : { bucket }),
        count: 0,
        errors: 0,
        durationCount: 0,
        durationSum: 0,
        min: null,
        max: null,
      };
      rows.set(key, row);
    }
    row.count += cell.count;
    row.errors += cell.errors;
    row.durationCount += cell.durationCount;
    row.durationSum += cell.durationSum;
    if (cell.durationMin !== null && (row.min === null || cell.durationMin < row.min)) row.min = cell.durationMin;
    if (cell.durationMax !== null && (row.max === null || cell.durationMax > row.max)) row.max = cell.durationMax;
  }
  const q = QUANTILE[query.metric];
  if (q !== undefined) {
    for (const [key, durations] of traffic.durationsBy(keep, keyOf)) {
      const row = rows.get(key);
      if (row) row.exact = exactQuantile(durations, q);
    }
  }
  return rows;
}

/**
 * exactWeightedQuantile with weight 1. Past 50,000 values the same definition (the first value
 * whose cumulative count reaches q × n × (1 − 1e-12)) on a sorted Float64Array: a million
 * {value, weight} objects sorted by a comparator take seconds.
 */
export function exactQuantile(values: number[], q: number): number | null {
  if (values.length <= 50_000)
    return exactWeightedQuantile(
      values.map((value) => ({ value, weight: 1 })),
      q,
    );
  const sorted = Float64Array.from(values).sort();
  const target = q * sorted.length * (1 - 1e-12);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(target) - 1));
  return sorted[index] as number;
}

function rowKey(keys: Record<string, unknown>, bucket: string | undefined): string {
  return JSON.stringify([
    bucket ?? null,
    ...Object.keys(keys)
      .sort()
      .map((k) => [k, keys[k] ?? null]),
  ]);
}

/** What a stored exemplar says about itself: enough to check it belongs to its row. */
export type ExemplarLookup = (
  eventIds: string[],
) => Promise<Map<string, { service?: unknown; route?: unknown; statusCode?: unknown; method?: unknown; timestamp?: unknown }>>;

/** Exemplars looked up in a MongoDB events collection (documents hold the event at the top level). */
export function mongoExemplarLookup<T extends Document>(collection: Collection<T>, tenant: string): ExemplarLookup {
  const events = collection as unknown as Collection<Document>;
  return async (ids) => {
    const found = new Map<string, Record<string, unknown>>();
    for (let i = 0; i < ids.length; i += 500) {
      const docs = await events.find({ tenant, eventId: { $in: ids.slice(i, i + 500) } }, { projection: { _q: 0 } }).toArray();
      for (const doc of docs) found.set(String(doc.eventId), doc);
    }
    return found;
  };
}

export interface CheckOptions {
  queries?: TruthQuery[];
  /** Queries in flight at once (default 3). */
  concurrency?: number;
  /** Looks exemplar eventIds up in the store: each must be stored, in its row's group and bucket. */
  lookupExemplars?: ExemplarLookup;
}

/**
 * Runs every query against `baseUrl`'s POST /v1/query and compares each answer with the truth:
 * rollups source, not estimated, the minute-aligned range; counts and error counts exact, error
 * rates the exact ratio, avg within 1e-9 relative, min and max exact, percentiles in the bin of
 * the exact quantile; the same rows as the truth, none missing, none extra; exemplars on every
 * row. Fails once, listing every difference.
 */
export async function checkRollupTruth(
  baseUrl: string,
  queryKey: string,
  traffic: RollupTraffic,
  options: CheckOptions = {},
): Promise<{ queries: number; rows: number }> {
  const queries = options.queries ?? standardQueries(traffic.truth);
  const problems: string[] = [];
  const exemplarChecks: Array<{ id: string; query: string; keys: Record<string, Key>; bucket?: string; bucketMs?: number }> = [];
  let rowsChecked = 0;
  const timings: Array<[string, number]> = [];
  // The answers are fetched a few at a time (FerretDB takes seconds per answer) and checked in order.
  const answers: Array<Promise<QueryAnswer>> = [];
  let nextAsk = 0;
  const ask = () => {
    const i = nextAsk++;
    const item = queries[i];
    if (item === undefined) return;
    const asked = Date.now();
    answers[i] = askQuery(baseUrl, queryKey, item.query).then((answer) => {
      timings.push([item.name, Date.now() - asked]);
      return answer;
    });
    answers[i]?.catch(() => {});
  };
  for (let i = 0; i < (options.concurrency ?? 3); i++) ask();
  for (const [i, { name, query, range }] of queries.entries()) {
    const answer = await (answers[i] as Promise<QueryAnswer>);
    ask();
    const problem = (text: string) => problems.push(`${name}: ${text}`);
    if (answer.source !== "rollups") problem(`source is ${answer.source}, not rollups`);
    if (answer.estimated !== false) problem(`estimated is ${answer.estimated}`);
    if (range !== undefined) {
      const expectedRange = { from: iso(range.from), to: iso(range.to) };
      if (JSON.stringify(answer.range) !== JSON.stringify(expectedRange))
        problem(`range ${JSON.stringify(answer.range)}, expected ${JSON.stringify(expectedRange)}`);
    }
    const expected = expectedRows(traffic, query, range);
    if (expected.size > (query.limit ?? 100)) throw new Error(`${name}: the truth has ${expected.size} rows, more than the query's limit`);
    const groupBy = query.groupBy ?? [];
    const seen = new Set<string>();
    for (const row of answer.rows) {
      const keys = Object.fromEntries(groupBy.map((g) => [g, (row[g] ?? null) as Key]));
      const key = rowKey(keys, row.bucket);
      const want = expected.get(key);
      if (want === undefined) {
        // A query with no groupBy and no bucket always answers one row, even over nothing.
        if (!(groupBy.length === 0 && !query.bucket && expected.size === 0)) problem(`unexpected row ${JSON.stringify(row)}`);
        continue;
      }
      if (seen.has(key)) problem(`row ${key} answered twice`);
      seen.add(key);
      rowsChecked++;
      const mismatch = compareValue(query.metric, row.value, want);
      if (mismatch !== null) problem(`${key}: ${mismatch}`);
      const exemplars = row.exemplars;
      if (!Array.isArray(exemplars) || exemplars.length === 0 || !exemplars.every((id) => typeof id === "string" && id.length > 0)) {
        problem(`${key}: exemplars ${JSON.stringify(exemplars)}, expected at least one eventId`);
      } else if (options.lookupExemplars !== undefined && (groupBy.length > 0 || query.bucket)) {
        const bucketMs =
          query.bucket === "1m"
            ? MINUTE_MS
            : query.bucket === "5m"
              ? 5 * MINUTE_MS
              : query.bucket === "15m"
                ? 15 * MINUTE_MS
                : query.bucket === "1h"
                  ? HOUR_MS
                  : undefined;
        for (const id of exemplars.slice(0, 2)) {
          exemplarChecks.push({
            id,
            query: name,
            keys,
            ...(row.bucket === undefined ? {} : { bucket: row.bucket }),
            ...(bucketMs === undefined ? {} : { bucketMs }),
          });
        }
      }
    }
    for (const [key, want] of expected) {
      if (!seen.has(key)) problem(`missing row ${key} (truth: count ${want.count})`);
    }
  }
  if (options.lookupExemplars !== undefined && exemplarChecks.length > 0) {
    // A sample: every row's first two exemplars, up to 2,000 ids.
    const sample = exemplarChecks.filter((_, i) => i % Math.ceil(exemplarChecks.length / 2000) === 0);
    const found = await options.lookupExemplars([...new Set(sample.map((s) => s.id))]);
    for (const check of sample) {
      const event = found.get(check.id);
      if (event === undefined) {
        problems.push(`${check.query}: exemplar ${check.id} of ${JSON.stringify(check.keys)} is not a stored event`);
        continue;
      }
      for (const [field, value] of Object.entries(check.keys)) {
        if (field === "errorCode") continue; // the event carries it as error.code
        if ((event as Record<string, unknown>)[field] !== value)
          problems.push(
            `${check.query}: exemplar ${check.id} has ${field} ${String((event as Record<string, unknown>)[field])}, its row ${String(value)}`,
          );
      }
      if (check.bucket !== undefined && check.bucketMs !== undefined) {
        const at = Date.parse(String(event.timestamp));
        const start = Date.parse(check.bucket);
        if (!(at >= start && at < start + check.bucketMs))
          problems.push(`${check.query}: exemplar ${check.id} at ${String(event.timestamp)} is outside bucket ${check.bucket}`);
      }
    }
  }
  const slowest = timings.sort((a, b) => b[1] - a[1]).slice(0, 3);
  console.log(
    `rollup truth: ${timings.length} answers, ${timings.reduce((n, [, ms]) => n + ms, 0)} ms in all; slowest ${slowest.map(([n, ms]) => `${n} ${ms} ms`).join(", ")}`,
  );
  if (problems.length > 0) console.error(`rollup truth: ${problems.length} difference(s):\n  ${problems.slice(0, 60).join("\n  ")}`);
  expect(problems.slice(0, 60)).toEqual([]);
  return { queries: queries.length, rows: rowsChecked };
}

function compareValue(metric: StatQuery["metric"], value: number | null, want: ExpectedRow): string | null {
  switch (metric) {
    case "count":
      return value === want.count ? null : `count ${value}, truth ${want.count}`;
    case "error_rate": {
      const rate = want.errors / want.count;
      return value === rate ? null : `error_rate ${value}, truth ${want.errors}/${want.count} = ${rate}`;
    }
    case "avg": {
      const avg = want.durationSum / want.durationCount;
      return value !== null && Math.abs(value - avg) <= 1e-9 * Math.abs(avg) ? null : `avg ${value}, truth ${avg}`;
    }
    case "min":
      return value === want.min ? null : `min ${value}, truth ${want.min}`;
    case "max":
      return value === want.max ? null : `max ${value}, truth ${want.max}`;
    default: {
      const exact = want.exact;
      if (exact === null || exact === undefined || value === null) return `${metric} ${value}, truth ${exact}`;
      return binOf(value) === binOf(exact) ? null : `${metric} ${value} (bin ${binOf(value)}), exact ${exact} (bin ${binOf(exact)})`;
    }
  }
}
