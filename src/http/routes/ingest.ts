import { type Context, Hono } from "hono";
import type { EventSink } from "../../delivery/sink.ts";
import { bodyFormat, type ParsedBody } from "../../domain/event/index.ts";
import { lightKeys } from "../../domain/event/light-events.ts";
import { murmur3_128hex } from "../../domain/hash/murmur3.ts";
import { RollupAggregator } from "../../domain/rollup/aggregator.ts";
import { ExemplarMemory } from "../../domain/rollup/exemplar-memory.ts";
import { parseOtlpRequestBody, parseRequestBody, type RequestBodyInput } from "../../ingest/index.ts";
import type { IngestSetup } from "../../ingest/ingest-setup.ts";
import { type ProcessedBatch, processEvents } from "../../ingest/process-events.ts";
import type { MetricsRegistry } from "../../metrics/registry.ts";
import type { OutboundRecord } from "../../ports/publisher.ts";
import { jsonError } from "../errors.ts";
import { apiKeyAuth, type TenantVariables } from "../middleware/api-key.ts";

export interface IngestRouteDeps {
  ingestKeys?: ReadonlyMap<string, string>;
  setup: IngestSetup;
  sink: EventSink;
  metrics: MetricsRegistry;
  /** "request" (Workers, and the default): each request publishes its rollup counts with its events; "timer": a RollupFlusher does. */
  rollupsFlushedBy?: "request" | "timer";
}

/** Printable ASCII, as the IETF Idempotency-Key draft and Stripe use it. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

type IngestContext = Context<{ Variables: TenantVariables }>;

/** Workers give a request's work a lifetime past the response only through executionCtx.waitUntil. */
function waitUntilOf(c: IngestContext): ((p: Promise<unknown>) => void) | undefined {
  try {
    const ctx = c.executionCtx;
    return (p) => ctx.waitUntil(p);
  } catch {
    return undefined; // Bun: no ExecutionContext; the sink's own loop keeps delivery alive
  }
}

/** POST /v1/events and POST /v1/logs: parse → validate/redact → sample → hand off → 202, before any publish completes. */
export function ingestRoutes(deps: IngestRouteDeps) {
  const { setup, sink, metrics } = deps;
  const perRequestRollups = deps.rollupsFlushedBy !== "timer";
  // Lives as long as the app (a process on Bun, an isolate on Workers): without it every keyed
  // request would keep an exemplar for each group and minute it touches.
  const exemplarMemory = new ExemplarMemory();
  const keyedAggregator = (tenant: string, key: string): RollupAggregator => {
    const base = `idem-${murmur3_128hex(`${tenant}\u0000${key}`)}`;
    let chunk = 0;
    return new RollupAggregator({
      maxGroups: setup.rollups?.maxGroups ?? 10_000,
      ...(setup.rollups !== undefined ? { maxDeltaBytes: setup.rollups.deltaBytes } : {}),
      newId: () => `${base}-${chunk++}`,
      exemplars: { memory: exemplarMemory, owner: base },
    });
  };
  const backpressure = (c: IngestContext, route: string, refused: { retryAfterSeconds: number; reason: string }): Response => {
    countRequest(route, 429);
    c.header("Retry-After", String(refused.retryAfterSeconds));
    return jsonError(c, 429, "BACKPRESSURE", `${refused.reason}; retry after ${refused.retryAfterSeconds} s`);
  };
  const countRequest = (route: string, status: number) => metrics.inc("widegate_ingest_requests_total", { route, status: String(status) });
  // The fields light events hold: those validation and rollups read, and those the sampler's rules read.
  const light = { lightKeys: lightKeys(setup.sampler.fields) };
  metrics.define(
    "widegate_event_bodies_total",
    "counter",
    "POST /v1/events bodies read, by reader: light (the WebAssembly skimmer: only kept events parsed whole), json (JSON.parse of the body), ndjson",
  );
  metrics.define(
    "widegate_otlp_bodies_total",
    "counter",
    "OTLP log bodies mapped, by reader: wasm (the WebAssembly OTLP/JSON reader), js, protobuf",
  );

  // /v1/events leaves depth to normalizeBody's walk (no pre-scan of bodies within one event's size);
  // /v1/logs maps the OTLP tree before that walk, so its JSON bodies are scanned first.
  const bodyInput = (c: IngestContext): RequestBodyInput => ({
    body: c.req.raw.body,
    contentType: c.req.header("content-type"),
    contentLength: c.req.header("content-length"),
    contentEncoding: c.req.header("content-encoding"),
    readText: () => c.req.raw.text(),
    readBytes: () => c.req.raw.arrayBuffer(),
  });

  /**
   * The shared second half: process (validate → redact → sample), hand off, answer. Synchronous up
   * to the hand-off, so the parsed batch is not held while the disk buffer's fsync is awaited: only
   * the kept records and the counts are.
   */
  function accept(
    c: IngestContext,
    route: string,
    parsed: Pick<ParsedBody, "items" | "rejected" | "checked" | "light">,
  ): Response | Promise<Response> {
    // Refuse before counting: a request answered 429 is retried by its client and must not count twice.
    const room = sink.room?.(parsed.items.length + 1);
    if (room !== undefined && !room.ok) return backpressure(c, route, room);
    const idempotencyKey = c.req.header("idempotency-key");
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      countRequest(route, 400);
      return jsonError(c, 400, "INVALID_IDEMPOTENCY_KEY", "Idempotency-Key must be 1 to 255 printable ASCII characters");
    }
    // A keyed request counts into its own aggregator, published now under ids derived from the key:
    // a re-post of the same batch makes the same deltas, which every store applies once.
    const requestSetup = idempotencyKey === undefined ? setup : { ...setup, rollups: keyedAggregator(c.var.tenant, idempotencyKey) };
    const explainParam = c.req.query("explain");
    const processed = processEvents(parsed, requestSetup, {
      tenant: c.var.tenant,
      explain: explainParam === "true" || explainParam === "1",
    });
    if (!processed.ok) {
      countRequest(route, processed.status);
      if (!("rejected" in processed)) return jsonError(c, processed.status, processed.code, processed.message);
      metrics.inc("widegate_ingest_events_total", { outcome: "rejected" }, processed.rejected.length);
      return c.json({ error: { code: processed.code, message: processed.message }, rejected: processed.rejected }, 400);
    }
    const deltas = perRequestRollups || requestSetup !== setup ? (requestSetup.rollups?.drain() ?? []) : [];
    return handOff(c, route, processed, deltas);
  }

  /** Hands the kept events (and deltas) to the sink and answers once it took them. */
  async function handOff(c: IngestContext, route: string, processed: ProcessedBatch, deltas: OutboundRecord[]): Promise<Response> {
    const { accepted, kept, rejected, decisions } = processed;
    // The disk buffer resolves after its fsync: the 202 promises the events are durable.
    const submitted = await sink.submit(deltas.length > 0 ? [...kept, ...deltas] : kept, waitUntilOf(c));
    if (!submitted.ok) return backpressure(c, route, submitted);
    countRequest(route, 202);
    metrics.inc("widegate_ingest_events_total", { outcome: "kept" }, kept.length);
    metrics.inc("widegate_ingest_events_total", { outcome: "dropped" }, accepted - kept.length);
    metrics.inc("widegate_ingest_events_total", { outcome: "rejected" }, rejected.length);
    const body = { accepted, kept: kept.length, dropped: accepted - kept.length, rejected };
    return c.json(decisions ? { ...body, decisions } : body, 202);
  }

  const auth = apiKeyAuth({ keys: deps.ingestKeys, scope: "ingest" });
  return new Hono<{ Variables: TenantVariables }>()
    .post("/v1/events", auth, async (c) => {
      const input = bodyInput(c);
      const parsed = await parseRequestBody(input, setup.limits, "walk", light);
      if (!parsed.ok) {
        countRequest("events", parsed.status);
        return jsonError(c, parsed.status, parsed.code, parsed.message);
      }
      const reader = parsed.light !== undefined ? "light" : bodyFormat(input.contentType) === "ndjson" ? "ndjson" : "json";
      metrics.inc("widegate_event_bodies_total", { reader });
      return accept(c, "events", parsed);
    })
    .post("/v1/logs", auth, async (c) => {
      // OTLP/JSON or OTLP protobuf, mapped to events by the same code.
      const mapped = await parseOtlpRequestBody(bodyInput(c), setup.limits, light);
      if (!mapped.ok) {
        countRequest("logs", mapped.status);
        return jsonError(c, mapped.status, mapped.code, mapped.message);
      }
      if (mapped.reader !== undefined) metrics.inc("widegate_otlp_bodies_total", { reader: mapped.reader });
      return accept(c, "logs", mapped);
    });
}
