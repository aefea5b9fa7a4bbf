import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import { parseConfig } from "../../src/config/schema.ts";
import type { EventFilter } from "../../src/domain/query/event-filter.ts";
import type { StatQuery, StatResult } from "../../src/domain/query/stat-query.ts";
import type { RollupDelta, RollupRecord } from "../../src/domain/rollup/rollup.ts";
import { createAdapters } from "../../src/factory/create-adapters.ts";
import { eventsRoutes } from "../../src/http/routes/events.ts";
import { metricsRoutes } from "../../src/http/routes/metrics.ts";
import { queryRoutes } from "../../src/http/routes/query.ts";
import { searchRoutes } from "../../src/http/routes/search.ts";
import { MetricsRegistry } from "../../src/metrics/registry.ts";
import type { Adapters } from "../../src/ports/adapters.ts";
import type {
  DistinctField,
  EventPage,
  EventStore,
  InsertResult,
  QueryScope,
  RollupApplyResult,
  RollupRead,
} from "../../src/ports/event-store.ts";
import type { HealthStatus } from "../../src/ports/health.ts";
import type { OutboundEvent } from "../../src/ports/publisher.ts";
import type { SessionCache } from "../../src/ports/session-cache.ts";
import { bunModules } from "../../src/runtime/bun/modules.ts";
import { seedStore } from "../support/seed-rollups.ts";

export const KEY = "search-test-key";
export const TENANT = "acme";

/** The real store, with a log of what reached it: tests check that hostile replies never do. */
export class RecordingStore implements EventStore {
  readonly name: string;
  readonly queries: StatQuery[] = [];
  readonly searches: EventFilter[] = [];
  readonly rollupReads: RollupRead[] = [];
  calls = 0;
  constructor(readonly inner: EventStore) {
    this.name = inner.name;
  }
  insertMany(events: readonly OutboundEvent[]): Promise<InsertResult> {
    return this.inner.insertMany(events);
  }
  count(): Promise<number> {
    return this.inner.count();
  }
  query(query: StatQuery, scope: QueryScope): Promise<StatResult> {
    this.calls++;
    this.queries.push(structuredClone(query));
    return this.inner.query(query, scope);
  }
  find(search: EventFilter, scope: QueryScope): Promise<EventPage> {
    this.calls++;
    this.searches.push({ ...search });
    return this.inner.find(search, scope);
  }
  distinct(field: DistinctField, scope: QueryScope): Promise<string[]> {
    this.calls++;
    return this.inner.distinct(field, scope);
  }
  applyRollups(deltas: readonly RollupDelta[]): Promise<RollupApplyResult> {
    return this.inner.applyRollups(deltas);
  }
  readRollups(read: RollupRead): Promise<RollupRecord[]> {
    this.calls++;
    this.rollupReads.push({ ...read });
    return this.inner.readRollups(read);
  }
  rollupsSince(): Promise<number> {
    return this.inner.rollupsSince();
  }
  health(): Promise<HealthStatus> {
    return this.inner.health();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

export interface SearchHarness {
  adapters: Adapters;
  store: RecordingStore;
  metrics: MetricsRegistry;
  request(path: string, init?: RequestInit): Promise<Response>;
  /** POST /v1/search with the test key; the parsed JSON and the status. */
  ask(question: string, sessionId?: string): Promise<{ status: number; body: Record<string, unknown> & { answer?: string } }>;
  close(): Promise<void>;
}

/**
 * The search, query and events routes over adapters built by the real factory (embedded store by
 * default) and a pinned clock. `sessionCache` replaces the factory's when a test needs its own.
 */
export async function startSearchApp(
  options: { env?: Record<string, string>; events?: OutboundEvent[]; clock?: () => number; sessionCache?: SessionCache } = {},
): Promise<SearchHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), "widegate-search-"));
  const config = parseConfig({ EVENT_STORE: "embedded", DATA_DIR: dataDir, QUERY_API_KEYS: `${KEY}:${TENANT}`, ...options.env });
  const built = await createAdapters(config, bunModules);
  const store = new RecordingStore(built.eventStore);
  const adapters: Adapters = { ...built, eventStore: store, sessionCache: options.sessionCache ?? built.sessionCache };
  if (options.events) await seedStore(store, options.events);
  const metrics = new MetricsRegistry();
  const queryKeys = config.QUERY_API_KEYS;
  const app = new Hono()
    .route("/", searchRoutes({ config, adapters, metrics, clock: options.clock }))
    .route("/", queryRoutes({ queryKeys, store }))
    .route("/", eventsRoutes({ queryKeys, store }))
    .route("/", metricsRoutes(metrics));
  const request = async (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (!headers.has("authorization")) headers.set("authorization", `Bearer ${KEY}`);
    return app.request(path, { ...init, headers });
  };
  return {
    adapters,
    store,
    metrics,
    request,
    async ask(question, sessionId) {
      const response = await request("/v1/search", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(sessionId ? { question, sessionId } : { question }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> & { answer?: string } };
    },
    async close() {
      for (const component of [...built.all, adapters.sessionCache]) await component.close().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
