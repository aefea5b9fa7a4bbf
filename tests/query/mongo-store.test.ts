import { afterAll, beforeAll, expect, test } from "bun:test";
import { PORTABLE } from "../../src/adapters/mongo/mongo-aggregation.ts";
import { MongoEventStore } from "../../src/adapters/mongo/mongo-event-store.ts";
import { pruneExpired } from "../../src/adapters/mongo/mongo-retention.ts";
import { capturingLogger } from "../../src/log/logger.ts";
import type { OutboundEvent } from "../../src/ports/publisher.ts";
import { describeWithServices, serviceEnv, uniqueName } from "../support/services.ts";

const HOUR = 3_600_000;
const event = (id: string, ageMs: number, extra: Record<string, unknown> = {}): OutboundEvent => ({
  eventId: id,
  requestId: `r-${id}`,
  tenant: "acme",
  service: "payment",
  timestamp: new Date(Date.now() - ageMs).toISOString(),
  ...extra,
});

await describeWithServices(["ferretdb"], "mongo event store on FerretDB", () => {
  const log = capturingLogger();
  let store: MongoEventStore;

  beforeAll(async () => {
    store = new MongoEventStore({
      log,
      uri: serviceEnv.MONGODB_URI,
      db: "widegate_test",
      collection: uniqueName("store"),
      retentionDays: 30,
      retentionMs: 2 * HOUR,
      pruneIntervalMs: 3_600_000,
    });
    await store.init();
  });
  afterAll(async () => {
    await store.collection.drop().catch(() => {});
    await store.rollups.collection.drop().catch(() => {});
    await store.rollups.heads.drop().catch(() => {});
    await store.close();
  });

  test("init creates the tenant-first indexes", async () => {
    const names = (await store.collection.indexes()).map((index) => index.name);
    for (const name of ["tenant_ts", "tenant_service_ts", "tenant_route_ts", "tenant_status_ts", "tenant_error_code_ts"])
      expect(names).toContain(name);
  });

  test("FerretDB: capabilities probed as portable, TTL refused → one warning and the prune fallback", async () => {
    expect(store.capabilities).toEqual(PORTABLE);
    expect(store.retention).toBe("prune");
    expect(log.lines.filter((l) => l.level === "warn" && l.line.includes("TTL"))).toHaveLength(1);
    expect((await store.health()).ok).toBe(true);
  });

  test("insertMany is unordered: duplicates (11000) are counted, the rest written", async () => {
    expect(await store.insertMany([event("d1", 0), event("d2", 0)])).toEqual({ inserted: 2, duplicates: 0 });
    const again = await store.insertMany([event("d1", 0), event("d3", 0), event("d2", 0), event("d4", 0), event("d4", 0)]);
    expect(again).toEqual({ inserted: 2, duplicates: 3 });
    expect(await store.insertMany([event("d1", 0, { tenant: "other" })])).toEqual({ inserted: 1, duplicates: 0 });
  });

  test("the prune fallback deletes only expired events, in bounded batches", async () => {
    await store.insertMany([...Array.from({ length: 7 }, (_, i) => event(`old-${i}`, 3 * HOUR)), event("fresh", HOUR)]);
    const before = await store.count();
    // One run removes at most batchSize × maxBatches; the next run takes the rest.
    expect(await pruneExpired(store.collection, { retentionMs: 2 * HOUR, batchSize: 3, maxBatches: 2 })).toBe(6);
    expect(await store.pruneExpired()).toBe(1);
    expect(await store.count()).toBe(before - 7);
    expect((await store.find({ q: undefined, limit: 200 }, { tenant: "acme" })).events.some((e) => e.eventId === "fresh")).toBe(true);
    expect(await store.pruneExpired()).toBe(0);
  });

  test("events read back as sent, without _id or _q", async () => {
    const page = await store.find({ limit: 1, service: "payment" }, { tenant: "other" });
    expect(page.events).toEqual([event("d1", 0, { tenant: "other", timestamp: page.events[0]?.timestamp })]);
  });

  test("keys with '.' or a leading '$' (refused by FerretDB) are stored and read back as sent", async () => {
    const attributes = { "http.method": "GET", $weird: 1, nested: [{ "k8s.pod.name": "api-1" }], plain: { ok: true } };
    expect(await store.insertMany([event("dots", 0, { tenant: "dots", attributes })])).toEqual({ inserted: 1, duplicates: 0 });
    const page = await store.find({ limit: 5 }, { tenant: "dots" });
    expect(page.events[0]?.attributes).toEqual(attributes);
  });

  test("percentiles over events stored before _q.hc existed fall back to fine bins and give the same answer", async () => {
    const durations = Array.from({ length: 60 }, (_, i) => 5 + i * 17.3);
    const events = durations.map((durationMs, i) => event(`legacy-${i}`, 60_000, { tenant: "legacy", durationMs }));
    await store.insertMany(events);
    const query = { metric: "p95", field: "durationMs", timeRange: { last: "1h" } } as const;
    const current = await store.query(query, { tenant: "legacy" });
    // As an older gateway wrote them: the same documents without the coarse bin.
    const updated = await store.collection.updateMany(
      { tenant: "legacy", _id: { $regex: "legacy-(4[5-9]|5[0-9])$" } },
      { $unset: { "_q.hc": "" } },
    );
    expect(updated.modifiedCount).toBeGreaterThan(10);
    expect(await store.query(query, { tenant: "legacy" })).toEqual(current);
    // p95 of 60 values is the 57th; answered by its bin's value, within 1% of it.
    expect(Math.abs(Number(current.rows[0]?.value) / (durations[56] as number) - 1)).toBeLessThanOrEqual(0.01);
  });

  test("pruneIntervalMs 0: a store that leaves retention to another process deletes nothing", async () => {
    const reader = new MongoEventStore({
      log: capturingLogger(),
      uri: serviceEnv.MONGODB_URI,
      db: "widegate_test",
      collection: store.collection.collectionName,
      retentionDays: 30,
      retentionMs: 2 * HOUR,
      pruneIntervalMs: 0,
    });
    await store.insertMany([event("kept-old", 3 * HOUR, { tenant: "reader" })]);
    await reader.init();
    await Bun.sleep(200);
    expect((await reader.find({ limit: 5 }, { tenant: "reader" })).events.map((e) => e.eventId)).toEqual(["kept-old"]);
    await reader.close();
  });
});
