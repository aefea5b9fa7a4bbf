/**
 * wide-gate/sdk: build one wide event per request and ship it to the gateway. Web-standard APIs
 * only (fetch, CompressionStream, crypto.randomUUID), so it runs on Workers, Bun and Node.
 */
export { type ContextOptions, type Finish, WideEventContext } from "./context.ts";
export { type FetchHandlerOptions, withWideEvents } from "./fetch-handler.ts";
export { gzip } from "./gzip.ts";
export { type WideEventsOptions, type WideEventVariables, wideEvents } from "./hono.ts";
export { type NodeMiddlewareOptions, type NodeRequestLike, type NodeResponseLike, wideEventsNode } from "./node-middleware.ts";
export { backoffMs, parseRetryAfter } from "./retry.ts";
export { HttpTransport, type TransportError, type TransportOptions, type TransportStats } from "./transport.ts";
export { type Clock, type EventSink, type StepRecord, systemClock, type WaitUntil, type WideEvent, type WideEventError } from "./types.ts";
