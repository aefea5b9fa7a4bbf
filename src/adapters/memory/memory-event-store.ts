import { bucketStart, type DerivedFields, deriveFields, groupValue } from "../../domain/query/derive.ts";
import { addEvent, finalize, type GroupPartial, partialFor } from "../../domain/query/evaluate.ts";
import { afterCursor, decodeCursor, type EventSearch, encodeCursor, matchesSearch } from "../../domain/query/event-search.ts";
import { matchesPlan, planQuery, type QueryScope } from "../../domain/query/plan.ts";
import type { StatQuery, StatResult } from "../../domain/query/stat-query.ts";
import { DISTINCT_LIMIT, type DistinctField, type EventPage, type EventStore, type InsertResult } from "../../ports/event-store.ts";
import type { HealthStatus } from "../../ports/health.ts";
import type { OutboundEvent } from "../../ports/publisher.ts";

interface Stored {
  tenant: string;
  event: OutboundEvent;
  derived: DerivedFields;
}

/** Events in a Map keyed by tenant and eventId: for tests and throwaway runs (EVENT_STORE=memory). */
export class MemoryEventStore implements EventStore {
  readonly name = "event-store:memory";
  private readonly events = new Map<string, Stored>();

  async insertMany(events: readonly OutboundEvent[]): Promise<InsertResult> {
    let inserted = 0;
    const now = Date.now();
    for (const event of events) {
      const tenant = typeof event.tenant === "string" ? event.tenant : "default";
      const key = `${tenant}:${event.eventId}`;
      if (this.events.has(key)) continue;
      this.events.set(key, { tenant, event, derived: deriveFields(event, now) });
      inserted++;
    }
    return { inserted, duplicates: events.length - inserted };
  }

  async count(): Promise<number> {
    return this.events.size;
  }

  async query(query: StatQuery, scope: QueryScope): Promise<StatResult> {
    const plan = planQuery(query, scope);
    const groups = new Map<string, GroupPartial>();
    for (const { tenant, event, derived } of this.events.values()) {
      if (!matchesPlan(plan, tenant, event, derived)) continue;
      const keys = plan.groupBy.map((field) => groupValue(event, derived, field));
      const bucket = plan.bucket ? bucketStart(derived.ts, plan.bucket) : null;
      addEvent(plan, partialFor(groups, keys, bucket), derived);
    }
    return finalize(plan, groups.values());
  }

  async search(search: EventSearch, scope: QueryScope): Promise<EventPage> {
    const cursor = search.cursor ? decodeCursor(search.cursor) : null;
    const hits: Stored[] = [];
    for (const stored of this.events.values()) {
      if (stored.tenant !== scope.tenant || !matchesSearch(search, stored.event, stored.derived)) continue;
      if (afterCursor(cursor, stored.derived.ts, stored.event.eventId)) hits.push(stored);
    }
    hits.sort(
      (a, b) => b.derived.ts - a.derived.ts || (a.event.eventId < b.event.eventId ? 1 : a.event.eventId > b.event.eventId ? -1 : 0),
    );
    const page = hits.slice(0, search.limit);
    const last = page[page.length - 1];
    const more = hits.length > search.limit && last !== undefined;
    return {
      events: page.map((s) => ({ ...s.event })),
      nextCursor: more ? encodeCursor({ ts: last.derived.ts, id: last.event.eventId }) : null,
    };
  }

  async distinct(field: DistinctField, scope: QueryScope): Promise<string[]> {
    const values = new Set<string>();
    for (const { tenant, event, derived } of this.events.values()) {
      if (tenant !== scope.tenant) continue;
      const value = groupValue(event, derived, field);
      if (typeof value === "string") values.add(value);
    }
    return [...values].sort().slice(0, DISTINCT_LIMIT);
  }

  async health(): Promise<HealthStatus> {
    return { ok: true, detail: `${this.events.size} events` };
  }

  async close(): Promise<void> {}
}
