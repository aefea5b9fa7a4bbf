import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { type RunningServer, spawnServer } from "../support/spawn-server.ts";
import { cli, waitFor } from "./run-cli.ts";

// Real subprocesses on a shared machine: one start can take seconds.
setDefaultTimeout(60_000);

// SAMPLING_NORMAL_RATE=0.0001: errors are kept, and of the plain successes only the first of each rollup
// group and minute (its exemplar). So per service: payment 5 accepted, 3 kept (2 errors, 1 exemplar),
// 2 dropped; order 4 accepted, 1 kept, 3 dropped; one event rejected (no service).
let server: RunningServer;
let env: Record<string, string>;
const minuteAgo = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 30_000).toISOString();

const SEED = [
  { service: "payment", route: "/api/pay", method: "POST", statusCode: 502, durationMs: 900, error: { code: "GATEWAY_TIMEOUT" } },
  { service: "payment", route: "/api/pay", method: "POST", statusCode: 502, durationMs: 800, error: { code: "GATEWAY_TIMEOUT" } },
  ...Array.from({ length: 3 }, () => ({ service: "payment", route: "/api/pay", method: "POST", statusCode: 200, durationMs: 10 })),
  ...Array.from({ length: 4 }, () => ({ service: "order", route: "/api/order", method: "GET", statusCode: 200, durationMs: 20 })),
  { route: "/no-service" },
];

interface Snapshot {
  pipeline: { received: number; kept: number; dropped: number; rejected: number };
  services: Array<{
    service: string;
    requests: number;
    kept: number;
    keptCapped: boolean;
    dropped: number | null;
    errorRate: number;
    p95: number;
  }>;
}

beforeAll(async () => {
  server = await spawnServer("edge/bun-server.ts", { SAMPLING_NORMAL_RATE: "0.0001", ROLLUP_FLUSH_MS: "100" });
  env = { WIDE_GATE_URL: server.url };
  const response = await fetch(`${server.url}/v1/events`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(SEED.map((e, i) => ({ requestId: `top-${i}`, timestamp: minuteAgo, ...e }))),
  });
  expect(((await response.json()) as { kept: number }).kept).toBe(4);
  await waitFor("the seed in the rollups and the store", async () => {
    const run = await cli(["--json", "top", "--once", "--window", "1h"], env);
    const snapshot = JSON.parse(run.stdout || "{}") as Partial<Snapshot>;
    const services = snapshot.services ?? [];
    const requests = services.reduce((n, s) => n + s.requests, 0);
    const kept = services.reduce((n, s) => n + s.kept, 0);
    return requests === 9 && kept === 4;
  });
});

afterAll(async () => {
  await server?.stop("SIGKILL");
});

describe("wide-gate top per service", () => {
  test("--json: requests from the rollups, kept from the store, dropped as the difference", async () => {
    const run = await cli(["--json", "top", "--once", "--window", "1h"], env);
    expect(run.code).toBe(0);
    const snapshot = JSON.parse(run.stdout) as Snapshot;
    const by = Object.fromEntries(snapshot.services.map((s) => [s.service, s]));
    expect(by.payment).toMatchObject({ requests: 5, kept: 3, keptCapped: false, dropped: 2, errorRate: 0.4 });
    expect(by.order).toMatchObject({ requests: 4, kept: 1, keptCapped: false, dropped: 3, errorRate: 0 });
    expect(by.payment?.p95).toBeGreaterThan(500);
  });

  test("--json: the pipeline line counts the rejected event that has no service", async () => {
    const run = await cli(["--json", "top", "--once", "--window", "1h"], env);
    const snapshot = JSON.parse(run.stdout) as Snapshot;
    expect(snapshot.pipeline).toMatchObject({ received: 10, kept: 4, dropped: 5, rejected: 1 });
  });

  test("--kept-cap: counting stops at the cap, shown as ≥cap with dropped unknown", async () => {
    const run = await cli(["--json", "top", "--once", "--window", "1h", "--kept-cap", "2"], env);
    const payment = (JSON.parse(run.stdout) as Snapshot).services.find((s) => s.service === "payment");
    expect(payment).toMatchObject({ requests: 5, kept: 2, keptCapped: true, dropped: null });
    const table = await cli(["top", "--once", "--window", "1h", "--kept-cap", "2"], env);
    expect(table.stdout).toMatch(/│ payment\s+│ 5\s+│ [\d.]+\s+│ ≥2\s+│ \?\s+│ 40(\.0+)?%\s+│/);
  });

  test("the table has a row per service with kept and dropped", async () => {
    const run = await cli(["top", "--once", "--window", "1h"], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/│ service\s+│ requests\s+│ req\/s\s+│ kept\s+│ dropped\s+│ error rate\s+│ p95 ms\s+│ p99 ms\s+│/);
    expect(run.stdout).toMatch(/│ order\s+│ 4\s+│ [\d.]+\s+│ 1\s+│ 3\s+│ 0(\.0+)?%\s+│/);
  });
});
