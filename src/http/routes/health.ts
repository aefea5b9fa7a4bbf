import { Hono } from "hono";
import type { HealthStatus, Lifecycle } from "../../ports/health.ts";
import type { AppEnv } from "../types.ts";

const CHECK_TIMEOUT_MS = 2000;

async function check(component: Lifecycle): Promise<HealthStatus> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<HealthStatus>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${CHECK_TIMEOUT_MS} ms` }), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([component.health(), timeout]);
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** `/healthz`: the process answers. `/readyz`: every selected backend answers, and we are not draining. */
export function healthRoutes(components: readonly Lifecycle[], isDraining: () => boolean) {
  return new Hono<AppEnv>()
    .get("/healthz", (c) => c.json({ status: "ok" }))
    .get("/readyz", async (c) => {
      const results = await Promise.all(components.map(async (component) => [component.name, await check(component)] as const));
      const checks = Object.fromEntries(results);
      const draining = isDraining();
      const ok = !draining && results.every(([, status]) => status.ok);
      return c.json({ status: ok ? "ready" : draining ? "draining" : "unavailable", checks }, ok ? 200 : 503);
    });
}
