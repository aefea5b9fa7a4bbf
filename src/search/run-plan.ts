import { deriveFields } from "../domain/query/derive.ts";
import { MAX_SEARCH_LIMIT } from "../domain/query/event-search.ts";
import { resolveTimeRange } from "../domain/query/stat-query.ts";
import type { SearchFilters } from "../domain/search/types.ts";
import type { EventSearch, EventStore, QueryScope } from "../ports/event-store.ts";

/** Runs a validated plan against the store: StatQuery as is, SEARCH as GET /v1/events filters. */

export const DEFAULT_SEARCH_LIMIT = 20;
/** Events read when filtering by what EventSearch cannot express (hasError, method). */
const POST_FILTER_WINDOW = MAX_SEARCH_LIMIT;

export interface SearchHits {
  events: Record<string, unknown>[];
  nextCursor: string | null;
  hasMore: boolean;
}

/** The store's own `hasError` test (derived at write time), so SEARCH and STATISTICAL agree. */
export function isErrorEvent(event: Record<string, unknown>): boolean {
  return deriveFields(event).err === 1;
}

export function toEventSearch(search: SearchFilters, now: number, limit: number): EventSearch {
  const out: EventSearch = { limit };
  if (search.service) out.service = search.service;
  if (search.route) out.route = search.route;
  if (search.statusCode !== undefined) out.statusCode = search.statusCode;
  if (search.errorCode) out.errorCode = search.errorCode;
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
  const postFilter = search.hasError === true || search.method !== undefined;
  const page = await store.search(toEventSearch(search, scope.now, postFilter ? POST_FILTER_WINDOW : limit), scope);
  if (!postFilter) return { events: page.events, nextCursor: page.nextCursor, hasMore: page.nextCursor !== null };
  // EventSearch has no hasError/method filter: filter one window here (the cursor would not match these filters).
  const kept = page.events.filter((e) => (!search.hasError || isErrorEvent(e)) && (!search.method || e.method === search.method));
  return { events: kept.slice(0, limit), nextCursor: null, hasMore: kept.length > limit || page.nextCursor !== null };
}
