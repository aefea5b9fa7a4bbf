import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../support/kafka-pipeline.ts";
import { BAIT_ENV, baitEvents, baitLogs, baitsIn, baitsUnder, filesUnder } from "../support/redaction-bait.ts";
import { refusedUrl } from "../support/refused-port.ts";
import { type RunningServer, spawnServer } from "../support/spawn-server.ts";

// Redacted values must not reach anything the gateway writes: the embedded store and its rollup
// rows, the disk buffer's segments, the file spool. Each test reads the raw bytes on disk, after
// showing that the events it looks for really landed there (their requestIds are found).

setDefaultTimeout(90_000);
const KEYS = { INGEST_API_KEYS: "bait-ingest:acme", QUERY_API_KEYS: "bait-query:acme" };

async function post(base: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { authorization: "Bearer bait-ingest", "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(202);
}

async function read(base: string, path: string, body?: unknown): Promise<string> {
  const response = await fetch(`${base}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: "Bearer bait-query", "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(response.status).toBe(200);
  return response.text();
}

const holding = (dir: string, marker: string) => filesUnder(dir).some((f) => f.bytes.includes(marker));

describe("embedded store, rollups and disk buffer: no bait on disk", () => {
  let server: RunningServer;
  const tag = `at-rest-${crypto.randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    server = await spawnServer("edge/bun-server.ts", {
      ...KEYS,
      ...BAIT_ENV,
      EVENT_STORE: "embedded",
      PUBLISHER: "memory",
      BUFFER: "disk",
      ROLLUP_FLUSH_MS: "100",
    });
    await post(server.url, "/v1/events", baitEvents(tag));
    await post(server.url, "/v1/logs", baitLogs(tag));
    // Both kept events and the OTLP record stored; all three events and the record counted in rollups.
    await waitFor("kept events stored", async () => {
      const text = await read(server.url, "/v1/events?limit=50");
      return [`${tag}-0`, `${tag}-2`, `${tag}-otlp`].every((id) => text.includes(id));
    });
    await waitFor("rollups flushed", async () => {
      const text = await read(server.url, "/v1/query", { metric: "count", timeRange: { last: "1h" }, groupBy: ["service"] });
      const rows = (JSON.parse(text) as { rows: Array<{ service: string; value: number }> }).rows;
      return rows.find((r) => r.service === "bait-svc")?.value === 3 && rows.find((r) => r.service === "bait-otlp")?.value === 1;
    });
  });

  afterAll(async () => {
    await server?.stop("SIGKILL");
  });

  test("the store's files hold the kept events (their requestIds are on disk)", () => {
    expect(holding(server.dataDir, `${tag}-0`)).toBe(true);
    expect(holding(server.dataDir, `${tag}-otlp`)).toBe(true);
  });

  test("no bait in the raw bytes of any file under DATA_DIR (store, rollup rows, buffer segments)", () => {
    expect(baitsUnder(server.dataDir)).toEqual([]);
  });

  test("no bait in the stored events as GET /v1/events answers them", async () => {
    expect(baitsIn(await read(server.url, "/v1/events?limit=50"))).toEqual([]);
  });

  test("no bait in the rollup rows grouped by route and error code", async () => {
    const text = await read(server.url, "/v1/query", { metric: "count", timeRange: { last: "1h" }, groupBy: ["route", "errorCode"] });
    expect((JSON.parse(text) as { rows: unknown[] }).rows.length).toBeGreaterThan(0);
    expect(baitsIn(text)).toEqual([]);
  });
});

describe("publisher down: the disk buffer and the file spool hold no bait", () => {
  let server: RunningServer;
  const tag = `spool-${crypto.randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    // Nothing listens on this port: every produce fails, the circuit opens, batches go to the spool.
    server = await spawnServer("edge/bun-server.ts", {
      ...KEYS,
      ...BAIT_ENV,
      EVENT_STORE: "memory",
      PUBLISHER: "upstash-kafka",
      UPSTASH_KAFKA_REST_URL: refusedUrl(),
      UPSTASH_KAFKA_REST_USERNAME: "nobody",
      UPSTASH_KAFKA_REST_PASSWORD: "nothing",
      PUBLISHER_FALLBACK: "file",
      BUFFER: "disk",
      ROLLUP_FLUSH_MS: "100",
    });
    await post(server.url, "/v1/events", baitEvents(tag));
    await post(server.url, "/v1/logs", baitLogs(tag));
  });

  afterAll(async () => {
    await server?.stop("SIGKILL");
  });

  test("the disk buffer's segments, fsynced before the 202, hold the kept events and no bait", () => {
    const buffer = join(server.dataDir, "buffer");
    expect(holding(buffer, `${tag}-0`)).toBe(true);
    expect(baitsUnder(buffer)).toEqual([]);
  });

  test("the spool, once the circuit opens, holds the kept events and rollup deltas and no bait", async () => {
    const spool = join(server.dataDir, "spool");
    // @upstash/kafka retries for ~15 s before the circuit opens; then the batches go to disk.
    await waitFor(
      "kept events in the spool",
      () => existsSync(spool) && holding(spool, `${tag}-0`) && holding(spool, `${tag}-otlp`),
      60_000,
      250,
    );
    // Rollup deltas are the spooled lines without an eventId; the dropped 200 is counted only there.
    const deltaLines = () =>
      filesUnder(spool)
        .flatMap((f) => f.bytes.split("\n"))
        .filter((line) => line.includes("bait-svc") && !line.includes('"eventId"'));
    await waitFor("rollup deltas in the spool", () => deltaLines().length > 0, 60_000, 250);
    expect(baitsUnder(spool)).toEqual([]);
  });

  test("after the spool filled, no bait in any file under DATA_DIR", () => {
    expect(baitsUnder(server.dataDir)).toEqual([]);
  });
});
