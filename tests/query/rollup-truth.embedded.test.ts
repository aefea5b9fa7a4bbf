// The all-in-one server (embedded queue → embedded consumer → SQLite) against a million events of
// known truth: every rollup answer of /v1/query is exact. No external service.
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../support/kafka-pipeline.ts";
import {
  checkRollupTruth,
  countedTotal,
  type ExemplarLookup,
  type PostReport,
  postTraffic,
  RollupTraffic,
  waitForCount,
} from "../support/rollup-truth.ts";
import { uniqueName } from "../support/services.ts";
import { type RunningServer, spawnServer } from "../support/spawn-server.ts";

const EVENTS = Number(process.env.ROLLUP_TRUTH_EVENTS ?? 1_000_000);
const TENANT = "truth";

describe("rollup truth: the all-in-one server (embedded SQLite)", () => {
  let server: RunningServer;
  let traffic: RollupTraffic;
  let posted: PostReport;

  /** Stored events of the tenant, read straight from the server's SQLite file (WAL: readers never block it). */
  const storedEvents = () => {
    const db = new Database(join(server.dataDir, "events.sqlite"), { readonly: true });
    try {
      return db.query<{ n: number }, [string]>("SELECT count(*) AS n FROM events WHERE tenant = ?").get(TENANT)?.n ?? 0;
    } finally {
      db.close();
    }
  };
  const lookupExemplars: ExemplarLookup = async (ids) => {
    const db = new Database(join(server.dataDir, "events.sqlite"), { readonly: true });
    try {
      const found = new Map<string, Record<string, unknown>>();
      const select = db.query<{ event_id: string; doc: string }, [string, string]>(
        "SELECT event_id, doc FROM events WHERE tenant = ? AND event_id = ?",
      );
      for (const id of ids) {
        const row = select.get(TENANT, id);
        if (row) found.set(row.event_id, JSON.parse(row.doc) as Record<string, unknown>);
      }
      return found;
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    const started = Date.now();
    traffic = new RollupTraffic({ count: EVENTS, now: Date.now(), runId: uniqueName("truth-embedded") });
    console.log(
      `rollup truth (embedded): generated ${EVENTS} events in ${Date.now() - started} ms (${traffic.truth.cells.length} group-minutes)`,
    );
    server = await spawnServer("edge/bun-server.ts", {
      INGEST_API_KEYS: `ingest-key:${TENANT}`,
      QUERY_API_KEYS: `query-key:${TENANT}`,
      ROLLUP_FLUSH_MS: "200",
    });
  }, 60_000);

  afterAll(async () => {
    await server?.stop("SIGKILL");
    if (server) rmSync(server.dataDir, { recursive: true, force: true });
  });

  test("a million events posted in parallel batches are all accepted, and the rollups count every one", async () => {
    posted = await postTraffic(server.url, "ingest-key", traffic, { concurrency: 8 });
    console.log(
      `rollup truth (embedded): posted ${posted.accepted} events in ${posted.elapsedMs} ms (${Math.round(posted.accepted / (posted.elapsedMs / 1000))}/s), kept ${posted.kept}, ${posted.refusals} × 429`,
    );
    expect(posted.accepted).toBe(EVENTS);
    const started = Date.now();
    await waitForCount(server.url, "query-key", traffic.truth, { timeoutMs: 240_000 });
    console.log(`rollup truth (embedded): rollups complete ${Date.now() - started} ms after the last 202`);
  }, 600_000);

  test("every kept event is stored once (sampling plus one exemplar per group and minute)", async () => {
    await waitFor(`${posted.kept} kept events in SQLite`, () => storedEvents() >= posted.kept, 240_000, 250);
    expect(storedEvents()).toBe(posted.kept);
    // Sampling really ran: most events were counted and dropped.
    expect(posted.dropped).toBeGreaterThan(EVENTS / 2);
  }, 300_000);

  test("/v1/query answers from rollups, exactly as the truth", async () => {
    const started = Date.now();
    const { queries, rows } = await checkRollupTruth(server.url, "query-key", traffic, { lookupExemplars });
    console.log(`rollup truth (embedded): ${queries} queries, ${rows} rows checked in ${Date.now() - started} ms`);
  }, 300_000);
});

describe("rollup truth: the all-in-one server stopped with SIGTERM", () => {
  let dataDir: string | undefined;
  afterAll(() => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test("counts not yet flushed are written at shutdown: after a restart the totals are exact", async () => {
    const env = { INGEST_API_KEYS: `ingest-key:${TENANT}`, QUERY_API_KEYS: `query-key:${TENANT}`, ROLLUP_FLUSH_MS: "60000" };
    const first = await spawnServer("edge/bun-server.ts", env);
    dataDir = first.dataDir;
    const traffic = new RollupTraffic({ count: 20_000, now: Date.now(), runId: uniqueName("truth-sigterm") });
    try {
      const posted = await postTraffic(first.url, "ingest-key", traffic);
      expect(posted.accepted).toBe(traffic.truth.count);
      // A minute-long flush period: nothing has been counted into the store yet.
      expect(await countedTotal(first.url, "query-key", traffic.truth)).toBe(0);
      expect(await first.stop("SIGTERM")).toBe(0);
      expect(first.output()).toContain("stopped cleanly");
    } finally {
      first.proc.kill("SIGKILL");
    }
    const second = await spawnServer("edge/bun-server.ts", { ...env, DATA_DIR: first.dataDir });
    try {
      expect(await countedTotal(second.url, "query-key", traffic.truth)).toBe(traffic.truth.count);
      await checkRollupTruth(second.url, "query-key", traffic);
    } finally {
      await second.stop("SIGKILL");
    }
  }, 120_000);
});
