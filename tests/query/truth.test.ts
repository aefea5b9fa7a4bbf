import { afterAll, beforeAll, describe, expect, test } from "bun:test";
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

describe("synthetic traffic of known truth, through the gateway's processing (EXEMPLAR events included): memory", () => {
  const viaGateway = syntheticTraffic(2026, { gateway: true });
  const store = new MemoryEventStore();
  beforeAll(() => store.insertMany(viaGateway.kept));
  test("the gateway kept exemplars, at weight 0", () => {
    const exemplars = viaGateway.kept.filter((e) => (e.sampling as { reason: string }).reason === "EXEMPLAR");
    expect(exemplars.length).toBeGreaterThan(0);
  });
  truthChecks("memory via gateway", () => store, viaGateway);
});
