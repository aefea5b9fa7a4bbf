import type { EventFilter } from "../domain/query/event-filter.ts";
import type { QueryScope } from "../domain/query/plan.ts";
import type { StatQuery, StatResult } from "../domain/query/stat-query.ts";
import type { DimSet } from "../domain/rollup/dimension-sets.ts";
import type { Resolution, RollupDelta, RollupRecord } from "../domain/rollup/rollup.ts";
import type { Lifecycle } from "./health.ts";
import type { OutboundEvent, RecordTexts } from "./publisher.ts";

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
  /** Set when the page is partial for a reason other than its limit (e.g. SCAN_LIMIT: a `q` search stopped after its row budget). */
  warnings?: Array<{ code: string; message: string }>;
}

export interface RollupApplyResult {
  /** Deltas added to the totals by this call. */
  applied: number;
  /** Deltas this store had already applied (a redelivery or a replay): skipped, not an error. */
  duplicates: number;
}

/** One tenant's stored rollup rows of one dimension set and resolution whose start lies in [from, to). */
export interface RollupRead {
  tenant: string;
  resolution: Resolution;
  from: number;
  to: number;
  /** Index into DIMENSION_SETS; every dimension (FULL_SET) when left out. */
  set?: DimSet;
  /** Whether rows carry their duration bins (percentiles need them; nothing else does). Default true. */
  bins?: boolean;
  /**
   * Narrowing hints a store may apply to read less: only rows of this service, of this error flag.
   * The caller filters again, so a store that ignores them is still right.
   */
  service?: string;
  error?: 0 | 1;
}

export type DistinctField = "service" | "route" | "errorCode";

/**
 * Durable home of kept events. Writes are idempotent by (tenant, eventId): the eventId does not
 * include the tenant, so two tenants may send the same one. Reads are confined to `scope.tenant`.
 */
export interface EventStore extends Lifecycle {
  /** `texts`: the events' JSON where the caller has it (RecordTexts); stores that keep text use it. */
  insertMany(events: readonly OutboundEvent[], texts?: RecordTexts): Promise<InsertResult>;
  /** All stored events, every tenant. */
  count(): Promise<number>;
  /** Runs a validated StatQuery; counts and rates weighted by 1/sampling.rate. */
  query(query: StatQuery, scope: QueryScope): Promise<StatResult>;
  /** Newest first; `search` validated by parseEventFilter. */
  find(search: EventFilter, scope: QueryScope): Promise<EventPage>;
  /** Values the tenant's events hold, sorted, at most DISTINCT_LIMIT. */
  distinct(field: DistinctField, scope: QueryScope): Promise<string[]>;
  /**
   * Adds deltas to the minute, hour and day rows of every dimension set, each delta exactly once per store however often it
   * arrives, and however many writers apply it at the same time. Resolves once all are durable.
   */
  applyRollups(deltas: readonly RollupDelta[]): Promise<RollupApplyResult>;
  /** Stored rows, any order; hour and day rows include every minute applied so far. */
  readRollups(read: RollupRead): Promise<RollupRecord[]>;
  /**
   * Epoch ms from which rollups count every stored event: 0 when the store held no events when its
   * rollups began, else the time they began (older ranges are answered from events).
   */
  rollupsSince(): Promise<number>;
}

export const DISTINCT_LIMIT = 1000;
