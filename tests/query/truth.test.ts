import { afterAll, beforeAll, describe } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryEventStore } from "../../src/adapters/memory/memory-event-store.ts";
import { SqliteEventStore } from "../../src/adapters/sqlite/sqlite-event-store.ts";
import { syntheticTraffic, truthChecks } from "./truth.ts";

const truth = syntheticTraffic();

describe("synthetic traffic of known truth: memory", () => {
  const store = new MemoryEventStore();
  beforeAll(() => store.insertMany(truth.kept));
  truthChecks("memory", () => store, truth);
});

describe("synthetic traffic of known truth: embedded", () => {
  const dir = mkdtempSync(join(tmpdir(), "widegate-truth-"));
  const store = new SqliteEventStore(dir);
  beforeAll(() => store.insertMany(truth.kept));
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  truthChecks("embedded", () => store, truth);
});
