import { describe } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryEventStore } from "../../src/adapters/memory/memory-event-store.ts";
import { SqliteEventStore } from "../../src/adapters/sqlite/sqlite-event-store.ts";
import { storeContract } from "./store-contract.ts";

describe("store contract: embedded (bun:sqlite)", () => {
  const dir = mkdtempSync(join(tmpdir(), "widegate-contract-"));
  storeContract(
    async () => new SqliteEventStore(dir),
    async (store) => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  );
});

describe("store contract: memory", () => {
  storeContract(
    async () => new MemoryEventStore(),
    async () => {},
  );
});
