/**
 * The payment simulation as a Cloudflare Worker: the same Hono app, its events shipped inside the
 * request's `waitUntil` (no timer outlives a Workers request). Bindings: GATEWAY_URL, GATEWAY_KEY.
 */
import type { ExecutionContext } from "hono";
import { HttpTransport } from "wide-gate/sdk";
import { createPaymentSim } from "./app.ts";

interface Env {
  GATEWAY_URL: string;
  GATEWAY_KEY?: string;
}

let app: ReturnType<typeof createPaymentSim> | undefined;

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
    // Built on the first request: the bindings arrive with it, and Workers allow no I/O set-up at module scope.
    app ??= createPaymentSim({
      transport: new HttpTransport({ url: env.GATEWAY_URL, ...(env.GATEWAY_KEY ? { apiKey: env.GATEWAY_KEY } : {}), flushIntervalMs: 0 }),
    });
    return app.fetch(request, env, ctx);
  },
};
