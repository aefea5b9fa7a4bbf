import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningServer, spawnServer } from "../support/spawn-server.ts";
import { cli, startCli, waitFor } from "./run-cli.ts";

// Each test runs real subprocesses; on a loaded machine one start can take seconds.
setDefaultTimeout(60_000);

// One seeded all-in-one server for every command; SAMPLING_NORMAL_RATE=1 keeps every event, so
// stored events and rollup counts agree and the expected numbers are plain.
let server: RunningServer;
let env: Record<string, string>;
const minuteAgo = () => new Date(Date.now() - 60_000).toISOString();

const SEED = () => [
  { service: "payment", route: "/api/pay", method: "POST", statusCode: 502, durationMs: 100, error: { code: "GATEWAY_TIMEOUT" } },
  { service: "payment", route: "/api/pay", method: "POST", statusCode: 502, durationMs: 200, error: { code: "GATEWAY_TIMEOUT" } },
  { service: "payment", route: "/api/pay", method: "POST", statusCode: 200, durationMs: 10 },
  { service: "payment", route: "/api/refund", method: "POST", statusCode: 200, durationMs: 10 },
  { service: "order", route: "/api/order", method: "GET", statusCode: 200, durationMs: 20 },
  { service: "order", route: "/api/order", method: "GET", statusCode: 200, durationMs: 30 },
];

async function ingest(events: object[]): Promise<void> {
  const response = await fetch(`${server.url}/v1/events`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(events.map((e, i) => ({ requestId: `r-${crypto.randomUUID()}-${i}`, timestamp: minuteAgo(), ...e }))),
  });
  expect(response.status).toBe(202);
}

beforeAll(async () => {
  server = await spawnServer("edge/bun-server.ts", { SAMPLING_NORMAL_RATE: "1", ROLLUP_FLUSH_MS: "100" });
  env = { WIDE_GATE_URL: server.url, WIDE_GATE_STATE_DIR: mkdtempSync(join(tmpdir(), "widegate-cli-state-")) };
  await ingest(SEED());
  await waitFor("the seed in the store and the rollups", async () => {
    const query = await fetch(`${server.url}/v1/query`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ metric: "count", timeRange: { last: "1h" } }),
    });
    const events = await fetch(`${server.url}/v1/events?limit=200`);
    const count = ((await query.json()) as { rows: Array<{ value: number }> }).rows[0]?.value;
    return count === 6 && ((await events.json()) as { events: unknown[] }).events.length === 6;
  });
});

afterAll(async () => {
  await server?.stop("SIGKILL");
});

describe("wide-gate query", () => {
  test("flags build the StatQuery and the answer prints as a table", async () => {
    const run = await cli(["query", "-m", "count", "-g", "service", "--last", "1h"], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/│ service\s+│ count\s+│/);
    expect(run.stdout).toMatch(/│ payment\s+│ 4\s+│/);
    expect(run.stdout).toMatch(/│ order\s+│ 2\s+│/);
    expect(run.stderr).toContain("exact (source: rollups)");
  });

  test("filters with operators reach the gateway", async () => {
    const run = await cli(["--json", "query", "-m", "count", "-f", "statusCode>=500", "service=payment,order", "--last", "1h"], env);
    expect(run.code).toBe(0);
    const answer = JSON.parse(run.stdout) as { rows: Array<{ value: number }>; query: { filter: unknown } };
    expect(answer.query.filter).toEqual({ statusCode: { gte: 500 }, service: { in: ["payment", "order"] } });
    expect(answer.rows[0]?.value).toBe(2);
  });

  test("error_rate prints as a percentage", async () => {
    const run = await cli(["query", "-m", "error_rate", "-g", "service", "--last", "1h"], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/│ payment\s+│ 50\.00%\s+│/);
    expect(run.stdout).toMatch(/│ order\s+│ 0\.00%\s+│/);
  });

  test("a StatQuery given as JSON on stdin is sent as is and --json prints the whole answer", async () => {
    const run = await cli(["--json", "query", "-"], env, JSON.stringify({ metric: "max", groupBy: ["route"], timeRange: { last: "1h" } }));
    expect(run.code).toBe(0);
    const answer = JSON.parse(run.stdout) as { rows: Array<{ route: string; value: number }>; source: string };
    expect(answer.source).toBe("rollups");
    expect(answer.rows.find((r) => r.route === "/api/pay")?.value).toBe(200);
  });

  test("a query the gateway refuses exits 1 with its code and message on one line", async () => {
    const run = await cli(["query", '{"metric":"count","groupBy":["$where"]}'], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toContain("400 INVALID_QUERY");
  });

  test("no query and no --metric is a usage error (exit 2)", async () => {
    const run = await cli(["query"], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--metric");
  });

  test("JSON that does not parse is a usage error (exit 2)", async () => {
    const run = await cli(["query", "{metric"], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("not valid JSON");
  });
});

describe("wide-gate events", () => {
  test("prints stored events as a table, newest first", async () => {
    const run = await cli(["events", "--service", "payment", "--errors"], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("GATEWAY_TIMEOUT");
    expect(run.stdout.match(/│ payment /g)).toHaveLength(2);
    expect(run.stderr).toContain("2 event(s)");
  });

  test("pages with --cursor, and --all follows every page", async () => {
    const first = JSON.parse((await cli(["--json", "events", "-n", "4"], env)).stdout) as { events: object[]; nextCursor: string | null };
    expect(first.events).toHaveLength(4);
    expect(first.nextCursor).toBeString();
    const second = JSON.parse((await cli(["--json", "events", "-n", "4", "--cursor", first.nextCursor ?? ""], env)).stdout) as {
      events: object[];
      nextCursor: string | null;
    };
    expect(second.events.length).toBeGreaterThanOrEqual(2);
    const all = JSON.parse((await cli(["--json", "events", "-n", "2", "--all", "--to", new Date().toISOString()], env)).stdout) as {
      events: Array<{ eventId: string }>;
      nextCursor: string | null;
    };
    expect(all.events).toHaveLength(6);
    expect(new Set(all.events.map((e) => e.eventId)).size).toBe(6);
    expect(all.nextCursor).toBeNull();
  });

  test("a parameter the gateway refuses exits 1 naming it", async () => {
    const run = await cli(["events", "--status", "5xx"], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("INVALID_PARAMETER: statusCode");
  });
});

describe("wide-gate ask", () => {
  test("answers a question, shows its rows and keeps the session for the follow-up", async () => {
    const first = await cli(["ask", "how many requests per service in the last hour"], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/│ payment\s+│ 4\s+│/);
    const sessions = JSON.parse(readFileSync(join(env.WIDE_GATE_STATE_DIR ?? "", "sessions.json"), "utf8")) as Record<string, string>;
    const saved = sessions[server.url];
    expect(saved).toBeString();
    expect(first.stderr).toContain(`session ${saved}`);

    const followUp = JSON.parse((await cli(["--json", "ask", "what did I ask before?"], env)).stdout) as {
      sessionId: string;
      intent: string;
      data: { turns: Array<{ question: string }> };
    };
    expect(followUp.sessionId).toBe(saved ?? "");
    expect(followUp.intent).toBe("CONVERSATIONAL");
    expect(followUp.data.turns.map((t) => t.question)).toContain("how many requests per service in the last hour");
  });

  test("--new starts another session", async () => {
    const run = JSON.parse((await cli(["--json", "ask", "--new", "find payment events with GATEWAY_TIMEOUT"], env)).stdout) as {
      sessionId: string;
      intent: string;
      data: { events: unknown[] };
    };
    const sessions = JSON.parse(readFileSync(join(env.WIDE_GATE_STATE_DIR ?? "", "sessions.json"), "utf8")) as Record<string, string>;
    expect(run.intent).toBe("SEARCH");
    expect(run.data.events).toHaveLength(2);
    expect(sessions[server.url]).toBe(run.sessionId);
  });
});

describe("wide-gate tail", () => {
  test("prints an event sent after it started, and exits after --count", async () => {
    const tail = startCli(["tail", "-n", "0", "-i", "200ms", "-c", "1", "--service", "tailed"], env);
    await waitFor("tail to start following", () => tail.stderr().includes("following"));
    await ingest([{ service: "tailed", route: "/late", statusCode: 503, durationMs: 5 }]);
    expect(await tail.proc.exited).toBe(0);
    const lines = tail.stdout().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("tailed");
    expect(lines[0]).toContain("/late");
  });

  test("--json prints one event per line and -n shows recent events first", async () => {
    const tail = startCli(["--json", "tail", "-n", "2", "-i", "200ms", "-c", "1", "--service", "order"], env);
    await waitFor("tail to start following", () => tail.stderr().includes("following"));
    await ingest([{ service: "order", route: "/api/order/late", statusCode: 200, durationMs: 5 }]);
    expect(await tail.proc.exited).toBe(0);
    const events = tail
      .stdout()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { route: string });
    expect(events).toHaveLength(3);
    expect(events[2]?.route).toBe("/api/order/late");
  });
});

describe("wide-gate top", () => {
  test("--once prints the pipeline counters and a row per service from the rollups", async () => {
    const run = await cli(["top", "--once", "--window", "1h"], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/received \d+ {2}kept \d+ {2}dropped 0 {2}rejected 0/);
    expect(run.stdout).toMatch(/│ payment\s+│ 4\s+│ [\d.]+\s+│ 4\s+│ 0\s+│ [\d.]+%\s+│ [\d.]+\s+│ [\d.]+\s+│/);
  });

  test("--json prints one snapshot per refresh with rates from the second on", async () => {
    const run = await cli(["--json", "top", "--iterations", "2", "-i", "100ms", "--window", "1h"], env);
    expect(run.code).toBe(0);
    const snapshots = run.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { pipeline: { kept: number; rates?: object }; services: Array<{ service: string; p95: number }> });
    expect(snapshots).toHaveLength(2);
    expect(snapshots[0]?.pipeline.rates).toBeUndefined();
    expect(snapshots[1]?.pipeline.rates).toBeDefined();
    expect(snapshots[0]?.pipeline.kept).toBeGreaterThanOrEqual(6);
    const payment = snapshots[0]?.services.find((s) => s.service === "payment");
    expect(payment?.p95).toBeGreaterThan(100);
  });

  test("a bad --window is a usage error", async () => {
    const run = await cli(["top", "--once", "--window", "2w"], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--window");
  });
});

describe("failures are one line and an exit code", () => {
  test("a gateway that is not running: exit 3, one line naming the URL", async () => {
    const run = await cli(["--url", "http://127.0.0.1:9", "events"]);
    expect(run.code).toBe(3);
    expect(run.stderr.trim().split("\n")).toEqual([
      "wide-gate: cannot reach the gateway at http://127.0.0.1:9: connection refused (is it running? set --url or WIDE_GATE_URL)",
    ]);
  });

  test("an unknown command: exit 2", async () => {
    const run = await cli(["quer"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown command 'quer'");
  });

  test("--help exits 0 and lists the exit codes", async () => {
    const run = await cli(["--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Exit codes: 0 ok");
  });
});

describe("--key / WIDE_GATE_KEY", () => {
  test("a keyed gateway: no key is exit 1 with a hint, --key and WIDE_GATE_KEY both work", async () => {
    const keyed = await spawnServer("edge/bun-server.ts", { QUERY_API_KEYS: "cli-key:default" });
    try {
      const without = await cli(["--url", keyed.url, "events"]);
      expect(without.code).toBe(1);
      expect(without.stderr).toContain("401 UNAUTHORIZED");
      expect(without.stderr).toContain("(pass --key or set WIDE_GATE_KEY)");
      expect((await cli(["--url", keyed.url, "--key", "cli-key", "--json", "events"])).code).toBe(0);
      expect((await cli(["--json", "events"], { WIDE_GATE_URL: keyed.url, WIDE_GATE_KEY: "cli-key" })).code).toBe(0);
    } finally {
      await keyed.stop("SIGKILL");
    }
  });
});
