import type { Context, MiddlewareHandler } from "hono";
import type { MetricsRegistry } from "../../metrics/registry.ts";
import { jsonError } from "../errors.ts";
import { isReadRoute } from "./runtime-refusals.ts";

export interface ForwardReadsOptions {
  /** QUERY_API_URL: the query API on Bun, next to the store. */
  upstream: string;
  /** QUERY_API_TIMEOUT_MS: until the whole answer has arrived. */
  timeoutMs: number;
  metrics?: MetricsRegistry;
}

/** Read bodies are small (the query API takes 64 KiB of query, 16 KiB of search): a larger one is not worth buffering. */
const MAX_READ_BODY_BYTES = 256 * 1024;

/** What the query API needs to answer as it would answer the caller: the key, the body's type, content negotiation. */
const REQUEST_HEADERS = ["authorization", "x-api-key", "content-type", "accept"];
/** What the caller needs of the answer; hop-by-hop and encoding headers are the runtime's business. */
const RESPONSE_HEADERS = ["content-type", "retry-after", "cache-control", "www-authenticate"];

/**
 * Where reads are not served (a Worker), sends the read routes to QUERY_API_URL with the caller's
 * method, query string, body and API key, and streams the answer back with its status: the
 * numbers are the query API's, for the same key and tenant, never computed from an isolate's
 * memory. An upstream that is down or slow answers 502/504 naming QUERY_API_URL. Web fetch only.
 *
 * @example app.use(forwardReads({ upstream: config.QUERY_API_URL, timeoutMs: config.QUERY_API_TIMEOUT_MS }))
 */
export const forwardReads = (options: ForwardReadsOptions): MiddlewareHandler => {
  const base = options.upstream.replace(/\/+$/, "");
  return async function forwardReadsMiddleware(c, next) {
    if (!isReadRoute(c.req.method, c.req.path)) return next();
    const incoming = new URL(c.req.url);
    const headers = new Headers();
    for (const name of REQUEST_HEADERS) {
      const value = c.req.header(name);
      if (value !== undefined) headers.set(name, value);
    }
    const hasBody = c.req.method !== "GET" && c.req.method !== "HEAD";
    const tooLarge = () => jsonError(c, 413, "PAYLOAD_TOO_LARGE", `a read request's body is at most ${MAX_READ_BODY_BYTES} bytes`);
    if (hasBody && Number(c.req.header("content-length") ?? 0) > MAX_READ_BODY_BYTES) {
      // Refused unread: cancel it, so the connection is not left holding a body nobody takes.
      c.req.raw.body?.cancel().catch(() => {});
      return tooLarge();
    }
    const body = hasBody ? await c.req.arrayBuffer() : undefined;
    if (body && body.byteLength > MAX_READ_BODY_BYTES) return tooLarge();
    let upstream: Response;
    try {
      upstream = await fetch(`${base}${incoming.pathname}${incoming.search}`, {
        method: c.req.method,
        headers,
        ...(body ? { body } : {}),
        redirect: "manual",
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      return unreachable(c, error, options);
    }
    options.metrics?.inc("widegate_query_forward_requests_total", { status: String(upstream.status) });
    const out = new Headers();
    for (const name of RESPONSE_HEADERS) {
      const value = upstream.headers.get(name);
      if (value !== null) out.set(name, value);
    }
    return new Response(upstream.body, { status: upstream.status, headers: out });
  };
};

function unreachable(c: Context, error: unknown, options: ForwardReadsOptions): Response {
  const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
  options.metrics?.inc("widegate_query_forward_requests_total", { status: timedOut ? "504" : "502" });
  // The URL itself is not echoed: it may carry credentials (SECRET_NAME treats every *_URL so).
  if (timedOut) {
    return jsonError(
      c,
      504,
      "QUERY_API_TIMEOUT",
      `the query API at QUERY_API_URL did not answer within ${options.timeoutMs} ms (QUERY_API_TIMEOUT_MS)`,
    );
  }
  const why = error instanceof Error ? error.message : String(error);
  return jsonError(c, 502, "QUERY_API_UNREACHABLE", `the query API at QUERY_API_URL could not be reached: ${why}`);
}
