import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { cleanEnv, runToExit, spawnServer } from "../support/spawn-server.ts";

// Each test runs real subprocesses; on a loaded machine one start can take seconds.
setDefaultTimeout(60_000);

// Expected start-up failures are one line naming the cause and a non-zero exit, never a stack.
const oneLine = (stderr: string) =>
  stderr
    .trim()
    .split("\n")
    .filter((l) => !l.startsWith("!!! OPEN DEV MODE"));
const BRIDGE_CREDENTIALS = { UPSTASH_KAFKA_REST_USERNAME: "user", UPSTASH_KAFKA_REST_PASSWORD: "secret" };

let busy: ReturnType<typeof Bun.serve>;
beforeAll(() => {
  busy = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("taken") });
});
afterAll(() => {
  busy?.stop(true);
});

describe("all-in-one server start-up failures", () => {
  test("a port already in use: one line naming PORT, exit 1", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "widegate-busy-"));
    const run = await runToExit("edge/bun-server.ts", { PORT: String(busy.port), HOST: "127.0.0.1", DATA_DIR: dataDir });
    expect(run.code).toBe(1);
    expect(oneLine(run.stderr)).toEqual([
      `cannot listen on 127.0.0.1:${busy.port}: the port is already in use; stop the other process or set PORT to a free port`,
    ]);
  });

  test("a DATA_DIR that cannot be created: one line naming DATA_DIR, exit 1", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "widegate-file-")), "not-a-dir");
    writeFileSync(file, "x");
    const run = await runToExit("edge/bun-server.ts", { PORT: "0", HOST: "127.0.0.1", DATA_DIR: join(file, "data") });
    expect(run.code).toBe(1);
    const lines = oneLine(run.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toStartWith(`cannot use DATA_DIR=${join(file, "data")}: ENOTDIR`);
    expect(lines[0]).toEndWith("set DATA_DIR to a directory this user can write");
  });
});

describe("open dev mode binds loopback", () => {
  const listeningOn = async (env: Record<string, string>) => {
    const proc = Bun.spawn([process.execPath, resolve(import.meta.dir, "../../edge/bun-server.ts")], {
      env: cleanEnv({ PORT: "0", DATA_DIR: mkdtempSync(join(tmpdir(), "widegate-host-")), ...env }),
      stdout: "pipe",
      stderr: "pipe",
    });
    const decoder = new TextDecoder();
    let out = "";
    try {
      for await (const chunk of proc.stdout) {
        out += decoder.decode(chunk, { stream: true });
        const match = out.match(/listening on http:\/\/([^:]+):/);
        if (match) return match[1];
      }
      return null;
    } finally {
      proc.kill("SIGKILL");
      await proc.exited;
    }
  };

  test("no API keys and no HOST: 127.0.0.1", async () => {
    expect(await listeningOn({})).toBe("127.0.0.1");
  });

  test("no API keys with HOST=0.0.0.0: HOST wins", async () => {
    expect(await listeningOn({ HOST: "0.0.0.0" })).toBe("0.0.0.0");
  });

  test("both key lists set and no HOST: 0.0.0.0", async () => {
    expect(await listeningOn({ INGEST_API_KEYS: "k1:acme", QUERY_API_KEYS: "k2:acme" })).toBe("0.0.0.0");
  });
});

describe("bridge", () => {
  test("no HOST: binds 127.0.0.1 (the busy-port line names the address it tried)", async () => {
    const run = await runToExit("worker/bridge.ts", { ...BRIDGE_CREDENTIALS, BRIDGE_PORT: String(busy.port) });
    expect(run.code).toBe(1);
    expect(oneLine(run.stderr)).toEqual([
      `cannot listen on 127.0.0.1:${busy.port}: the port is already in use; stop the other process or set BRIDGE_PORT to a free port`,
    ]);
  });

  test("a bad variable: one line naming it, exit 78", async () => {
    const run = await runToExit("worker/bridge.ts", { ...BRIDGE_CREDENTIALS, BRIDGE_PORT: "many" });
    expect(run.code).toBe(78);
    expect(oneLine(run.stderr)).toHaveLength(1);
    expect(oneLine(run.stderr)[0]).toStartWith("invalid configuration: BRIDGE_PORT=many:");
  });

  test("a port already in use: one line naming BRIDGE_PORT, exit 1", async () => {
    const run = await runToExit("worker/bridge.ts", { ...BRIDGE_CREDENTIALS, BRIDGE_PORT: String(busy.port), HOST: "127.0.0.1" });
    expect(run.code).toBe(1);
    expect(oneLine(run.stderr)).toEqual([
      `cannot listen on 127.0.0.1:${busy.port}: the port is already in use; stop the other process or set BRIDGE_PORT to a free port`,
    ]);
  });

  test("Kafka down: /readyz and produce answer 503 naming Kafka instead of hanging", async () => {
    const bridge = await spawnServer("worker/bridge.ts", { ...BRIDGE_CREDENTIALS, BRIDGE_PORT: "0", KAFKA_BROKERS: "127.0.0.1:9" });
    try {
      const ready = await fetch(`${bridge.url}/readyz`, { signal: AbortSignal.timeout(5000) });
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ status: "unavailable", checks: { "bridge:kafka": { ok: false } } });
      const produce = await fetch(`${bridge.url}/produce/wide-events`, {
        method: "POST",
        headers: { authorization: `Basic ${btoa("user:secret")}`, "content-type": "application/json" },
        body: JSON.stringify({ value: "{}" }),
        signal: AbortSignal.timeout(5000),
      });
      expect(produce.status).toBe(503);
      expect(((await produce.json()) as { error: string }).error).toStartWith("kafka unavailable:");
    } finally {
      await bridge.stop("SIGKILL");
    }
  });
});

describe("worker", () => {
  // Nothing here reaches a live Kafka or store: each case fails before joining a consumer group.
  const workerEnv = (extra: Record<string, string>) => ({
    DATA_DIR: mkdtempSync(join(tmpdir(), "widegate-worker-")),
    WORKER_PORT: "0",
    KAFKA_TOPIC: "startup-failures-test",
    WORKER_GROUP_ID: `startup-failures-${process.pid}`,
    ...extra,
  });

  test("a port already in use: one line naming WORKER_PORT on 127.0.0.1 (no HOST), exit 1", async () => {
    const run = await runToExit("worker/consumer.ts", workerEnv({ WORKER_PORT: String(busy.port), KAFKA_BROKERS: "127.0.0.1:9" }));
    expect(run.code).toBe(1);
    expect(oneLine(run.stderr)).toEqual([
      `cannot listen on 127.0.0.1:${busy.port}: the port is already in use; stop the other process or set WORKER_PORT to a free port`,
    ]);
  });

  test("Kafka unreachable: one line naming KAFKA_BROKERS, exit 1", async () => {
    const run = await runToExit("worker/consumer.ts", workerEnv({ KAFKA_BROKERS: "127.0.0.1:9" }));
    expect(run.code).toBe(1);
    const lines = oneLine(run.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toStartWith("worker: cannot reach Kafka at 127.0.0.1:9 (KAFKA_BROKERS): ");
    expect(lines[0]).toEndWith("; start Kafka or set KAFKA_BROKERS to reachable brokers");
  });

  test("the event store unreachable: one line naming MONGODB_URI without printing it, exit 1", async () => {
    const run = await runToExit(
      "worker/consumer.ts",
      workerEnv({ EVENT_STORE: "mongo", MONGODB_URI: "mongodb://user:hunter2@127.0.0.1:9/x?serverSelectionTimeoutMS=1000" }),
    );
    expect(run.code).toBe(1);
    const lines = oneLine(run.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toStartWith("worker: cannot reach the event store (mongo) (MONGODB_URI): ");
    expect(lines[0]).toEndWith("; start MongoDB or FerretDB, or fix MONGODB_URI");
    expect(lines[0]).not.toContain("hunter2");
  });

  test("a DATA_DIR that cannot be created: one line naming DATA_DIR, exit 1", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "widegate-file-")), "not-a-dir");
    writeFileSync(file, "x");
    const run = await runToExit("worker/consumer.ts", workerEnv({ DATA_DIR: join(file, "data"), KAFKA_BROKERS: "127.0.0.1:9" }));
    expect(run.code).toBe(1);
    const lines = oneLine(run.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toStartWith(`worker: cannot use DATA_DIR=${join(file, "data")}: ENOTDIR`);
  });

  test("a bad variable: one line naming it, exit 78", async () => {
    const run = await runToExit("worker/consumer.ts", workerEnv({ WORKER_PORT: "eighty" }));
    expect(run.code).toBe(78);
    const lines = oneLine(run.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toStartWith("invalid configuration: WORKER_PORT=eighty:");
  });
});

describe("load script", () => {
  test.each([
    ["synthetic", []],
    ["mode=sim", ["mode=sim", "requests=10"]],
  ])("%s against a stopped gateway: one line naming the URL, exit 1", async (_name, mode) => {
    const stopped = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
    const url = `http://127.0.0.1:${stopped.port}`;
    stopped.stop(true);
    const proc = Bun.spawn([process.execPath, resolve(import.meta.dir, "../../scripts/load.ts"), `url=${url}`, "seconds=1", ...mode], {
      env: cleanEnv(),
      stdout: "pipe",
      stderr: "pipe",
    });
    const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
    expect(code).toBe(1);
    expect(oneLine(stderr)).toHaveLength(1);
    expect(oneLine(stderr)[0]).toStartWith(`load: cannot reach the gateway at ${url} (`);
  });
});
