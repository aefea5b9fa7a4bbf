/**
 * bench:query's data: a stream of represented requests spread evenly over a span (7 days by
 * default) ending at `end`, run through the gateway's own processEvents with a real IngestSetup
 * (createIngestSetup: validation, redaction, the RollupAggregator counting every accepted event
 * before the sampler decides, exemplars), drained once per flush window of simulated time as the
 * Bun gateway's RollupFlusher does (one delta per tenant per window, rows = groups touched). What
 * comes out is exactly what a store would be sent: the kept events and the rollup deltas.
 *
 * Deterministic: a seeded PRNG for the requests, so eventIds (derived from requestId, timestamp and
 * service) are the same on every run; delta ids are derived from the window.
 */
import { parseConfig } from "../src/config/schema.ts";
import type { RollupDelta } from "../src/domain/rollup/rollup.ts";
import { createIngestSetup } from "../src/ingest/ingest-setup.ts";
import { processEvents } from "../src/ingest/process-events.ts";
import { MetricsRegistry } from "../src/metrics/registry.ts";
import type { OutboundEvent } from "../src/ports/publisher.ts";
import { prng } from "../tests/query/fixtures.ts";

export const TENANT = "acme";
export const SERVICES = ["payment", "checkout", "search", "catalog", "auth", "cart", "shipping", "notifications"];
/** Each route has its one method, as in a real API: the group count is service × route × status. */
export const ROUTES: ReadonlyArray<readonly [string, string]> = [
  ["/api/payments", "POST"],
  ["/api/payments/:id", "GET"],
  ["/api/orders", "POST"],
  ["/api/orders/:id", "GET"],
  ["/api/search", "GET"],
  ["/api/items/:id", "GET"],
  ["/api/cart", "PUT"],
  ["/api/users/:id", "GET"],
];

export interface TrafficOptions {
  requests: number;
  /** Epoch ms the stream ends at (exclusive). */
  end: number;
  spanMs: number;
  /** Simulated ROLLUP_FLUSH_MS (default 5000, the config default). */
  flushMs?: number;
  seed?: number;
  /** Called once per `chunkMs` of simulated time (default one hour) with what the store would be sent. */
  chunkMs?: number;
  onChunk: (chunk: TrafficChunk) => Promise<void> | void;
}

export interface TrafficChunk {
  /** Start of the chunk's simulated time, epoch ms. */
  from: number;
  to: number;
  kept: OutboundEvent[];
  deltas: RollupDelta[];
}

export interface TrafficTotals {
  requests: number;
  kept: number;
  keptByReason: Record<string, number>;
  deltas: number;
  deltaRows: number;
  /** Sum of `count` over every delta row: must equal `requests`. */
  counted: number;
  seconds: number;
}

/**
 * 1.5 % server errors (kept, HAS_ERROR), 1 % client errors, the rest 200; durations log-normal-ish
 * from 20 ms to 3 s with a slow tail (about 0.6 % over SAMPLING_SLOW_MS=2000, kept as SLOW_REQUEST).
 */
function request(random: () => number, i: number, ts: number): Record<string, unknown> {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const roll = random();
  const statusCode = roll < 0.015 ? pick([500, 502, 503, 504]) : roll < 0.025 ? pick([400, 404, 409]) : 200;
  const durationMs = Math.round(Math.exp(3 + random() * 3 + (random() < 0.05 ? 2 : 0)) * 10) / 10;
  const [route, method] = pick(ROUTES);
  return {
    requestId: `r-${i.toString(36)}`,
    timestamp: new Date(ts).toISOString(),
    service: pick(SERVICES),
    route,
    method,
    statusCode,
    durationMs,
    ...(statusCode >= 500
      ? { error: { code: pick(["GATEWAY_TIMEOUT", "DB_DOWN"]), message: "upstream timed out", type: "UpstreamError" } }
      : {}),
    user: { id: `u_${Math.floor(random() * 1e6)}`, plan: pick(["free", "pro", "enterprise"]) },
    region: pick(["eu-west-1", "us-east-1"]),
    version: `2026.11.${Math.floor(random() * 30)}`,
  };
}

export async function generateTraffic(options: TrafficOptions): Promise<TrafficTotals> {
  const flushMs = options.flushMs ?? 5000;
  const chunkMs = options.chunkMs ?? 3_600_000;
  const start = options.end - options.spanMs;
  const random = prng(options.seed ?? 42);
  const setup = createIngestSetup(parseConfig({ SAMPLING_NORMAL_RATE: "0.05", SAMPLING_SLOW_MS: "2000" }), new MetricsRegistry());
  const aggregator = setup.rollups;
  if (aggregator === undefined) throw new Error("the IngestSetup has no rollup aggregator");
  const totals: TrafficTotals = { requests: 0, kept: 0, keptByReason: {}, deltas: 0, deltaRows: 0, counted: 0, seconds: 0 };
  const started = performance.now();
  let chunk: TrafficChunk = { from: start, to: start + chunkMs, kept: [], deltas: [] };
  let i = 0;
  let window = 0;
  for (let windowStart = start; windowStart < options.end; windowStart += flushMs, window++) {
    // The requests whose timestamps fall in this flush window: one processEvents call, then a drain.
    const windowEnd = Math.min(options.end, windowStart + flushMs);
    const items: Array<{ index: number; value: unknown }> = [];
    for (;;) {
      const ts = start + Math.floor((i * options.spanMs) / options.requests);
      if (i >= options.requests || ts >= windowEnd) break;
      items.push({ index: items.length, value: request(random, i, ts) });
      i++;
    }
    if (windowStart >= chunk.to) {
      await options.onChunk(chunk);
      chunk = { from: chunk.to, to: chunk.to + chunkMs, kept: [], deltas: [] };
    }
    if (items.length > 0) {
      const result = processEvents({ items, rejected: [] }, setup, { tenant: TENANT });
      if (!result.ok) throw new Error(`window ${window} refused: ${JSON.stringify(result).slice(0, 300)}`);
      if (result.rejected.length > 0) throw new Error(`window ${window}: ${result.rejected.length} events rejected`);
      totals.requests += result.accepted;
      for (const event of result.kept) {
        const reason = (event.sampling as { reason: string }).reason;
        totals.keptByReason[reason] = (totals.keptByReason[reason] ?? 0) + 1;
        chunk.kept.push(event);
      }
      totals.kept += result.kept.length;
    }
    let part = 0;
    for (const delta of aggregator.drain()) {
      const d = { ...delta, id: `bench-${options.seed ?? 42}-${window}-${part++}` };
      totals.deltas++;
      totals.deltaRows += d.rows.length;
      for (const row of d.rows) totals.counted += row.count;
      chunk.deltas.push(d);
    }
  }
  await options.onChunk(chunk);
  totals.seconds = (performance.now() - started) / 1000;
  return totals;
}
