import { describe, expect, test } from "bun:test";
import { SqliteEventStore } from "../../src/adapters/sqlite/sqlite-event-store.ts";
import { spawnServer } from "../support/spawn-server.ts";

describe("all-in-one server: what was accepted survives shutdown", () => {
  for (const [label, env] of [
    ["PUBLISHER=memory", {}],
    ["PUBLISHER=memory with PUBLISHER_FALLBACK=file", { PUBLISHER_FALLBACK: "file" }],
  ] as Array<[string, Record<string, string>]>) {
    test(`${label}: events answered 202 right before SIGTERM are in the embedded store after exit`, async () => {
      const server = await spawnServer("edge/bun-server.ts", env);
      const batches = 20;
      const perBatch = 50;
      const responses = await Promise.all(
        Array.from({ length: batches }, (_, b) =>
          fetch(`${server.url}/v1/events`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(
              Array.from({ length: perBatch }, (_, i) => ({
                service: "payment",
                requestId: `drain-${b}-${i}`,
                timestamp: "2026-11-26T03:00:00.000Z",
                statusCode: 503, // always kept
              })),
            ),
          }),
        ),
      );
      expect(responses.every((r) => r.status === 202)).toBe(true);
      expect(await server.stop("SIGTERM")).toBe(0);
      const store = new SqliteEventStore(server.dataDir);
      try {
        expect(await store.count()).toBe(batches * perBatch);
      } finally {
        await store.close();
      }
    });
  }
});
