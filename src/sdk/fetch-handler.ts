import { WideEventContext } from "./context.ts";
import type { Clock, EventSink } from "./types.ts";

export interface FetchHandlerOptions {
  service: string;
  transport: EventSink;
  requestIdHeader?: string;
  clock?: (request: Request) => Clock;
}

/** What a Workers-style fetch handler may receive as its third argument. */
interface MaybeExecutionContext {
  waitUntil?: (promise: Promise<unknown>) => void;
}

/**
 * Wraps a plain `fetch(request, env, ctx)` handler (Workers, `Bun.serve`, Deno, any web-standard
 * server). The handler gets the request's context as its second argument and names its route
 * pattern with `event.setRoute()` (without one, the event has no route: raw paths would make
 * every id its own group). A thrown error becomes a 500 with the error recorded.
 *
 * @example export default { fetch: withWideEvents((request, event) => { event.setRoute("/api/items/:id"); … }, { service, transport }) }
 */
export function withWideEvents<Env = unknown, Ctx = unknown>(
  handler: (request: Request, event: WideEventContext, env: Env, ctx: Ctx) => Response | Promise<Response>,
  options: FetchHandlerOptions,
): (request: Request, env: Env, ctx: Ctx) => Promise<Response> {
  const header = options.requestIdHeader ?? "x-request-id";
  return async function wideEventsFetch(request, env, ctx) {
    const event = new WideEventContext({
      service: options.service,
      requestId: request.headers.get(header)?.slice(0, 256),
      ...(options.clock ? { clock: options.clock(request) } : {}),
    });
    let response: Response;
    try {
      response = await handler(request, event, env, ctx);
    } catch (error) {
      event.recordThrown(error);
      response = Response.json({ error: { code: "INTERNAL", message: "internal error" } }, { status: 500 });
    }
    try {
      const waitUntil = (ctx as MaybeExecutionContext | undefined)?.waitUntil;
      const built = event.finish({ method: request.method, statusCode: response.status });
      options.transport.send(built, waitUntil ? { waitUntil: (p) => waitUntil.call(ctx, p) } : {});
    } catch {
      // Instrumentation never fails the response.
    }
    return response;
  };
}
