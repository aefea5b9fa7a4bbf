import { Hono } from "hono";
import { utf8Length } from "../../domain/event/utf8.ts";
import { encodeCursor, parseEventFilter } from "../../domain/query/event-filter.ts";
import type { EventPage, EventStore } from "../../ports/event-store.ts";
import { jsonError } from "../errors.ts";
import { apiKeyAuth, type TenantVariables } from "../middleware/api-key.ts";

export interface EventsRouteDeps {
  queryKeys?: ReadonlyMap<string, string>;
  store: EventStore;
  /** Most bytes of events in one answer (default 4 MiB); the rest comes through nextCursor. */
  maxResponseBytes?: number;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/**
 * GET /v1/events?service&route&statusCode&errorCode&from&to&q&limit&cursor → `{events, nextCursor}`,
 * newest first, the caller's tenant only. Every parameter is validated (parseEventFilter) before
 * the store is asked. POST /v1/events (ingest) is another module.
 */
export function eventsRoutes(deps: EventsRouteDeps) {
  const maxBytes = deps.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const auth = apiKeyAuth({ keys: deps.queryKeys, scope: "query" });
  return new Hono<{ Variables: TenantVariables }>().get("/v1/events", auth, async (c) => {
    const parsed = parseEventFilter(new URL(c.req.url).searchParams);
    if (!parsed.ok) return jsonError(c, 400, "INVALID_PARAMETER", parsed.error);
    const page = await deps.store.find(parsed.search, { tenant: c.var.tenant });
    return c.json(capBytes(page, maxBytes));
  });
}

/**
 * Cuts a page at `maxBytes` of events (`limit=200` of 300 KB events would be 60 MB), always keeping
 * at least one event so paging moves on. The cursor of the cut points after the last event sent,
 * the same (time, eventId) position every store's cursor uses.
 */
export function capBytes(page: EventPage, maxBytes: number): EventPage {
  let bytes = 0;
  for (let i = 0; i < page.events.length; i++) {
    const event = page.events[i] as Record<string, unknown>;
    bytes += utf8Length(JSON.stringify(event));
    if (bytes > maxBytes && i > 0) {
      const last = page.events[i - 1] as Record<string, unknown>;
      const cursor = cursorOf(last);
      if (cursor === null) return page;
      return { ...page, events: page.events.slice(0, i), nextCursor: cursor };
    }
  }
  return page;
}

function cursorOf(event: Record<string, unknown>): string | null {
  const id = event.eventId;
  const ts = typeof event.timestamp === "string" ? Date.parse(event.timestamp) : Number.NaN;
  const time = Number.isFinite(ts) ? ts : typeof event.receivedAt === "string" ? Date.parse(event.receivedAt) : Number.NaN;
  return typeof id === "string" && Number.isSafeInteger(time) ? encodeCursor({ ts: time, id }) : null;
}
