import { isolationTable } from "../support/isolation-table.ts";
import { describeWithServices, serviceEnv, uniqueName } from "../support/services.ts";

// The isolation table against real services: tenant scoping in the Mongo store's filters,
// aggregations, distinct and rollup reads (FerretDB), and in the Redis session cache's keys.
await describeWithServices(["ferretdb"], "tenant isolation: mongo store (FerretDB)", () => {
  isolationTable({ EVENT_STORE: "mongo", MONGODB_URI: serviceEnv.MONGODB_URI, MONGODB_DB: uniqueName("isolation").replaceAll("-", "_") });
});

await describeWithServices(["redis"], "tenant isolation: redis session cache", () => {
  isolationTable({ EVENT_STORE: "embedded", SESSION_CACHE_TYPE: "redis", REDIS_URL: serviceEnv.REDIS_URL });
});
