import { MongoEventStore } from "../../src/adapters/mongo/mongo-event-store.ts";
import { capturingLogger } from "../../src/log/logger.ts";
import { describeWithServices, serviceEnv, uniqueName } from "../support/services.ts";
import { rollupStoreContract } from "./rollup-store-contract.ts";

await describeWithServices(["ferretdb"], "rollup store contract: mongo (FerretDB)", () => {
  // One pair of collections: a second open() reaches the same data.
  const collection = uniqueName("rollup-contract-events");
  const rollupCollection = uniqueName("rollup-contract");
  rollupStoreContract(
    async () => {
      const store = new MongoEventStore({
        log: capturingLogger(),
        uri: serviceEnv.MONGODB_URI,
        db: "widegate_test",
        collection,
        rollupCollection,
        retentionDays: 3650,
        pruneIntervalMs: 0,
      });
      await store.init();
      return store;
    },
    async (store) => {
      const mongo = store as MongoEventStore;
      await mongo.rollups.collection.drop().catch(() => {});
      await mongo.rollups.heads.drop().catch(() => {});
      await mongo.collection.drop().catch(() => {});
      await mongo.close();
    },
    { reopens: true },
  );
});
