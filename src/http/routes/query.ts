import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { parseStatQuery } from "../../domain/query/stat-query.ts";
import type { EventStore } from "../../ports/event-store.ts";
import { answerStatQuery } from "../../stats/stat-service.ts";
import { jsonError } from "../errors.ts";
import { apiKeyAuth, type TenantVariables } from "../middleware/api-key.ts";

export interface QueryRouteDeps {
  queryKeys?: ReadonlyMap<string, string>;
  store: EventStore;
}

export const MAX_QUERY_BYTES = 64 * 1024;

/**
 * POST /v1/query: a StatQuery as JSON (≤ 64 KiB) → `{rows, estimated, query}`. The body passes the
 * whitelist (parseStatQuery) before the store sees anything, and the store sees only the caller's
 * tenant. A service or route the store does not hold gives empty rows, not an error.
 */
export function queryRoutes(deps: QueryRouteDeps) {
  return new Hono<{ Variables: TenantVariables }>().post(
    "/v1/query",
    apiKeyAuth({ keys: deps.queryKeys, scope: "query" }),
    bodyLimit({
      maxSize: MAX_QUERY_BYTES,
      onError: (c) => jsonError(c, 413, "PAYLOAD_TOO_LARGE", `a query body is at most ${MAX_QUERY_BYTES} bytes`),
    }),
    async (c) => {
      const type = c.req.header("content-type") ?? "";
      if (!/^application\/json\s*(;|$)/i.test(type)) {
        return jsonError(c, 415, "UNSUPPORTED_MEDIA_TYPE", "send the StatQuery as application/json");
      }
      let body: unknown;
      try {
        body = JSON.parse(await c.req.text());
      } catch {
        return jsonError(c, 400, "INVALID_JSON", "the body is not valid JSON");
      }
      const parsed = parseStatQuery(body);
      if (!parsed.ok) return jsonError(c, 400, "INVALID_QUERY", parsed.error);
      const result = await answerStatQuery(deps.store, parsed.query, { tenant: c.var.tenant });
      return c.json({ rows: result.rows, estimated: result.estimated, source: result.source, range: result.range, query: parsed.query });
    },
  );
}
