import type { EventFilter } from "../domain/query/event-filter.ts";
import type { QueryScope } from "../domain/query/plan.ts";
import type { StatQuery, StatResult } from "../domain/query/stat-query.ts";
import type { RollupDelta, RollupRecord } from "../domain/rollup/rollup.ts";
import type { DistinctField, EventPage, EventStore, InsertResult, RollupApplyResult, RollupRead } from "../ports/event-store.ts";
import type { HealthStatus } from "../ports/health.ts";
import type { OutboundEvent, RecordTexts } from "../ports/publisher.ts";

export const DISTINCT_TTL_MS = 30_000;

/**
 * Any event store, with distinct() answered from a short per-(tenant, field) cache: the search API
 * asks for the enum values on every question, and they change slowly. Concurrent misses share one
 * store call; a failed call is not cached.
 */
export class DistinctCache implements EventStore {
  readonly name: string;
  private readonly cache = new Map<string, { at: number; values: Promise<string[]> }>();

  constructor(
    readonly inner: EventStore,
    private readonly ttlMs = DISTINCT_TTL_MS,
    private readonly clock: () => number = Date.now,
  ) {
    this.name = inner.name;
  }

  distinct(field: DistinctField, scope: QueryScope): Promise<string[]> {
    const key = `${scope.tenant}\u0000${field}`;
    const now = this.clock();
    const hit = this.cache.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.values;
    const values = this.inner.distinct(field, scope);
    this.cache.set(key, { at: now, values });
    values.catch(() => this.cache.delete(key));
    return values;
  }

  insertMany(events: readonly OutboundEvent[], texts?: RecordTexts): Promise<InsertResult> {
    return this.inner.insertMany(events, texts);
  }
  count(): Promise<number> {
    return this.inner.count();
  }
  query(query: StatQuery, scope: QueryScope): Promise<StatResult> {
    return this.inner.query(query, scope);
  }
  applyRollups(deltas: readonly RollupDelta[]): Promise<RollupApplyResult> {
    return this.inner.applyRollups(deltas);
  }
  readRollups(read: RollupRead): Promise<RollupRecord[]> {
    return this.inner.readRollups(read);
  }
  rollupsSince(): Promise<number> {
    return this.inner.rollupsSince();
  }
  find(search: EventFilter, scope: QueryScope): Promise<EventPage> {
    return this.inner.find(search, scope);
  }
  health(): Promise<HealthStatus> {
    return this.inner.health();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
