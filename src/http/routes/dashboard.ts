import { Hono } from "hono";
import { DASHBOARD_HTML } from "./dashboard-page.ts";

/** GET /dashboard: a static page; what it shows comes from the API with the caller's own key. */
export function dashboardRoutes() {
  return new Hono().get("/dashboard", (c) =>
    c.html(DASHBOARD_HTML, 200, {
      // The page runs only its own inline script and talks only to this origin.
      "content-security-policy":
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:",
      "cache-control": "no-cache",
    }),
  );
}
