import { Hono } from "hono";
import { parseEventFilter } from "../../domain/query/event-filter.ts";
import type { EventStore } from "../../ports/event-store.ts";
import { jsonError } from "../errors.ts";
import { apiKeyAuth, type TenantVariables } from "../middleware/api-key.ts";

export interface EventsRouteDeps {
  queryKeys?: ReadonlyMap<string, string>;
  store: EventStore;
}

/**
 * GET /v1/events?service&route&statusCode&errorCode&from&to&q&limit&cursor → `{events, nextCursor}`,
 * newest first, the caller's tenant only. Every parameter is validated (parseEventFilter) before
 * the store is asked. POST /v1/events (ingest) is another module.
 */
export function eventsRoutes(deps: EventsRouteDeps) {
  return new Hono<{ Variables: TenantVariables }>().get("/v1/events", apiKeyAuth({ keys: deps.queryKeys, scope: "query" }), async (c) => {
    const parsed = parseEventFilter(new URL(c.req.url).searchParams);
    if (!parsed.ok) return jsonError(c, 400, "INVALID_PARAMETER", parsed.error);
    const page = await deps.store.find(parsed.search, { tenant: c.var.tenant });
    return c.json(page);
  });
}
