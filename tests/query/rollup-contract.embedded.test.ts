import { describe } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryEventStore } from "../../src/adapters/memory/memory-event-store.ts";
import { SqliteEventStore } from "../../src/adapters/sqlite/sqlite-event-store.ts";
import { rollupStoreContract } from "./rollup-store-contract.ts";

describe("rollup store contract: embedded (bun:sqlite)", () => {
  const dir = mkdtempSync(join(tmpdir(), "widegate-rollup-contract-"));
  rollupStoreContract(
    async () => new SqliteEventStore(dir),
    async (store) => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
    { reopens: true },
  );
});

describe("rollup store contract: memory", () => {
  rollupStoreContract(
    async () => new MemoryEventStore(),
    async () => {},
  );
});
