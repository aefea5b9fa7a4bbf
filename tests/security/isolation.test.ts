import { describe } from "bun:test";
import { isolationTable } from "../support/isolation-table.ts";

// Two tenants on one all-in-one server; every read route and CLI command asked with beta's key
// must show beta's data only (the table is in tests/support/isolation-table.ts).

describe("tenant isolation: memory store", () => {
  isolationTable({ EVENT_STORE: "memory" });
});

describe("tenant isolation: embedded store", () => {
  isolationTable({ EVENT_STORE: "embedded" });
});
