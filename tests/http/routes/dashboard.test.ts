import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { dashboardRoutes } from "../../../src/http/routes/dashboard.ts";
import { UPLOT_CSS, UPLOT_JS, UPLOT_VERSION } from "../../../src/http/routes/dashboard-uplot.ts";

const UPLOT = resolve(import.meta.dir, "../../../node_modules/uplot");

describe("GET /dashboard and its chart library", () => {
  test("the vendored uPlot is the installed one (else run: bun scripts/vendor-uplot.ts)", () => {
    expect(UPLOT_VERSION).toBe((JSON.parse(readFileSync(`${UPLOT}/package.json`, "utf8")) as { version: string }).version);
    expect(UPLOT_JS).toBe(readFileSync(`${UPLOT}/dist/uPlot.iife.min.js`, "utf8"));
    expect(UPLOT_CSS).toBe(readFileSync(`${UPLOT}/dist/uPlot.min.css`, "utf8"));
  });

  test("/dashboard/uplot.js and .css are served from the gateway with long caching", async () => {
    const app = dashboardRoutes();
    const js = await app.request("/dashboard/uplot.js");
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toBe("public, max-age=86400");
    expect(await js.text()).toBe(UPLOT_JS);
    const css = await app.request("/dashboard/uplot.css");
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
  });

  test("the page loads nothing from another origin", async () => {
    const html = await (await dashboardRoutes().request("/dashboard")).text();
    expect(html).toContain('<script src="/dashboard/uplot.js"></script>');
    expect(html).not.toMatch(/(src|href)="https?:/);
  });
});
