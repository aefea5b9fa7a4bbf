import { WideEventContext } from "./context.ts";
import type { Clock, EventSink } from "./types.ts";

/** The parts of Node's IncomingMessage (and Express's Request) the middleware reads; no Node import needed. */
export interface NodeRequestLike {
  method?: string | undefined;
  url?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  /** Express: the matched route and the router's mount path. */
  route?: { path?: unknown } | undefined;
  baseUrl?: string | undefined;
  wideEvent?: WideEventContext;
}

/** The parts of Node's ServerResponse the middleware reads. */
export interface NodeResponseLike {
  statusCode: number;
  once(event: "finish" | "close", listener: () => void): unknown;
  setHeader?(name: string, value: string): unknown;
}

export interface NodeMiddlewareOptions {
  service: string;
  transport: EventSink;
  requestIdHeader?: string;
  clock?: () => Clock;
}

/**
 * Express-style `(req, res, next)` middleware, also usable around a plain `node:http` handler.
 * The context is `req.wideEvent`; the event is built when the response finishes (or the client
 * goes away), with Express's route pattern when there is one, else the route set by `setRoute()`.
 *
 * @example app.use(wideEventsNode({ service: "cart", transport }))
 * @example createServer((req, res) => mw(req, res, () => handle(req, res)))
 */
export function wideEventsNode(options: NodeMiddlewareOptions) {
  const header = options.requestIdHeader ?? "x-request-id";
  return function wideEventsNodeMiddleware(req: NodeRequestLike, res: NodeResponseLike, next?: (error?: unknown) => void): void {
    const given = req.headers[header];
    const event = new WideEventContext({
      service: options.service,
      requestId: (Array.isArray(given) ? given[0] : given)?.slice(0, 256),
      ...(options.clock ? { clock: options.clock() } : {}),
    });
    req.wideEvent = event;
    res.setHeader?.(header, event.requestId);
    let sent = false;
    const done = () => {
      if (sent) return;
      sent = true;
      try {
        const pattern = typeof req.route?.path === "string" ? `${req.baseUrl ?? ""}${req.route.path}` : undefined;
        options.transport.send(event.finish({ route: pattern, method: req.method, statusCode: res.statusCode }));
      } catch {
        // Instrumentation never fails the response.
      }
    };
    res.once("finish", done);
    res.once("close", done);
    next?.();
  };
}
