import { MAX_SEARCH_LIMIT } from "../domain/query/event-filter.ts";
import { resolveTimeRange } from "../domain/query/stat-query.ts";
import type { SearchFilters } from "../domain/question/types.ts";
import type { EventSearch, EventStore, QueryScope } from "../ports/event-store.ts";

/** Runs a validated plan against the store: StatQuery as is, SEARCH as GET /v1/events filters. */

export const DEFAULT_SEARCH_LIMIT = 20;

export interface SearchHits {
  events: Record<string, unknown>[];
  nextCursor: string | null;
  hasMore: boolean;
}

export function toEventSearch(search: SearchFilters, now: number, limit: number): EventSearch {
  const out: EventSearch = { limit };
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
  const limit = Math.min(search.limit ?? DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT);
  const page = await store.search(toEventSearch(search, scope.now, limit), scope);
  return { events: page.events, nextCursor: page.nextCursor, hasMore: page.nextCursor !== null };
}
