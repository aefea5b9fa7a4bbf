import { describe, expect, test } from "bun:test";
import { compileRedaction, DEFAULT_LIMITS } from "../domain/event/index.ts";
import { RollupAggregator } from "../domain/rollup/aggregator.ts";
import { createSampler } from "../domain/sampling/sampler.ts";
import type { IngestSetup } from "./ingest-setup.ts";
import { processEvents } from "./process-events.ts";

const TS = "2026-11-26T03:04:05.000Z";

function setup(rules: Array<{ name: string; when: Array<{ field: string; op: "eq"; value: string }>; rate: number }> = []): IngestSetup {
  return {
    limits: DEFAULT_LIMITS,
    redaction: compileRedaction(),
    sampler: createSampler({ normalRate: 0.05, slowMs: 2000, criticalRoutes: [], rules }),
    rollups: new RollupAggregator({ maxGroups: 1000 }),
  };
}

const items = (values: unknown[]) => ({ items: values.map((value, index) => ({ index, value })), rejected: [] });
const normal = (i: number, patch: Record<string, unknown> = {}) => ({
  requestId: `r${i}`,
  timestamp: TS,
  service: "payment",
  route: "/pay",
  statusCode: 200,
  durationMs: 10,
  ...patch,
});

describe("processEvents: rollups", () => {
  test("every accepted event is counted, kept or dropped; rejected ones are not", () => {
    const s = setup();
    const values: unknown[] = Array.from({ length: 1000 }, (_, i) => normal(i));
    values.push({ service: 42 }, normal(1000, { statusCode: 503 }));
    const result = processEvents(items(values), s, { tenant: "t1" });
    if (!result.ok) throw new Error("expected accepted");
    expect(result.accepted).toBe(1001);
    const rows = s.rollups?.drain().flatMap((d) => d.rows) ?? [];
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(1001);
    expect(rows.find((r) => r.error === 1)?.count).toBe(1);
  });

  test("a group that sampling would leave empty keeps its first event as an EXEMPLAR, once per minute", () => {
    const s = setup();
    // requestIds whose hash the 5% sampler drops: keep only those the sampler drops.
    const dropped = Array.from({ length: 400 }, (_, i) => normal(i))
      .filter((e) => !s.sampler.decide(e).keep)
      .slice(0, 50);
    const result = processEvents(items(dropped), s, { tenant: "t1" });
    if (!result.ok) throw new Error("expected accepted");
    expect(result.kept.map((e) => (e.sampling as { reason: string }).reason)).toEqual(["EXEMPLAR"]);
    const [delta] = s.rollups?.drain() ?? [];
    expect(delta?.rows[0]?.exemplars).toEqual([result.kept[0]?.eventId as string]);
  });

  test("a group with a kept event gets no exemplar", () => {
    const s = setup();
    const result = processEvents(items([normal(1, { statusCode: 500 }), normal(2, { statusCode: 500 })]), s, { tenant: "t1" });
    if (!result.ok) throw new Error("expected accepted");
    expect(result.kept.map((e) => (e.sampling as { reason: string }).reason)).toEqual(["HAS_ERROR", "HAS_ERROR"]);
  });

  test("a rule with rate 0 stores nothing, not even an exemplar", () => {
    const s = setup([{ name: "health", when: [{ field: "route", op: "eq", value: "/health" }], rate: 0 }]);
    const result = processEvents(items([normal(1, { route: "/health" })]), s, { tenant: "t1" });
    if (!result.ok) throw new Error("expected accepted");
    expect(result.kept).toEqual([]);
    expect(s.rollups?.drain()[0]?.rows[0]?.count).toBe(1);
  });
});

describe("processEvents: redaction", () => {
  const CARD = "4111 1111 1111 1111";

  test("a card number in a route or error code is redacted in the rollup row of a dropped event", () => {
    const s = setup();
    const dropped = Array.from({ length: 400 }, (_, i) => normal(i)).filter((e) => !s.sampler.decide(e).keep);
    const event = { ...dropped[0], route: `/cards/${CARD}`, error: { code: `E-${CARD}` }, statusCode: 200 };
    processEvents(items([event]), s, { tenant: "t1" });
    const row = s.rollups?.drain()[0]?.rows[0];
    expect(row?.route).toBe("/cards/[REDACTED:card]");
    expect(row?.errorCode).toBe("E-[REDACTED:card]");
  });

  test("a kept event is redacted in full: sensitive keys at any depth and card numbers in any string", () => {
    const s = setup();
    const event = normal(1, { statusCode: 500, user: { password: "hunter2", note: `paid with ${CARD}` }, tags: [CARD] });
    const result = processEvents(items([event]), s, { tenant: "t1" });
    if (!result.ok) throw new Error("expected accepted");
    const kept = result.kept[0] as Record<string, unknown>;
    expect(kept.user).toEqual({ password: "[REDACTED]", note: "paid with [REDACTED:card]" });
    expect(kept.tags).toEqual(["[REDACTED:card]"]);
  });

  test("fields under a sensitive key count toward the field limit like any other", () => {
    const s = { ...setup(), limits: { ...DEFAULT_LIMITS, maxFields: 10 } };
    const secret = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i]));
    const result = processEvents(items([normal(1, { token: secret }), normal(2)]), s, { tenant: "t1" });
    if (!result.ok) throw new Error("expected accepted");
    expect(result.rejected.map((r) => [r.index, r.code])).toEqual([[0, "TOO_MANY_FIELDS"]]);
  });
});

describe("processEvents: INGEST_MAX_FUTURE_SKEW", () => {
  const withSkew = (): IngestSetup => ({ ...setup(), futureSkew: { ms: 10 * 60_000, text: "10m" } });
  const ahead = (ms: number) => new Date(Date.now() + ms).toISOString();

  test("an event a year ahead is rejected by its index with FUTURE_TIMESTAMP; the rest are kept", () => {
    const result = processEvents(items([normal(1, { statusCode: 500 }), normal(2, { timestamp: ahead(365 * 86_400_000) })]), withSkew(), {
      tenant: "t1",
    });
    if (!result.ok) throw new Error("expected accepted");
    expect(result.accepted).toBe(1);
    expect(result.rejected).toEqual([
      {
        index: 1,
        code: "FUTURE_TIMESTAMP",
        error: expect.stringContaining("ahead of the gateway's clock; the limit is 10m (INGEST_MAX_FUTURE_SKEW)"),
      },
    ]);
  });

  test("an event within the skew is accepted", () => {
    const result = processEvents(items([normal(1, { timestamp: ahead(60_000), statusCode: 500 })]), withSkew(), { tenant: "t1" });
    if (!result.ok) throw new Error("expected accepted");
    expect(result.rejected).toEqual([]);
    expect(result.accepted).toBe(1);
  });

  test("a future event is not counted into the rollups", () => {
    const s = withSkew();
    processEvents(items([normal(1, { timestamp: ahead(86_400_000) }), normal(2)]), s, { tenant: "t1" });
    const rows = s.rollups?.drain().flatMap((d) => d.rows) ?? [];
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(1);
  });
});

describe("processEvents: gateway fields", () => {
  test("kept events carry the gateway's tenant and arrival time, whatever the producer sent", () => {
    const s = setup();
    const result = processEvents(
      items([normal(1, { statusCode: 500, tenant: "someone-else", receivedAt: "2000-01-01T00:00:00.000Z" })]),
      s,
      {
        tenant: "t1",
      },
    );
    if (!result.ok) throw new Error("expected accepted");
    expect(result.kept[0]?.tenant).toBe("t1");
    expect(result.kept[0]?.receivedAt).not.toBe("2000-01-01T00:00:00.000Z");
    expect(s.rollups?.drain()[0]?.tenant).toBe("t1");
  });

  test("a sampling rule on tenant sees the gateway's tenant, not the producer's", () => {
    const s = setup([{ name: "acme", when: [{ field: "tenant", op: "eq", value: "acme" }], rate: 1 }]);
    const result = processEvents(items([normal(1, { tenant: "someone-else" })]), s, { tenant: "acme" });
    if (!result.ok) throw new Error("expected accepted");
    expect(result.kept).toHaveLength(1);
    expect(result.kept[0]?.sampling).toMatchObject({ reason: "RULE:acme" });
  });
});
