import type { EventFilter } from "../domain/query/event-filter.ts";
import type { QueryScope } from "../domain/query/plan.ts";
import type { StatQuery, StatResult } from "../domain/query/stat-query.ts";
import type { Lifecycle } from "./health.ts";
import type { OutboundEvent } from "./publisher.ts";

export type { EventFilter } from "../domain/query/event-filter.ts";
export type { QueryScope } from "../domain/query/plan.ts";

export interface InsertResult {
  inserted: number;
  /** Events whose (tenant, eventId) was already stored: a retry or a redelivery, not an error. */
  duplicates: number;
}

export interface EventPage {
  /** Events as stored (as sent, plus the gateway's fields), newest first. */
  events: Record<string, unknown>[];
  nextCursor: string | null;
}

export type DistinctField = "service" | "route" | "errorCode";

/**
 * Durable home of kept events. Writes are idempotent by (tenant, eventId): the eventId does not
 * include the tenant, so two tenants may send the same one. Reads are confined to `scope.tenant`.
 */
export interface EventStore extends Lifecycle {
  insertMany(events: readonly OutboundEvent[]): Promise<InsertResult>;
  /** All stored events, every tenant. */
  count(): Promise<number>;
  /** Runs a validated StatQuery; counts and rates weighted by 1/sampling.rate. */
  query(query: StatQuery, scope: QueryScope): Promise<StatResult>;
  /** Newest first; `search` validated by parseEventFilter. */
  find(search: EventFilter, scope: QueryScope): Promise<EventPage>;
  /** Values the tenant's events hold, sorted, at most DISTINCT_LIMIT. */
  distinct(field: DistinctField, scope: QueryScope): Promise<string[]>;
}

export const DISTINCT_LIMIT = 1000;
