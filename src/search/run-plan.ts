import { MAX_EVENTS_PAGE } from "../domain/query/event-filter.ts";
import { resolveTimeRange } from "../domain/query/stat-query.ts";
import type { SearchFilters } from "../domain/question/types.ts";
import type { EventFilter, EventStore, QueryScope } from "../ports/event-store.ts";

/** Runs a validated plan against the store: BasicStatQuery as is, SEARCH as GET /v1/events filters. */

/** Events a SEARCH answer shows (GET /v1/events pages default to DEFAULT_EVENTS_PAGE). */
export const EVENTS_PER_ANSWER = 20;

export interface SearchHits {
  events: Record<string, unknown>[];
  nextCursor: string | null;
  hasMore: boolean;
}

export function toEventFilter(search: SearchFilters, now: number, limit: number): EventFilter {
  const out: EventFilter = { limit };
  if (search.service) out.service = search.service;
  if (search.route) out.route = search.route;
  if (search.statusCode !== undefined) out.statusCode = search.statusCode;
  if (search.errorCode) out.errorCode = search.errorCode;
  // The store's own write-time error test, so SEARCH and STATISTICAL agree on what an error is.
  if (search.hasError === true) out.hasError = true;
  if (search.method) out.method = search.method;
  if (search.text) out.q = search.text;
  if (search.timeRange) {
    const { from, to } = resolveTimeRange(search.timeRange, now);
    out.from = from;
    out.to = to;
  }
  return out;
}

export async function runSearch(store: EventStore, search: SearchFilters, scope: Required<QueryScope>): Promise<SearchHits> {
  const limit = Math.min(search.limit ?? EVENTS_PER_ANSWER, MAX_EVENTS_PAGE);
  const page = await store.find(toEventFilter(search, scope.now, limit), scope);
  return { events: page.events, nextCursor: page.nextCursor, hasMore: page.nextCursor !== null };
}
