import type { Context, MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { WideEventContext } from "./context.ts";
import type { Clock, EventSink, WaitUntil } from "./types.ts";

export interface WideEventsOptions {
  /** The service the app is (`payment`). */
  service: string;
  /** Where finished events go, usually an `HttpTransport`. */
  transport: EventSink;
  /** Header carrying the caller's request id (default `x-request-id`); echoed on the response. */
  requestIdHeader?: string;
  /** Per-request clock (default: Date.now and performance.now). */
  clock?: (request: Request) => Clock;
}

export interface WideEventVariables {
  wideEvent: WideEventContext;
}

/**
 * One wide event per request: opens a context (`c.var.wideEvent`), lets the handlers enrich it,
 * and once the response exists builds the event with the route pattern and hands it to the
 * transport, after the response is settled and without waiting for delivery.
 *
 * @example app.use(wideEvents({ service: "payment", transport }))
 *          app.post("/api/payments", (c) => { c.var.wideEvent.step("balance-check").set({ user: { id } }); … })
 */
const NO_WAIT_UNTIL: { waitUntil?: WaitUntil } = Object.freeze({});

export const wideEvents = (options: WideEventsOptions): MiddlewareHandler<{ Variables: WideEventVariables }> => {
  // Lower-cased once: Headers.get is case-insensitive, but skips the folding work for a lower-case name.
  const header = (options.requestIdHeader ?? "x-request-id").toLowerCase();
  const { service, transport, clock } = options;
  // Whether requests come with an execution context: probed once, since Hono answers "no" by throwing (costly per request).
  let hasExecutionCtx: boolean | undefined;
  const waitUntilOf = (c: Context): { waitUntil?: WaitUntil } => {
    if (hasExecutionCtx === false) return NO_WAIT_UNTIL;
    try {
      const ctx = c.executionCtx;
      hasExecutionCtx = true;
      return { waitUntil: (promise) => ctx.waitUntil(promise) };
    } catch {
      hasExecutionCtx = false;
      return NO_WAIT_UNTIL;
    }
  };
  return async function wideEventsMiddleware(c, next) {
    const raw = c.req.raw;
    const event = new WideEventContext({ service, requestId: raw.headers.get(header)?.slice(0, 256), clock: clock?.(raw) });
    c.set("wideEvent", event);
    const ownIndex = c.req.routeIndex;
    try {
      await next();
    } finally {
      try {
        // Hono catches handler errors into onError and keeps them on c.error.
        if (c.error) event.recordThrown(c.error);
        // After next() the route index points at the handler that answered; still ours means nothing matched.
        const route = c.req.routeIndex !== ownIndex ? routePath(c) : undefined;
        const built = event.finish({ route: route || undefined, method: raw.method, statusCode: c.res.status });
        transport.send(built, waitUntilOf(c));
        c.res.headers.set(header, event.requestId);
      } catch {
        // Instrumentation never fails the response.
      }
    }
  };
};
