import { afterAll, beforeAll } from "bun:test";
import { MongoEventStore } from "../../src/adapters/mongo/mongo-event-store.ts";
import { capturingLogger } from "../../src/log/logger.ts";
import { describeWithServices, serviceEnv, uniqueName } from "../support/services.ts";
import { syntheticTraffic, truthChecks } from "./truth.ts";

await describeWithServices(["ferretdb"], "synthetic traffic of known truth: mongo (FerretDB)", () => {
  const truth = syntheticTraffic();
  const store = new MongoEventStore({
    log: capturingLogger(),
    uri: serviceEnv.MONGODB_URI,
    db: "widegate_test",
    collection: uniqueName("truth"),
    retentionDays: 3650,
  });
  beforeAll(async () => {
    await store.init();
    for (let i = 0; i < truth.kept.length; i += 2000) await store.insertMany(truth.kept.slice(i, i + 2000));
  }, 120_000);
  afterAll(async () => {
    await store.collection.drop().catch(() => {});
    await store.rollups.collection.drop().catch(() => {});
    await store.rollups.heads.drop().catch(() => {});
    await store.close();
  });
  truthChecks("mongo", () => store, truth);
});
