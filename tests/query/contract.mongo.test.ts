import { MongoEventStore } from "../../src/adapters/mongo/mongo-event-store.ts";
import { capturingLogger } from "../../src/log/logger.ts";
import { describeWithServices, serviceEnv, uniqueName } from "../support/services.ts";
import { storeContract } from "./store-contract.ts";

await describeWithServices(["ferretdb"], "store contract: mongo (FerretDB)", () => {
  storeContract(
    async () => {
      const store = new MongoEventStore({
        log: capturingLogger(),
        uri: serviceEnv.MONGODB_URI,
        db: "widegate_test",
        collection: uniqueName("contract"),
        retentionDays: 3650,
      });
      await store.init();
      return store;
    },
    async (store) => {
      const mongo = store as MongoEventStore;
      await mongo.collection.drop().catch(() => {});
      await mongo.rollups.collection.drop().catch(() => {});
      await mongo.rollups.heads.drop().catch(() => {});
      await mongo.close();
    },
  );
});
