// Bun-only (TCP driver): reached through the Bun runtime's module table, never from the Workers bundle.
import { type Collection, type Document, MongoBulkWriteError, MongoClient, type MongoClientOptions } from "mongodb";
import { finalize, type GroupPartial } from "../../domain/query/evaluate.ts";
import { decodeCursor, type EventFilter, encodeCursor } from "../../domain/query/event-filter.ts";
import { planQuery, type QueryScope } from "../../domain/query/plan.ts";
import type { StatQuery, StatResult } from "../../domain/query/stat-query.ts";
import type { RollupDelta, RollupRecord } from "../../domain/rollup/rollup.ts";
import { defaultLogger, type Logger } from "../../log/logger.ts";
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
import type { OutboundEvent } from "../../ports/publisher.ts";
import { type Capabilities, FIELD_PATH, needsRefine, PORTABLE, readRows, refineHistogram, statPasses } from "./mongo-aggregation.ts";
import { detectCapabilities } from "./mongo-capabilities.ts";
import { eventIdOf, fromDocument, type StoredDocument, toDocument } from "./mongo-document.ts";
import { ensureRetention, pruneExpired, type RetentionOptions } from "./mongo-retention.ts";
import { MongoRollups, type StoredRollup } from "./mongo-rollups.ts";

export interface MongoEventStoreOptions {
  uri: string;
  db: string;
  collection: string;
  retentionDays: number;
  /** Overrides retentionDays (tests). */
  retentionMs?: number;
  /** Where the server has no TTL index: how often to delete expired events (default 10 min); 0: never, another process does. */
  pruneIntervalMs?: number;
  /** Collection of the rollup versions, `<it>.heads` beside it (default `<collection>.rollups`; the factory passes MONGODB_ROLLUP_COLLECTION). */
  rollupCollection?: string;
  /** Days rollup rows are kept (default 400). */
  rollupRetentionDays?: number;
  /** Overrides rollupRetentionDays (tests). */
  rollupRetentionMs?: number;
  /** Rollup versions partitioned by period; probed from the server when left out (tests set it). */
  rollupPartition?: boolean;
  /** Passed to MongoClient (TLS, pool size, command monitoring in tests). */
  clientOptions?: MongoClientOptions;
  log?: Logger;
}

const INDEXES: Array<{ key: Document; name: string }> = [
  { key: { tenant: 1, "_q.ts": -1, _id: -1 }, name: "tenant_ts" },
  { key: { tenant: 1, service: 1, "_q.ts": -1 }, name: "tenant_service_ts" },
  { key: { tenant: 1, route: 1, "_q.ts": -1 }, name: "tenant_route_ts" },
  { key: { tenant: 1, statusCode: 1, "_q.ts": -1 }, name: "tenant_status_ts" },
  { key: { tenant: 1, "_q.ec": 1, "_q.ts": -1 }, name: "tenant_error_code_ts" },
];

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");

/** MongoDB (or FerretDB) event store. Call init() once before use: indexes, retention, capabilities. */
export class MongoEventStore implements EventStore {
  readonly name = "event-store:mongo";
  readonly client: MongoClient;
  readonly collection: Collection<StoredDocument>;
  capabilities: Capabilities = PORTABLE;
  retention: "ttl" | "prune" | "none" = "none";
  rollupRetention: "ttl" | "prune" | "none" = "none";
  readonly rollups: MongoRollups;
  private readonly retentionOptions: RetentionOptions;
  private pruneTimer: ReturnType<typeof setInterval> | undefined;

  constructor(options: MongoEventStoreOptions) {
    this.client = new MongoClient(options.uri, { serverSelectionTimeoutMS: 10_000, ...options.clientOptions });
    const db = this.client.db(options.db);
    this.collection = db.collection<StoredDocument>(options.collection);
    this.retentionOptions = {
      retentionMs: options.retentionMs ?? options.retentionDays * 86_400_000,
      intervalMs: options.pruneIntervalMs ?? 600_000,
      ...(options.log ? { log: options.log } : {}),
    };
    // The factory passes MONGODB_ROLLUP_COLLECTION; a store built directly (tests, benchmarks) keeps
    // its rollups beside its own events, so two such stores never share rows or the "since" record.
    const rollups = options.rollupCollection ?? `${options.collection}.rollups`;
    const heads = db.collection<StoredRollup>(`${rollups}.heads`);
    this.rollups = new MongoRollups(
      db.collection<StoredRollup>(rollups),
      heads,
      db.collection(options.collection),
      {
        ...this.retentionOptions,
        retentionMs: options.rollupRetentionMs ?? (options.rollupRetentionDays ?? 400) * 86_400_000,
      },
      options.rollupPartition === undefined ? {} : { partition: options.rollupPartition },
    );
  }

  async init(): Promise<void> {
    await this.client.connect();
    for (const index of INDEXES) await this.collection.createIndex(index.key, { name: index.name });
    this.retention = await ensureRetention(this.collection, this.retentionOptions);
    this.rollupRetention = await this.rollups.init();
    if ((this.retention === "prune" || this.rollupRetention === "prune") && (this.retentionOptions.intervalMs ?? 1) > 0) {
      const warn = (e: unknown) =>
        (this.retentionOptions.log ?? defaultLogger).warn(`event-store:mongo: prune failed: ${(e as Error).message}`);
      const prune = () => {
        if (this.retention === "prune") void this.pruneExpired().catch(warn);
        if (this.rollupRetention === "prune") void this.rollups.pruneExpired().catch(warn);
      };
      prune();
      this.pruneTimer = setInterval(prune, this.retentionOptions.intervalMs);
      this.pruneTimer.unref?.();
    }
    this.capabilities = await detectCapabilities(this.collection);
  }

  pruneExpired(now = Date.now()): Promise<number> {
    return pruneExpired(this.collection, this.retentionOptions, now);
  }

  async insertMany(events: readonly OutboundEvent[]): Promise<InsertResult> {
    if (events.length === 0) return { inserted: 0, duplicates: 0 };
    const now = Date.now();
    try {
      const result = await this.collection.insertMany(
        events.map((e) => toDocument(e, now)),
        { ordered: false },
      );
      return { inserted: result.insertedCount, duplicates: 0 };
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError)) throw error;
      const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
      const others = writeErrors.filter((w) => w.code !== 11000);
      // ordered:false wrote everything else; a retry of this batch counts those as duplicates.
      if (others.length > 0) throw error;
      const inserted = error.result.insertedCount;
      // An unreachable server also raises a bulk error, with no write errors and nothing inserted:
      // only a batch whose every event is inserted or a duplicate counts as stored.
      if (inserted + writeErrors.length !== events.length) throw error;
      return { inserted, duplicates: writeErrors.length };
    }
  }

  async count(): Promise<number> {
    return this.collection.countDocuments({});
  }

  async query(query: StatQuery, scope: QueryScope): Promise<StatResult> {
    const plan = planQuery(query, scope);
    const partials = new Map<string, GroupPartial>();
    const passes = statPasses(plan, this.capabilities);
    const outputs = await Promise.all(passes.map((pass) => this.collection.aggregate(pass.pipeline).toArray()));
    passes.forEach((pass, i) => {
      readRows(plan, pass, outputs[i] ?? [], partials);
    });
    if (needsRefine(plan, this.capabilities)) {
      await refineHistogram(plan, this.capabilities, partials, (pipeline) => this.collection.aggregate(pipeline).toArray());
    }
    return finalize(plan, partials.values());
  }

  async find(search: EventFilter, scope: QueryScope): Promise<EventPage> {
    const filter: Document = { tenant: scope.tenant };
    if (search.service !== undefined) filter.service = search.service;
    if (search.route !== undefined) filter.route = search.route;
    if (search.statusCode !== undefined) filter.statusCode = search.statusCode;
    if (search.errorCode !== undefined) filter["_q.ec"] = search.errorCode;
    if (search.hasError !== undefined) filter["_q.err"] = search.hasError ? 1 : 0;
    if (search.method !== undefined) filter.method = search.method;
    if (search.from !== undefined || search.to !== undefined) {
      const range: Document = {};
      if (search.from !== undefined) range.$gte = new Date(search.from);
      if (search.to !== undefined) range.$lt = new Date(search.to);
      filter["_q.ts"] = range;
    }
    // The text is escaped into a literal: the caller's q is never a pattern.
    if (search.q !== undefined) filter["_q.txt"] = { $regex: escapeRegex(search.q.toLowerCase()) };
    const cursor = search.cursor ? decodeCursor(search.cursor) : null;
    if (cursor) {
      const at = new Date(cursor.ts);
      filter.$or = [{ "_q.ts": { $lt: at } }, { "_q.ts": at, _id: { $lt: `${scope.tenant}:${cursor.id}` } }];
    }
    const docs = await this.collection
      .find(filter)
      .sort({ "_q.ts": -1, _id: -1 })
      .limit(search.limit + 1)
      .toArray();
    const page = docs.slice(0, search.limit);
    const last = page[page.length - 1];
    const lastTs = last?._q?.ts;
    return {
      events: page.map(fromDocument),
      nextCursor:
        docs.length > search.limit && last && lastTs instanceof Date
          ? encodeCursor({ ts: lastTs.getTime(), id: eventIdOf(String(last._id)) })
          : null,
    };
  }

  async distinct(field: DistinctField, scope: QueryScope): Promise<string[]> {
    const values = await this.collection.distinct(FIELD_PATH[field], { tenant: scope.tenant });
    return values
      .filter((v): v is string => typeof v === "string")
      .sort()
      .slice(0, DISTINCT_LIMIT);
  }

  applyRollups(deltas: readonly RollupDelta[]): Promise<RollupApplyResult> {
    return this.rollups.applyRollups(deltas);
  }

  readRollups(read: RollupRead): Promise<RollupRecord[]> {
    return this.rollups.readRollups(read);
  }

  rollupsSince(): Promise<number> {
    return this.rollups.rollupsSince();
  }

  async health(): Promise<HealthStatus> {
    const started = performance.now();
    try {
      await this.client.db("admin").command({ ping: 1 });
      return { ok: true, detail: `${Math.round(performance.now() - started)} ms, retention=${this.retention}` };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  }

  async close(): Promise<void> {
    clearInterval(this.pruneTimer);
    await this.client.close();
  }
}
