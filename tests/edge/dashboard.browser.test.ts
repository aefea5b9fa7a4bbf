import { afterAll, beforeAll, expect, test } from "bun:test";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { chromiumPath, describeWithBrowser } from "../support/services.ts";
import { type RunningServer, spawnServer } from "../support/spawn-server.ts";

// An hour of traffic for two services with an incident: payment fails every request 20–24 minutes ago.
const minute = 60_000;
const now = Math.floor(Date.now() / minute) * minute;
const INCIDENT = [20, 21, 22, 23, 24];
const events = Array.from({ length: 60 * 8 }, (_, i) => {
  const ago = Math.floor(i / 8);
  const service = i % 2 === 0 ? "payment" : "search";
  const failing = service === "payment" && INCIDENT.includes(ago);
  return {
    service,
    route: service === "payment" ? "/api/pay" : "/api/search",
    requestId: `dash-${i}`,
    timestamp: now - ago * minute + (i % 8) * 1000,
    statusCode: failing ? 502 : 200,
    durationMs: failing ? 2400 : 20 + (i % 40) * 5,
    ...(failing ? { error: { code: "GATEWAY_TIMEOUT", message: "upstream timed out" } } : {}),
  };
});
const label = (ms: number) => `${new Date(ms).toISOString().slice(5, 16).replace("T", " ")} UTC`;
const incidentLabels = INCIDENT.map((ago) => label(now - ago * minute));

await describeWithBrowser("GET /dashboard in a real browser", () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await spawnServer("edge/bun-server.ts", {
      QUERY_API_KEYS: "dash-key:default",
      METRICS_API_KEY: "dash-metrics-key",
      ROLLUP_FLUSH_MS: "200",
    });
    const posted = await fetch(`${server.url}/v1/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(events),
    });
    expect(posted.status).toBe(202);
    // Rollups flush every 200 ms here, then the embedded pipeline writes them: wait until all are counted.
    for (let i = 0; i < 100; i++) {
      const answer = await fetch(`${server.url}/v1/query`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer dash-key" },
        body: JSON.stringify({ metric: "count", timeRange: { last: "2h" } }),
      });
      if (((await answer.json()) as { rows: Array<{ value: number }> }).rows[0]?.value === events.length) break;
      await Bun.sleep(100);
    }
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop("SIGKILL");
  });

  async function open(): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    // A returning on-call user: the key typed last time is in localStorage, so no call goes out without it.
    await page.addInitScript(() => {
      localStorage.setItem("widegate-key", "dash-key");
      localStorage.setItem("widegate-metrics-key", "dash-metrics-key");
    });
    await page.goto(`${server.url}/dashboard`);
    await page.waitForSelector("#errors canvas");
    return { page, errors };
  }

  test("charts the incident, changes the range, clicks through to events and charts an answer, with no console errors", async () => {
    const { page, errors } = await open();
    expect(await page.textContent("#status")).toBe("ready");
    expect(await page.textContent("#cards")).toContain("480accepted");
    expect(await page.textContent("#checks")).toContain("event-store:embedded");
    // Pipeline health: what the gateway knows, and a note for the worker's numbers it cannot read.
    await page.waitForFunction(() => document.querySelector("#health-note")?.textContent?.includes("WORKER_METRICS_URL"));
    const health = (await page.textContent("#health")) ?? "";
    for (const row of [
      "publish failures (gateway, since start)0",
      "events sent to the fallback (since start)0",
      "publish queue (now)0",
      "spoolno file fallback configured",
    ])
      expect(health).toContain(row);
    expect(await page.textContent("#health-note")).toContain("WORKER_METRICS_URL is not set");
    // The range's total comes from the rollups, not from the process counters.
    await page.waitForFunction(() => document.querySelector("#in-range")?.textContent?.startsWith("480 events accepted"));
    // The error-rate series peaks (100%) in one of the incident's minutes, for payment.
    await page.waitForFunction(() => document.querySelector("#errors-peak")?.textContent?.includes("(payment)"));
    const peak = (await page.textContent("#errors-peak")) ?? "";
    expect(peak).toStartWith("peak 100%");
    expect(incidentLabels.some((l) => peak.includes(l))).toBe(true);
    expect(await page.textContent("#services")).toContain("payment");
    expect(await page.textContent("#range-label")).toContain("1m buckets");

    // The last 15 minutes do not hold the incident.
    await page.selectOption("#range", "15m");
    await page.waitForFunction(() => !document.querySelector("#errors-peak")?.textContent?.startsWith("peak 100%"));
    const quiet = (await page.textContent("#errors-peak")) ?? "";
    expect(incidentLabels.some((l) => quiet.includes(l))).toBe(false);
    expect(await page.textContent("#range-label")).toContain("1m buckets");

    // Back to the last hour; the payment row's error rate opens its failing events.
    await page.selectOption("#range", "1h");
    await page.waitForFunction(() => document.querySelector("#errors-peak")?.textContent?.startsWith("peak 100%"));
    await page.click("#services tr[data-service='payment'] a[data-events='errors']");
    await page.waitForFunction(() => document.querySelector("#events")?.textContent?.includes("GATEWAY_TIMEOUT"));
    const rows = await page.$$eval("#events tr", (trs) => trs.slice(1).map((tr) => tr.textContent ?? ""));
    expect(rows).toHaveLength(INCIDENT.length * 4); // 4 payment requests a minute, all failing
    expect(rows.every((r) => r.includes("payment") && r.includes("GATEWAY_TIMEOUT"))).toBe(true);

    // A click on the error-rate chart opens the errors of that minute.
    const box = await page.locator("#errors .u-over").boundingBox();
    if (!box) throw new Error("no chart area");
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.5);
    await page.mouse.click(box.x + box.width * 0.4, box.y + box.height * 0.5);
    await page.waitForFunction(() => document.querySelector("#events-label")?.textContent?.startsWith("errors"));

    // A time-series answer is drawn as a chart.
    await page.fill("#question", "payment error rate over time in the last hour");
    await page.click("#ask button");
    await page.waitForSelector("#answer-chart canvas");
    expect(await page.textContent("#answer")).not.toBe("…");

    await page.screenshot({ path: join(tmpdir(), "wide-gate-dashboard.png"), fullPage: true });
    expect(errors).toEqual([]);
  }, 60_000);

  test("uPlot is served by the gateway itself, with the page's CSP allowing only this origin", async () => {
    const js = await fetch(`${server.url}/dashboard/uplot.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toContain("javascript");
    expect(await js.text()).toContain("uPlot");
    const page = await fetch(`${server.url}/dashboard`);
    const html = await page.text();
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self' 'unsafe-inline'");
    expect(html).not.toMatch(/https?:\/\//);
  });

  test("without the key the page says the query API refused, instead of failing silently", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/dashboard`);
    await page.waitForFunction(() => document.querySelector("#traffic-note")?.textContent?.includes("UNAUTHORIZED"));
  }, 30_000);

  test("with the query key but no metrics key the pipeline cards say the metrics key is needed", async () => {
    const page = await browser.newPage();
    await page.addInitScript(() => localStorage.setItem("widegate-key", "dash-key"));
    await page.goto(`${server.url}/dashboard`);
    await page.waitForFunction(() => document.querySelector("#cards")?.textContent?.includes("METRICS_API_KEY"));
    expect(await page.textContent("#cards")).not.toContain("accepted");
  }, 30_000);
});
