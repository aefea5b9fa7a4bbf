import { describe, expect, test } from "bun:test";
import { parseConfig } from "../../../src/config/schema.ts";
import type { EventSink, SubmitResult } from "../../../src/delivery/sink.ts";
import { isRollupDelta, type RollupDelta } from "../../../src/domain/rollup/rollup.ts";
import { createAdapters } from "../../../src/factory/create-adapters.ts";
import { createApp } from "../../../src/http/create-app.ts";
import { MetricsRegistry } from "../../../src/metrics/registry.ts";
import type { OutboundEvent, OutboundRecord } from "../../../src/ports/publisher.ts";
import { AUTH, INGEST_CASES, PARITY_ENV, requestFor, SAMPLING_BATCH_REASONS, samplingBatch } from "../../support/ingest-cases.ts";

/** A sink that keeps what the route hands off, or refuses like a full queue: the route's side of the 202. */
class HandOff implements EventSink {
  readonly submitted: OutboundEvent[] = [];
  readonly deltas: RollupDelta[] = [];
  full = false;
  submit(records: OutboundRecord[]): SubmitResult {
    if (this.full) return { ok: false, retryAfterSeconds: 3, reason: "publish queue full (test)" };
    for (const record of records) {
      if (isRollupDelta(record)) this.deltas.push(record);
      else this.submitted.push(record);
    }
    return { ok: true };
  }
  room(): SubmitResult {
    return this.full ? { ok: false, retryAfterSeconds: 3, reason: "publish queue full (test)" } : { ok: true };
  }
  async drain(): Promise<void> {}
}

async function ingestApp(env: Record<string, string> = {}) {
  // discard: a Worker refuses PARITY_ENV's memory publisher (nothing drains it there); this sink never publishes anyway.
  const config = parseConfig({ ...PARITY_ENV, PUBLISHER: "discard", EVENT_STORE: "memory", ...env });
  const metrics = new MetricsRegistry();
  const adapters = await createAdapters(config, { runtime: "workerd" }, { metrics });
  const sink = new HandOff();
  return { app: createApp({ config, adapters, sink, metrics }), sink, metrics };
}

const BASE = "http://gateway.test";

/**
 * The same cases the Bun/workerd parity suite sends to spawned servers, here in-process through
 * `app.request`: the fast check of the most important route.
 */
describe("POST /v1/events and /v1/logs in-process", async () => {
  const { app } = await ingestApp();
  for (const c of INGEST_CASES) {
    test(`${c.name} → ${c.status}`, async () => {
      const response = await app.request(requestFor(BASE, c));
      expect(response.status).toBe(c.status);
      expect(response.headers.get("content-type")).toContain("application/json");
      const body = (await response.json()) as Record<string, unknown>;
      if (c.status >= 400) expect(body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
      else expect(body).toMatchObject({ accepted: expect.any(Number), kept: expect.any(Number), dropped: expect.any(Number) });
    });
  }
});

describe("what the ingest route hands off", () => {
  const post = (body: unknown, path = "/v1/events") =>
    new Request(`${BASE}${path}`, { method: "POST", headers: { ...AUTH, "content-type": "application/json" }, body: JSON.stringify(body) });
  const event = (i: number, extra: Record<string, unknown> = {}) => ({
    requestId: `req-${i}`,
    timestamp: "2026-11-26T03:00:00.000Z",
    service: "payment",
    route: "/api/items",
    statusCode: 200,
    durationMs: 12,
    ...extra,
  });

  test("kept events reach the sink complete: eventId, tenant, receivedAt and the sampler's decision", async () => {
    const { app, sink } = await ingestApp();
    const response = await app.request(post([event(1, { statusCode: 503 }), event(2, { route: "/health" })]));
    expect(await response.json()).toEqual({ accepted: 2, kept: 1, dropped: 1, rejected: [] });
    expect(sink.submitted).toHaveLength(1);
    expect(sink.submitted[0]).toMatchObject({
      requestId: "req-1",
      tenant: "acme",
      eventId: expect.any(String),
      receivedAt: expect.any(String),
      sampling: { reason: "HAS_ERROR", rate: 1 },
    });
  });

  test("a producer's own sampling field is overwritten by the gateway's decision", async () => {
    const { app, sink } = await ingestApp();
    await app.request(post([event(3, { statusCode: 500, sampling: { reason: "SAMPLED_NORMAL", rate: 0.0001 } })]));
    expect(sink.submitted[0]?.sampling).toEqual({ reason: "HAS_ERROR", rate: 1 });
  });

  test("secrets are redacted before the event leaves the route", async () => {
    const { app, sink } = await ingestApp();
    await app.request(post([event(4, { statusCode: 500, password: "hunter2", note: "card 4111 1111 1111 1111" })]));
    const kept = JSON.stringify(sink.submitted[0]);
    expect(kept).not.toContain("hunter2");
    expect(kept).not.toContain("4111 1111 1111 1111");
  });

  test("a full queue answers 429 with Retry-After and counts nothing as kept", async () => {
    const { app, sink, metrics } = await ingestApp();
    sink.full = true;
    const response = await app.request(post([event(5, { statusCode: 500 })]));
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("3");
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("BACKPRESSURE");
    expect(metrics.value("widegate_ingest_events_total", { outcome: "kept" }) ?? 0).toBe(0);
    expect(sink.deltas).toEqual([]); // refused before counting: the client's retry must not count twice
  });

  test("each request hands its rollup counts to the sink with its events", async () => {
    const { app, sink } = await ingestApp();
    await app.request(post([event(1), event(2), event(3, { statusCode: 500 })]));
    expect(sink.deltas.flatMap((d) => d.rows).reduce((n, r) => n + r.count, 0)).toBe(3);
  });

  test("every sampling reason of the parity batch shows up, and kept counts match the decisions", async () => {
    const { app, sink } = await ingestApp();
    const response = await app.request(
      new Request(`${BASE}/v1/events?explain=1`, {
        method: "POST",
        headers: { ...AUTH, "content-type": "application/json" },
        body: samplingBatch(),
      }),
    );
    const body = (await response.json()) as { kept: number; decisions: { reason: string; kept: boolean }[] };
    const reasons = new Set(body.decisions.map((d) => d.reason));
    for (const reason of SAMPLING_BATCH_REASONS) {
      expect(reasons).toContain(reason);
    }
    expect(body.decisions.filter((d) => d.kept)).toHaveLength(body.kept);
    expect(sink.submitted).toHaveLength(body.kept);
  });
});
