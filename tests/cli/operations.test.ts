import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileSpool } from "../../src/adapters/file/file-spool.ts";
import { SqliteEventStore } from "../../src/adapters/sqlite/sqlite-event-store.ts";
import type { OutboundEvent } from "../../src/ports/publisher.ts";
import { cli } from "./run-cli.ts";

// Each test runs real subprocesses; on a loaded machine one start can take seconds.
setDefaultTimeout(60_000);

const tempDir = () => mkdtempSync(join(tmpdir(), "widegate-cli-ops-"));

const spooledEvents = (n: number): OutboundEvent[] =>
  Array.from({ length: n }, (_, i) => ({
    eventId: `spooled-${i}`,
    requestId: `req-${i}`,
    tenant: "default",
    service: "payment",
    timestamp: new Date(Date.now() - 60_000).toISOString(),
    receivedAt: new Date().toISOString(),
    sampling: { reason: "HAS_ERROR", rate: 1 },
  }));

describe("wide-gate replay (the local spool)", () => {
  test("--dry-run counts what is spooled and changes nothing", async () => {
    const dataDir = tempDir();
    const spool = new FileSpool(dataDir);
    await spool.publish(spooledEvents(3));
    await spool.close();
    const run = await cli(["--json", "replay", "--dry-run"], { DATA_DIR: dataDir });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ segments: 1, events: 3, replayed: 0 });
    expect(readdirSync(join(dataDir, "spool"))).toHaveLength(1);
  });

  test("moves spooled events to PUBLISHER and deletes the delivered segments", async () => {
    const dataDir = tempDir();
    const spool = new FileSpool(dataDir);
    await spool.publish(spooledEvents(5));
    await spool.publish(spooledEvents(7).slice(5));
    await spool.close();
    const run = await cli(["--json", "replay", "--batch", "2"], { DATA_DIR: dataDir, PUBLISHER: "direct", EVENT_STORE: "embedded" });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ events: 7, replayed: 7 });
    expect(readdirSync(join(dataDir, "spool"))).toHaveLength(0);
    const store = new SqliteEventStore(dataDir);
    try {
      expect(await store.count()).toBe(7);
    } finally {
      await store.close();
    }
  });

  test("PUBLISHER=memory has nowhere durable to replay to: usage error, spool kept", async () => {
    const dataDir = tempDir();
    const spool = new FileSpool(dataDir);
    await spool.publish(spooledEvents(1));
    await spool.close();
    const run = await cli(["replay"], { DATA_DIR: dataDir });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      "wide-gate: PUBLISHER=memory: replay needs a durable primary to move the spool to (kafka, upstash-kafka or direct)",
    );
    expect(readdirSync(join(dataDir, "spool"))).toHaveLength(1);
  });

  test("Kafka down: one line naming KAFKA_BROKERS, exit 3, spool kept", async () => {
    const dataDir = tempDir();
    const spool = new FileSpool(dataDir);
    await spool.publish(spooledEvents(1));
    await spool.close();
    const run = await cli(["replay"], { DATA_DIR: dataDir, PUBLISHER: "kafka", KAFKA_BROKERS: "127.0.0.1:9" });
    expect(run.code).toBe(3);
    expect(run.stderr.trim()).toBe("wide-gate: cannot reach Kafka at 127.0.0.1:9 (KAFKA_BROKERS): is it running?");
    expect(readdirSync(join(dataDir, "spool"))).toHaveLength(1);
  });

  test("a bad variable is one line naming it, exit 2", async () => {
    const run = await cli(["replay"], { PUBLISHER: "carrier-pigeon" });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toContain("PUBLISHER");
  });
});

describe("wide-gate dlq", () => {
  test("list with Kafka down: one line naming KAFKA_BROKERS, exit 3", async () => {
    const run = await cli(["dlq", "list"], { KAFKA_BROKERS: "127.0.0.1:9" });
    expect(run.code).toBe(3);
    expect(run.stderr.trim()).toBe("wide-gate: cannot reach Kafka at 127.0.0.1:9 (KAFKA_BROKERS): is it running?");
  });

  test("replay with Kafka down: one line, exit 3", async () => {
    const run = await cli(["dlq", "replay", "--dry-run"], { KAFKA_BROKERS: "127.0.0.1:9" });
    expect(run.code).toBe(3);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("npm run dlq:list / dlq:replay (worker/dlq.ts)", () => {
  const dlqEntry = async (args: string[], env: Record<string, string> = {}) => {
    const proc = Bun.spawn([process.execPath, join(import.meta.dir, "../../worker/dlq.ts"), ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
    return { code, stdout, stderr };
  };

  test("replay --help prints usage and exits 0, no stack", async () => {
    const run = await dlqEntry(["replay", "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Usage: wide-gate dlq replay");
    expect(run.stderr).not.toContain("    at ");
  });

  test("list with Kafka down: one line, exit 3, no stack", async () => {
    const run = await dlqEntry(["list", "--json"], { KAFKA_BROKERS: "127.0.0.1:9" });
    expect(run.code).toBe(3);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });

  test("an unknown subcommand is a usage error (exit 2)", async () => {
    const run = await dlqEntry(["purge"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown command 'purge'");
  });
});
