import { afterAll, beforeAll, expect, test } from "bun:test";
import type { CommandStartedEvent } from "mongodb";
import { MongoEventStore } from "../../src/adapters/mongo/mongo-event-store.ts";
import { capturingLogger } from "../../src/log/logger.ts";
import type { OutboundEvent } from "../../src/ports/publisher.ts";
import { postQuery, QUERY_INJECTIONS, queryApp, SEARCH_INJECTIONS } from "../support/query-app.ts";
import { seedStore } from "../support/seed-rollups.ts";
import { describeWithServices, serviceEnv, uniqueName } from "../support/services.ts";
import { contractEvents } from "./fixtures.ts";

await describeWithServices(["ferretdb"], "query and events routes on mongo (FerretDB)", () => {
  const store = new MongoEventStore({
    log: capturingLogger(),
    uri: serviceEnv.MONGODB_URI,
    db: "widegate_test",
    collection: uniqueName("routes"),
    retentionDays: 3650,
    clientOptions: { monitorCommands: true },
  });
  /** Every read command the driver sends: the proof that a refused request never reached the server. */
  const reads: string[] = [];
  const app = queryApp(store, new Map([["k-acme", "acme"]]));
  const auth = { authorization: "Bearer k-acme" };
  const events: OutboundEvent[] = contractEvents(400).map((e, i) => ({
    ...e,
    timestamp: new Date(Date.now() - 1000 - i * 5000).toISOString(),
  }));

  beforeAll(async () => {
    await store.init();
    await seedStore(store, events);
    store.client.on("commandStarted", (event: CommandStartedEvent) => {
      if (["aggregate", "find", "distinct", "count"].includes(event.commandName)) reads.push(event.commandName);
    });
  }, 60_000);
  afterAll(async () => {
    await store.collection.drop().catch(() => {});
    await store.rollups.collection.drop().catch(() => {});
    await store.rollups.heads.drop().catch(() => {});
    await store.close();
  });

  test("POST /v1/query answers rows from the rollups in FerretDB", async () => {
    const res = await postQuery(app, { metric: "count", timeRange: { last: "1h" }, groupBy: ["service"] }, auth);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { rows: Array<{ value: number }>; estimated: boolean; source: string };
    const expected = events.filter((e) => e.tenant === "acme").reduce((n, e) => n + 1 / (e.sampling as { rate: number }).rate, 0);
    expect(body.rows.reduce((n, r) => n + r.value, 0)).toBe(expected);
    expect(body.estimated).toBe(false);
    expect(body.source).toBe("rollups");
    expect(reads).toContain("find"); // rollup rows are read and summed here, not aggregated on the server
  }, 30_000);

  test("GET /v1/events pages newest first", async () => {
    const first = (await (await app.request("/v1/events?limit=25&service=payment", { headers: auth })).json()) as {
      events: Array<{ eventId: string }>;
      nextCursor: string;
    };
    const second = (await (
      await app.request(`/v1/events?limit=25&service=payment&cursor=${first.nextCursor}`, { headers: auth })
    ).json()) as {
      events: Array<{ eventId: string }>;
    };
    const expected = events.filter((e) => e.tenant === "acme" && e.service === "payment").map((e) => e.eventId);
    expect([...first.events, ...second.events].map((e) => e.eventId)).toEqual(expected.slice(0, 50));
  }, 30_000);

  test.each(QUERY_INJECTIONS)("query injection: %s → 400, no command sent", async (_, body) => {
    const before = reads.length;
    expect((await postQuery(app, body, auth)).status).toBe(400);
    expect(reads.length).toBe(before);
  });

  test.each(SEARCH_INJECTIONS)("events injection: %s → 400, no command sent", async (_, query) => {
    const before = reads.length;
    expect((await app.request(`/v1/events?${query}`, { headers: auth })).status).toBe(400);
    expect(reads.length).toBe(before);
  });
});
