import { afterAll, beforeAll, expect, test } from "bun:test";
import { type Browser, chromium } from "playwright-core";
import { chromiumPath, describeWithBrowser } from "../support/services.ts";
import { type RunningServer, spawnServer } from "../support/spawn-server.ts";

const now = Date.now();
const events = Array.from({ length: 400 }, (_, i) => ({
  service: ["payment", "search"][i % 2],
  route: ["/api/pay", "/api/search"][i % 2],
  requestId: `dash-${i}`,
  timestamp: now - (i % 50) * 60_000,
  statusCode: i % 10 === 0 ? 502 : 200,
  durationMs: 20 + (i % 40) * 5,
  ...(i % 10 === 0 ? { error: { code: "GATEWAY_TIMEOUT", message: "upstream timed out" } } : {}),
}));

await describeWithBrowser("GET /dashboard in a real browser", () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await spawnServer("edge/bun-server.ts", { QUERY_API_KEYS: "dash-key:default", ROLLUP_FLUSH_MS: "200" });
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
        body: JSON.stringify({ metric: "count", timeRange: { last: "1h" } }),
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

  test("shows ingest counts, charts the last hour and answers a question, with the query key", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${server.url}/dashboard`);
    await page.fill("#key", "dash-key");
    await page.dispatchEvent("#key", "change");
    await page.waitForSelector("#series svg rect");
    expect(await page.textContent("#status")).toBe("ready");
    expect(await page.textContent("#cards")).toContain("400accepted");
    expect(await page.textContent("#sampling")).toContain("HAS_ERROR");
    expect(await page.textContent("#errors")).toContain("payment");
    await page.fill("#question", "how many payment errors in the last hour, by error code?");
    await page.click("#ask button");
    await page.waitForFunction(() => document.querySelector("#answer")?.textContent?.includes("GATEWAY_TIMEOUT"));
    expect(await page.textContent("#answer-table")).toContain("GATEWAY_TIMEOUT");
    expect(errors).toEqual([]);
  }, 30_000); // a page load, five API calls and a question, on a busy CI machine

  test("without the key the page says the query API refused, instead of failing silently", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/dashboard`);
    await page.waitForSelector("#series .note");
    expect(await page.textContent("#series")).toContain("UNAUTHORIZED");
  }, 30_000);
});
