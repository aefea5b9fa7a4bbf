import { Hono } from "hono";
import { createNormalizeContext, normalizeBody } from "../../domain/event/index.ts";
import type { MetricsRegistry } from "../../metrics/registry.ts";
import type { EventSink } from "../../pipeline/sink.ts";
import type { OutboundEvent } from "../../ports/publisher.ts";
import { parseRequestBody } from "../../sources/http/index.ts";
import { jsonError } from "../errors.ts";
import type { IngestPipeline } from "../ingest-pipeline.ts";
import { apiKeyAuth, type TenantVariables } from "../middleware/api-key.ts";

export interface IngestRouteDeps {
  ingestKeys?: ReadonlyMap<string, string>;
  pipeline: IngestPipeline;
  sink: EventSink;
  metrics: MetricsRegistry;
}

interface Explained {
  index: number;
  eventId: string;
  kept: boolean;
  reason: string;
  rate: number;
}

/** Workers give a request's work a lifetime past the response only through executionCtx.waitUntil. */
function waitUntilOf(c: { executionCtx: { waitUntil(p: Promise<unknown>): void } }): ((p: Promise<unknown>) => void) | undefined {
  try {
    const ctx = c.executionCtx;
    return (p) => ctx.waitUntil(p);
  } catch {
    return undefined; // Bun: no ExecutionContext; the sink's own loop keeps delivery alive
  }
}

/** POST /v1/events: parse → validate/redact → sample → hand off → 202, before any publish completes. */
export function ingestRoutes(deps: IngestRouteDeps) {
  const { pipeline, sink, metrics } = deps;
  const countRequest = (status: number) => metrics.inc("widegate_ingest_requests_total", { status: String(status) });

  return new Hono<{ Variables: TenantVariables }>().post(
    "/v1/events",
    apiKeyAuth({ keys: deps.ingestKeys, scope: "ingest" }),
    async (c) => {
      const parsed = await parseRequestBody(
        {
          body: c.req.raw.body,
          contentType: c.req.header("content-type"),
          contentLength: c.req.header("content-length"),
          readText: () => c.req.raw.text(),
        },
        pipeline.limits,
      );
      if (!parsed.ok) {
        countRequest(parsed.status);
        return jsonError(c, parsed.status, parsed.code, parsed.message);
      }
      const { events, rejected } = normalizeBody(
        parsed,
        createNormalizeContext({ tenant: c.var.tenant, limits: pipeline.limits, redaction: pipeline.redaction }),
      );
      const rejectedOut = rejected.map(({ index, code, error }) => ({ index, code, error }));
      if (events.length === 0 && rejected.length > 0) {
        countRequest(400);
        metrics.inc("widegate_ingest_events_total", { outcome: "rejected" }, rejected.length);
        const first = rejected[0];
        const message = rejected.length === 1 ? `event ${first?.index}: ${first?.error}` : `all ${rejected.length} events were rejected`;
        return c.json({ error: { code: "INVALID_EVENTS", message }, rejected: rejectedOut }, 400);
      }

      const explain = c.req.query("explain") === "true" || c.req.query("explain") === "1";
      const explained: Explained[] = [];
      const kept: OutboundEvent[] = [];
      for (const { index, event } of events) {
        const decision = pipeline.sampler.decide(event);
        if (decision.keep) {
          event.sampling = { reason: decision.reason, rate: decision.rate }; // overrides anything the producer sent
          kept.push(event);
        }
        if (explain) explained.push({ index, eventId: event.eventId, kept: decision.keep, reason: decision.reason, rate: decision.rate });
      }

      const submitted = sink.submit(kept, waitUntilOf(c));
      if (!submitted.ok) {
        countRequest(429);
        c.header("Retry-After", String(submitted.retryAfterSeconds));
        return jsonError(c, 429, "BACKPRESSURE", `${submitted.reason}; retry after ${submitted.retryAfterSeconds} s`);
      }
      countRequest(202);
      metrics.inc("widegate_ingest_events_total", { outcome: "kept" }, kept.length);
      metrics.inc("widegate_ingest_events_total", { outcome: "dropped" }, events.length - kept.length);
      metrics.inc("widegate_ingest_events_total", { outcome: "rejected" }, rejected.length);
      const body = { accepted: events.length, kept: kept.length, dropped: events.length - kept.length, rejected: rejectedOut };
      return c.json(explain ? { ...body, decisions: explained } : body, 202);
    },
  );
}
