import { Hono } from "hono";
import type { AppEnv } from "../types.ts";
import { DASHBOARD_HTML } from "./dashboard-page.ts";
import { UPLOT_CSS, UPLOT_JS, UPLOT_VERSION } from "./dashboard-uplot.ts";

// The page runs its own inline script and the uPlot bundle from this origin, and talks only to this origin.
const CSP =
  "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:";
// Versioned content: a day of caching is safe, and an upgrade changes UPLOT_VERSION in the ETag.
const ASSET_HEADERS = { "cache-control": "public, max-age=86400", etag: `"uplot-${UPLOT_VERSION}"` };

// Only the worker's own series are relayed: the page needs no more, and nothing else of that host leaks through.
const WORKER_SERIES = /^widegate_worker_\w+(\{[^}\n]*\})? [^\n]+$/gm;

/** GET /dashboard: a static page; what it shows comes from the API with the caller's own key. uPlot is served beside it (no CDN). */
export function dashboardRoutes() {
  return new Hono<AppEnv>()
    .get("/dashboard/worker-metrics", async (c) => {
      // Read server-side so the browser needs no route to the worker; guarded like /metrics (METRICS_API_KEY, in create-app).
      const url = c.get("config").WORKER_METRICS_URL;
      if (!url) return c.json({ configured: false });
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
        if (!response.ok) return c.json({ configured: true, error: `WORKER_METRICS_URL answered HTTP ${response.status}` });
        const text = await response.text();
        return c.json({ configured: true, metrics: (text.match(WORKER_SERIES) ?? []).join("\n") });
      } catch (error) {
        return c.json({ configured: true, error: `cannot read WORKER_METRICS_URL: ${(error as Error).message}` });
      }
    })
    .get("/dashboard", (c) => c.html(DASHBOARD_HTML, 200, { "content-security-policy": CSP, "cache-control": "no-cache" }))
    .get("/dashboard/uplot.js", (c) => c.body(UPLOT_JS, 200, { ...ASSET_HEADERS, "content-type": "text/javascript; charset=utf-8" }))
    .get("/dashboard/uplot.css", (c) => c.body(UPLOT_CSS, 200, { ...ASSET_HEADERS, "content-type": "text/css; charset=utf-8" }));
}
