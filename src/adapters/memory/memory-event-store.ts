import { bucketStart, type DerivedFields, deriveFields, groupValue } from "../../domain/query/derive.ts";
import { addEvent, finalize, type GroupPartial, partialFor } from "../../domain/query/evaluate.ts";
import { afterCursor, decodeCursor, type EventFilter, encodeCursor, matchesSearch } from "../../domain/query/event-filter.ts";
import { groupKeyValue, matchesPlan, measureOf, planQuery, type QueryScope, usesOnlyDimensions } from "../../domain/query/plan.ts";
import type { StatQuery, StatResult } from "../../domain/query/stat-query.ts";
import type { RollupDelta, RollupRecord } from "../../domain/rollup/rollup.ts";
import {
  DISTINCT_LIMIT,
  type DistinctField,
  type EventPage,
  type EventStore,
  type InsertResult,
  type RollupApplyResult,
  type RollupRead,
} from "../../ports/event-store.ts";
import type { HealthStatus } from "../../ports/health.ts";
import { type OutboundEvent, type RecordTexts, recordText } from "../../ports/publisher.ts";
import { MemoryRollups } from "./memory-rollups.ts";

interface Stored {
  tenant: string;
  eventId: string;
  /** The event as JSON text: a copy the caller cannot change later, and one string for the GC instead of a graph of objects. */
  text: string;
  /** The only event fields queries read (group-by values); everything else they need is derived. */
  head: Record<string, unknown>;
  derived: DerivedFields;
}

/**
 * Events in a Map keyed by tenant and eventId: for tests and throwaway runs (EVENT_STORE=memory).
 * Held as text, as a real store would: a run holding 180k events as objects spent ~20% of the
 * all-in-one server's time in the GC tracing them (see BENCHMARKS.md, Ingest).
 */
export class MemoryEventStore implements EventStore {
  readonly name = "event-store:memory";
  private readonly events = new Map<string, Stored>();
  private readonly rollups = new MemoryRollups();

  async insertMany(events: readonly OutboundEvent[], texts?: RecordTexts): Promise<InsertResult> {
    let inserted = 0;
    const now = Date.now();
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as OutboundEvent;
      const tenant = typeof event.tenant === "string" ? event.tenant : "default";
      const key = `${tenant}:${event.eventId}`;
      if (this.events.has(key)) continue;
      const head = { service: event.service, route: event.route, statusCode: event.statusCode, method: event.method };
      this.events.set(key, { tenant, eventId: event.eventId, text: recordText(event, texts, i), head, derived: deriveFields(event, now) });
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
    // attr: filters, groups and fields read the whole event; the rest only its head.
    const whole = !usesOnlyDimensions(plan) || plan.filter.durationMs !== undefined;
    for (const { tenant, head, text, derived } of this.events.values()) {
      if (tenant !== plan.tenant) continue;
      const event = whole ? (JSON.parse(text) as Record<string, unknown>) : head;
      if (!matchesPlan(plan, tenant, event, derived)) continue;
      const keys = plan.groupBy.map((key) => groupKeyValue(event, derived, key));
      const bucket = plan.bucket ? bucketStart(derived.ts, plan.bucket) : null;
      addEvent(plan, partialFor(groups, keys, bucket), derived, measureOf(plan, event, derived));
    }
    return finalize(plan, groups.values());
  }

  async find(search: EventFilter, scope: QueryScope): Promise<EventPage> {
    const cursor = search.cursor ? decodeCursor(search.cursor) : null;
    const hits: Stored[] = [];
    for (const stored of this.events.values()) {
      if (stored.tenant !== scope.tenant || !matchesSearch(search, stored.head, stored.derived)) continue;
      if (afterCursor(cursor, stored.derived.ts, stored.eventId)) hits.push(stored);
    }
    hits.sort((a, b) => b.derived.ts - a.derived.ts || (a.eventId < b.eventId ? 1 : a.eventId > b.eventId ? -1 : 0));
    const page = hits.slice(0, search.limit);
    const last = page[page.length - 1];
    const more = hits.length > search.limit && last !== undefined;
    return {
      events: page.map((s) => JSON.parse(s.text) as OutboundEvent),
      nextCursor: more ? encodeCursor({ ts: last.derived.ts, id: last.eventId }) : null,
    };
  }

  async distinct(field: DistinctField, scope: QueryScope): Promise<string[]> {
    const values = new Set<string>();
    for (const { tenant, head, derived } of this.events.values()) {
      if (tenant !== scope.tenant) continue;
      const value = groupValue(head, derived, field);
      if (typeof value === "string") values.add(value);
    }
    return [...values].sort().slice(0, DISTINCT_LIMIT);
  }

  async applyRollups(deltas: readonly RollupDelta[]): Promise<RollupApplyResult> {
    return this.rollups.applyRollups(deltas);
  }

  async readRollups(read: RollupRead): Promise<RollupRecord[]> {
    return this.rollups.readRollups(read);
  }

  /** 0: a memory store starts empty, so its rollups have counted every event it holds. */
  async rollupsSince(): Promise<number> {
    return 0;
  }

  async health(): Promise<HealthStatus> {
    return { ok: true, detail: `${this.events.size} events` };
  }

  async close(): Promise<void> {}
}
