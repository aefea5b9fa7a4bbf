import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";
import { chromiumPath, describeWithServices, serviceEnv, uniqueName } from "../support/services.ts";
import { type RunningServer, spawnServer } from "../support/spawn-server.ts";

// Real subprocesses on a shared machine: one start can take seconds.
setDefaultTimeout(60_000);

// GET /dashboard/worker-metrics: the gateway reads WORKER_METRICS_URL server-side for the dashboard.
interface WorkerMetricsAnswer {
  configured: boolean;
  metrics?: string;
  error?: string;
}
const read = async (gateway: RunningServer) =>
  (await (await fetch(`${gateway.url}/dashboard/worker-metrics`)).json()) as WorkerMetricsAnswer;

describe("GET /dashboard/worker-metrics without a worker", () => {
  test("WORKER_METRICS_URL unset: configured false, so the page can say what it cannot show", async () => {
    const gateway = await spawnServer("edge/bun-server.ts");
    try {
      expect(await read(gateway)).toEqual({ configured: false });
    } finally {
      await gateway.stop("SIGKILL");
    }
  });

  test("a worker that does not answer: an error naming WORKER_METRICS_URL, not a failed page", async () => {
    const stopped = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
    const url = `http://127.0.0.1:${stopped.port}/metrics`;
    stopped.stop(true);
    const gateway = await spawnServer("edge/bun-server.ts", { WORKER_METRICS_URL: url });
    try {
      const answer = await read(gateway);
      expect(answer.configured).toBe(true);
      expect(answer.error).toStartWith("cannot read WORKER_METRICS_URL:");
    } finally {
      await gateway.stop("SIGKILL");
    }
  });
});

await describeWithServices(["kafka"], "GET /dashboard/worker-metrics with a real worker", () => {
  let worker: RunningServer;
  let gateway: RunningServer;

  beforeAll(async () => {
    const topic = uniqueName("dash-worker");
    worker = await spawnServer("worker/consumer.ts", {
      KAFKA_BROKERS: serviceEnv.KAFKA_BROKERS,
      KAFKA_TOPIC: topic,
      KAFKA_DLQ_TOPIC: `${topic}-dlq`,
      WORKER_GROUP_ID: uniqueName("dash-worker-group"),
      WORKER_PORT: "0",
    });
    // The gateway publishes to the worker's topic, so the worker has consumed something to report.
    gateway = await spawnServer("edge/bun-server.ts", {
      WORKER_METRICS_URL: `${worker.url}/metrics`,
      PUBLISHER: "kafka",
      KAFKA_BROKERS: serviceEnv.KAFKA_BROKERS,
      KAFKA_TOPIC: topic,
      SAMPLING_NORMAL_RATE: "1",
    });
    const posted = await fetch(`${gateway.url}/v1/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([1, 2, 3].map((i) => ({ service: "payment", route: "/api/pay", requestId: `${topic}-${i}`, statusCode: 200 }))),
    });
    expect(((await posted.json()) as { kept: number }).kept).toBe(3);
    // Stored at once; lag is measured every 5 s.
    for (let i = 0; i < 300; i++) {
      const metrics = (await read(gateway)).metrics ?? "";
      if (/^widegate_worker_messages_total\{result="stored"\} 3$/m.test(metrics) && metrics.includes("consumer_lag_sum")) break;
      await Bun.sleep(100);
    }
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop("SIGKILL");
    await worker?.stop("SIGTERM");
  });

  test("relays the worker's stored messages, lag and partitions", async () => {
    const answer = await read(gateway);
    expect(answer.configured).toBe(true);
    expect(answer.metrics).toMatch(/^widegate_worker_messages_total\{result="stored"\} 3$/m);
    expect(answer.metrics).toMatch(/^widegate_worker_consumer_lag_sum \d+$/m);
    expect(answer.metrics).toMatch(/^widegate_worker_assigned_partitions \d+$/m);
  });

  test("relays only the worker's own series, no comments and no other metrics", async () => {
    const lines = (await read(gateway)).metrics?.split("\n") ?? [];
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((line) => line.startsWith("widegate_worker_"))).toBe(true);
  });

  // The browser suite (dashboard.browser.test.ts) checks the page without a worker; this is the page with one.
  test.skipIf(!existsSync(chromiumPath))("the dashboard's pipeline health shows the worker's lag and dead letters", async () => {
    const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox", "--disable-gpu", "--no-first-run"] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${gateway.url}/dashboard`);
      await page.waitForFunction(() => document.querySelector("#health")?.textContent?.includes("consumer lag"));
      const health = (await page.textContent("#health")) ?? "";
      expect(health).toMatch(/consumer lag \(messages not committed\)\d+/);
      expect(health).toContain("dead-lettered (since the worker started)0");
      expect(health).toContain("stored by the worker (since it started)3");
      expect(await page.textContent("#health-note")).toBe("");
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
