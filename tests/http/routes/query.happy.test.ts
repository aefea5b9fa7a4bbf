import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryEventStore } from "../../../src/adapters/memory/memory-event-store.ts";
import { SqliteEventStore } from "../../../src/adapters/sqlite/sqlite-event-store.ts";
import { ALPHA, exactWeightedQuantile } from "../../../src/domain/query/histogram.ts";
import type { EventStore } from "../../../src/ports/event-store.ts";
import type { OutboundEvent } from "../../../src/ports/publisher.ts";
import { contractEvents } from "../../query/fixtures.ts";
import { postQuery, queryApp } from "../../support/query-app.ts";
import { seedStore } from "../../support/seed-rollups.ts";

const dir = mkdtempSync(join(tmpdir(), "widegate-query-route-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// Recent data, so relative ranges find it.
const events: OutboundEvent[] = contractEvents(600).map((e) => ({
  ...e,
  timestamp: new Date(Date.now() - 1000 - Math.floor(Math.random() * 3_000_000)).toISOString(),
}));

for (const [label, open] of [
  ["memory", () => new MemoryEventStore()],
  ["embedded", () => new SqliteEventStore(dir)],
] as Array<[string, () => EventStore]>) {
  describe(`POST /v1/query (${label})`, async () => {
    const store = open();
    await seedStore(store, events);
    const app = queryApp(store, new Map([["k-acme", "acme"]]));
    const auth = { authorization: "Bearer k-acme" };

    test("answers rows from rollups, exact, with the normalised query and the range", async () => {
      const res = await postQuery(app, { metric: "count", timeRange: { last: "1h" }, groupBy: ["service"] }, auth);
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        rows: Array<{ service: string; value: number }>;
        estimated: boolean;
        source: string;
        range: { from: string; to: string };
        query: unknown;
      };
      expect(body.rows.length).toBe(4);
      expect(body.estimated).toBe(false);
      expect(body.source).toBe("rollups");
      expect(Date.parse(body.range.to) - Date.parse(body.range.from)).toBeGreaterThanOrEqual(3_600_000);
      expect(body.query).toEqual({ metric: "count", timeRange: { last: "1h" }, groupBy: ["service"] });
      const expected = events.filter((e) => e.tenant === "acme").reduce((n, e) => n + 1 / (e.sampling as { rate: number }).rate, 0);
      expect(body.rows.reduce((n, r) => n + r.value, 0)).toBe(expected);
    });

    test("percentile queries default field to durationMs", async () => {
      const res = await postQuery(app, { metric: "p95", timeRange: { last: "1h" } }, auth);
      const body = (await res.json()) as { rows: Array<{ value: number }>; query: { field: string } };
      expect(body.query.field).toBe("durationMs");
      const weighted = events
        .filter((e) => e.tenant === "acme" && typeof e.durationMs === "number")
        .map((e) => ({ value: e.durationMs as number, weight: 1 / (e.sampling as { rate: number }).rate }));
      const exact = exactWeightedQuantile(weighted, 0.95) as number;
      // The engine reads percentiles off a log histogram: within ALPHA (1%) of the exact weighted value.
      expect(Math.abs((body.rows[0]?.value as number) - exact) / exact).toBeLessThanOrEqual(ALPHA);
    });

    test("an attr: group-by is answered from kept events, weighted and marked estimated", async () => {
      const res = await postQuery(app, { metric: "count", timeRange: { last: "1h" }, groupBy: ["attr:user.plan"] }, auth);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ source: "events", estimated: true });
    });

    test("an unknown service gives empty rows, not an error", async () => {
      const res = await postQuery(app, { metric: "count", filter: { service: "nope" }, groupBy: ["route"] }, auth);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ rows: [], estimated: false });
    });

    test("a tenant sees only its own events", async () => {
      const open = queryApp(store);
      const res = await postQuery(open, { metric: "count", timeRange: { last: "1h" } });
      expect(await res.json()).toMatchObject({ rows: [{ value: 0 }] }); // dev mode is tenant "default"
    });
  });
}
