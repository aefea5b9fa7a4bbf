import { isolationTable } from "../support/isolation-table.ts";
import { describeWithServices, serviceEnv, uniqueName } from "../support/services.ts";

// The isolation table against FerretDB (MongoDB wire): tenant scoping in the Mongo store's
// filters, aggregations, distinct and rollup reads.
await describeWithServices(["ferretdb"], "tenant isolation: mongo store (FerretDB)", () => {
  isolationTable({ EVENT_STORE: "mongo", MONGODB_URI: serviceEnv.MONGODB_URI, MONGODB_DB: uniqueName("isolation").replaceAll("-", "_") });
});
