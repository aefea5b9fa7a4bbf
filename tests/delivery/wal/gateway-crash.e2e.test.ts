import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { appendFileSync, readdirSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import { type RunningServer, spawnServer } from "../../support/spawn-server.ts";

/**
 * Event-level accounting through real processes: a Bun gateway whose publisher hangs acknowledges
 * events with 202, is stopped (SIGKILL or SIGTERM), and a restart with a working publisher must
 * store every acknowledged event exactly once.
 */

/** A bridge that accepts connections and never answers: the hung backend of the issue. */
const sockets: Socket[] = [];
const hung = createServer((socket) => sockets.push(socket));
await new Promise<void>((resolve) => hung.listen(0, "127.0.0.1", resolve));
const hungUrl = `http://127.0.0.1:${(hung.address() as { port: number }).port}`;
afterAll(() => {
  for (const s of sockets) s.destroy();
  hung.close();
});

const hungPublisher = {
  PUBLISHER: "upstash-kafka",
  UPSTASH_KAFKA_REST_URL: hungUrl,
  UPSTASH_KAFKA_REST_USERNAME: "u",
  UPSTASH_KAFKA_REST_PASSWORD: "p",
};

/** Posts `batches` batches of always-kept events; returns the requestIds of the batches answered 202. */
async function post(server: RunningServer, run: string, batches: number, perBatch: number): Promise<string[]> {
  const timestamp = new Date(Date.now() - 60_000).toISOString();
  const acknowledged: string[] = [];
  await Promise.all(
    Array.from({ length: batches }, async (_, b) => {
      const ids = Array.from({ length: perBatch }, (_, i) => `${run}-${b}-${i}`);
      const response = await fetch(`${server.url}/v1/events`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(ids.map((requestId) => ({ service: "wal-e2e", requestId, timestamp, statusCode: 503 }))),
      });
      if (response.status === 202) acknowledged.push(...ids);
    }),
  );
  return acknowledged;
}

async function metric(server: RunningServer, name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(" ")[1]) : Number.NaN;
}

/** The exact count of the test's service, from rollups. */
async function rollupCount(server: RunningServer): Promise<{ source: string; count: number }> {
  const response = await fetch(`${server.url}/v1/query`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ metric: "count", filter: { service: "wal-e2e" }, timeRange: { last: "1h" } }),
  });
  const answer = (await response.json()) as { source: string; rows: Array<{ value: number }> };
  return { source: answer.source, count: answer.rows[0]?.value ?? 0 };
}

/** Restarts on the same DATA_DIR with the embedded store as publisher, waits for the replay, stops cleanly. */
async function restartAndDrain(dataDir: string): Promise<{ log: string; rollups: { source: string; count: number } }> {
  const server = await spawnServer("edge/bun-server.ts", { DATA_DIR: dataDir });
  const deadline = Date.now() + 30_000;
  while ((await metric(server, "widegate_buffer_events")) !== 0 && Date.now() < deadline) await Bun.sleep(100);
  const rollups = await rollupCount(server);
  expect(await server.stop("SIGTERM")).toBe(0);
  return { log: server.output(), rollups };
}

function storedRequestIds(dataDir: string): string[] {
  const db = new Database(join(dataDir, "events.sqlite"), { readonly: true });
  try {
    return db
      .query<{ r: string }, []>("SELECT json_extract(doc, '$.requestId') AS r FROM events")
      .all()
      .map((row) => row.r);
  } finally {
    db.close();
  }
}

function expectExactlyOnce(stored: string[], acknowledged: string[]): void {
  expect(acknowledged.length).toBeGreaterThan(0);
  expect(stored.length).toBe(new Set(stored).size);
  expect([...stored].sort()).toEqual([...acknowledged].sort());
}

describe("BUFFER=disk: every 202 survives a gateway whose publisher hangs", () => {
  test("SIGKILL, then a restart with a working publisher: every acknowledged event is stored once", async () => {
    const first = await spawnServer("edge/bun-server.ts", hungPublisher);
    const acknowledged = await post(first, "kill", 20, 50);
    expect(acknowledged.length).toBe(1000);
    expect(await first.stop("SIGKILL")).not.toBe(0);
    const { log } = await restartAndDrain(first.dataDir);
    expect(log).toContain("replaying 1000 events");
    expect(log).toContain("replay done");
    expectExactlyOnce(storedRequestIds(first.dataDir), acknowledged);
  }, 60_000);

  test("SIGTERM keeps what was not published and the log names how many events", async () => {
    const first = await spawnServer("edge/bun-server.ts", hungPublisher);
    const acknowledged = await post(first, "term", 10, 30);
    expect(await first.stop("SIGTERM")).toBe(0);
    expect(first.output()).toContain(`${acknowledged.length} events and`);
    expect(first.output()).toContain("the next start publishes them");
    await restartAndDrain(first.dataDir);
    expectExactlyOnce(storedRequestIds(first.dataDir), acknowledged);
  }, 60_000);

  test("SIGTERM, then a restart: the rollup deltas flushed at shutdown are replayed and counted once", async () => {
    const first = await spawnServer("edge/bun-server.ts", hungPublisher);
    const acknowledged = await post(first, "term-rollups", 8, 25);
    expect(await first.stop("SIGTERM")).toBe(0);
    const { rollups } = await restartAndDrain(first.dataDir);
    expect(rollups).toEqual({ source: "rollups", count: acknowledged.length });
  }, 60_000);

  test("a torn final segment (a write cut by the crash) is reported and the acknowledged events are all stored", async () => {
    const first = await spawnServer("edge/bun-server.ts", hungPublisher);
    const acknowledged = await post(first, "torn", 10, 20);
    await first.stop("SIGKILL");
    const dir = join(first.dataDir, "buffer");
    const last = readdirSync(dir).sort().at(-1) as string;
    // Half a frame header and payload: what a power cut during an append leaves.
    appendFileSync(join(dir, last), new Uint8Array([0x00, 0x10, 0x00, 0x00, 0x12, 0x34, 0x56, 0x78, 0x7b, 0x22]));
    const { log } = await restartAndDrain(first.dataDir);
    expect(log).toContain("torn write");
    expect(log).toContain("unreadable bytes");
    expectExactlyOnce(storedRequestIds(first.dataDir), acknowledged);
  }, 60_000);
});

describe("BUFFER_MAX_BYTES", () => {
  test("a full disk buffer answers 429 with Retry-After", async () => {
    const server = await spawnServer("edge/bun-server.ts", { ...hungPublisher, BUFFER_MAX_BYTES: String(1 << 20) });
    try {
      let refused: Response | undefined;
      for (let b = 0; b < 40 && !refused; b++) {
        const response = await fetch(`${server.url}/v1/events`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(
            Array.from({ length: 500 }, (_, i) => ({ service: "wal-e2e", requestId: `full-${b}-${i}`, statusCode: 503 })),
          ),
        });
        if (response.status === 429) refused = response;
        else expect(response.status).toBe(202);
      }
      if (!refused) throw new Error("never refused");
      expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toContain("BUFFER_MAX_BYTES");
    } finally {
      await server.stop("SIGKILL");
    }
  }, 30_000);
});
