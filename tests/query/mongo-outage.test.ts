import { expect, test } from "bun:test";
import { MongoEventStore } from "../../src/adapters/mongo/mongo-event-store.ts";
import { capturingLogger } from "../../src/log/logger.ts";
import type { OutboundEvent } from "../../src/ports/publisher.ts";
import { startPrivateFerretDb } from "../support/private-ferretdb.ts";
import { describeWithServices } from "../support/services.ts";

const events = (n: number, from = 0): OutboundEvent[] =>
  Array.from({ length: n }, (_, i) => ({
    eventId: `o${from + i}`,
    requestId: `r${from + i}`,
    tenant: "t",
    service: "s",
    timestamp: new Date().toISOString(),
  }));

// The FerretDB binary comes from the services script; the server itself is private to this test.
await describeWithServices(["ferretdb"], "MongoEventStore when the server goes away", () => {
  test("insertMany rejects instead of reporting an unwritten batch as stored", async () => {
    const ferret = await startPrivateFerretDb();
    const store = new MongoEventStore({
      log: capturingLogger(),
      uri: ferret.uri,
      db: "outage",
      collection: "events",
      retentionDays: 30,
      clientOptions: { serverSelectionTimeoutMS: 1500, connectTimeoutMS: 1500, socketTimeoutMS: 1500 },
    });
    try {
      await store.init();
      expect(await store.insertMany(events(3))).toEqual({ inserted: 3, duplicates: 0 });
      await ferret.stop();
      await expect(store.insertMany(events(3, 3))).rejects.toThrow();
      await ferret.start();
      // Back: the same batch is written (a retry counts nothing twice).
      let result: Awaited<ReturnType<MongoEventStore["insertMany"]>> | undefined;
      for (let i = 0; i < 20 && !result; i++)
        result = await store.insertMany(events(3, 3)).catch(() => Bun.sleep(500).then(() => undefined));
      expect(result).toEqual({ inserted: 3, duplicates: 0 });
    } finally {
      await store.close();
      await ferret.dispose();
    }
  }, 60_000);
});
