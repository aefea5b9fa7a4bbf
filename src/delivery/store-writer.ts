import { isRollupDelta } from "../domain/rollup/rollup.ts";
import type { MetricsRegistry } from "../metrics/registry.ts";
import type { EventStore } from "../ports/event-store.ts";
import type { OutboundEvent, OutboundRecord, RecordTexts, RollupDelta } from "../ports/publisher.ts";

/** What one write accounted for: events inserted or already there, deltas applied or already applied. */
export interface WriteCounts {
  inserted: number;
  duplicates: number;
  rollupsApplied: number;
  rollupDuplicates: number;
}

export interface StoreWriterOptions {
  /** Which writer this is in the metrics: worker, embedded or direct. */
  path?: string;
  metrics?: MetricsRegistry;
  /** True once the caller gives up (a forced shutdown): the write in progress ends unfinished. */
  shouldAbort?: () => boolean;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** A health probe slower than this counts as an outage (default 3 s). */
  healthTimeoutMs?: number;
  /** Tries of a single event the healthy store keeps refusing before it is given up (default 3). */
  singleEventAttempts?: number;
  /** Called before each wait: the store is down (outage) or refuses one event. */
  onRetry?: (info: { error: Error; backoffMs: number; outage: boolean }) => void;
  sleep?: (ms: number) => Promise<void>;
}

export interface WriteOutcome extends WriteCounts {
  /** Events the store refused while healthy, by index into the written array: they go to the DLQ. */
  rejected: Array<{ index: number; reason: string }>;
  /** The caller aborted before everything was durable: nothing of this batch may be committed. */
  aborted: boolean;
}

/** Declares the store-write metrics so a scrape shows them (at 0) before the first write. */
export function defineStoreWriteMetrics(metrics: MetricsRegistry): void {
  metrics.define(
    "widegate_store_write_events_total",
    "counter",
    "Events written to the event store, by writer path and result: stored, duplicate (already stored), refused (given up)",
  );
  metrics.define(
    "widegate_rollup_deltas_total",
    "counter",
    "Rollup deltas written to the store, by writer path and result: applied, duplicate (already applied)",
  );
  metrics.define("widegate_store_write_retries_total", "counter", "Store writes retried, by writer path: outage (store down) or refused");
}

/**
 * The one road from "batch accepted" to "store acknowledged", shared by the Kafka worker, the
 * all-in-one server's embedded consumer and PUBLISHER=direct. A write is durable only when the
 * store accounts for every event (inserted or already there).
 *
 * `write` keeps going until the batch is durable. An error while the store's health probe fails is an outage:
 * wait with exponential backoff and try the whole batch again, for as long as it takes (the caller
 * stops consuming meanwhile). An error while the store answers its probe is about the data: split
 * the batch in halves to find the events it refuses, and give those up after a few tries, so one
 * bad document is never retried forever and never holds back the rest.
 */
export class StoreWriter {
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  private readonly path: string;

  constructor(
    private readonly store: EventStore,
    private readonly options: StoreWriterOptions = {},
  ) {
    this.minBackoffMs = options.minBackoffMs ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.path = options.path ?? "worker";
    if (options.metrics) defineStoreWriteMetrics(options.metrics);
  }

  /**
   * One attempt: resolves when every event is stored or already there and every rollup delta is
   * applied or already applied; rejects otherwise (the caller keeps the batch).
   */
  async writeOnce(records: readonly OutboundRecord[], texts?: RecordTexts): Promise<WriteCounts> {
    const events: OutboundEvent[] = [];
    const eventTexts: (string | undefined)[] | undefined = texts === undefined ? undefined : [];
    const deltas: RollupDelta[] = [];
    for (let i = 0; i < records.length; i++) {
      const record = records[i] as OutboundRecord;
      if (isRollupDelta(record)) deltas.push(record);
      else {
        events.push(record);
        eventTexts?.push(texts?.[i]);
      }
    }
    const counts: WriteCounts = { inserted: 0, duplicates: 0, rollupsApplied: 0, rollupDuplicates: 0 };
    if (events.length > 0) {
      const result = await this.store.insertMany(events, eventTexts);
      if (result.inserted + result.duplicates !== events.length) {
        throw new Error(`the store acknowledged ${result.inserted + result.duplicates} of ${events.length} events`);
      }
      this.count("stored", result.inserted);
      this.count("duplicate", result.duplicates);
      counts.inserted = result.inserted;
      counts.duplicates = result.duplicates;
    }
    if (deltas.length > 0) {
      const result = await this.store.applyRollups(deltas);
      if (result.applied + result.duplicates !== deltas.length) {
        throw new Error(`the store acknowledged ${result.applied + result.duplicates} of ${deltas.length} rollup deltas`);
      }
      const metrics = this.options.metrics;
      if (result.applied > 0) metrics?.inc("widegate_rollup_deltas_total", { path: this.path, result: "applied" }, result.applied);
      if (result.duplicates > 0) metrics?.inc("widegate_rollup_deltas_total", { path: this.path, result: "duplicate" }, result.duplicates);
      counts.rollupsApplied = result.applied;
      counts.rollupDuplicates = result.duplicates;
    }
    return counts;
  }

  private count(result: "stored" | "duplicate" | "refused", n: number): void {
    if (n > 0) this.options.metrics?.inc("widegate_store_write_events_total", { path: this.path, result }, n);
  }

  async write(events: readonly OutboundRecord[]): Promise<WriteOutcome> {
    const outcome: WriteOutcome = { inserted: 0, duplicates: 0, rollupsApplied: 0, rollupDuplicates: 0, rejected: [], aborted: false };
    if (events.length > 0) await this.writeRange(events, 0, outcome);
    return outcome;
  }

  private async writeRange(events: readonly OutboundRecord[], base: number, outcome: WriteOutcome): Promise<void> {
    let backoff = this.minBackoffMs;
    let refusals = 0;
    for (;;) {
      if (this.options.shouldAbort?.()) {
        outcome.aborted = true;
        return;
      }
      let failure: Error;
      try {
        const result = await this.writeOnce(events);
        outcome.inserted += result.inserted;
        outcome.duplicates += result.duplicates;
        outcome.rollupsApplied += result.rollupsApplied;
        outcome.rollupDuplicates += result.rollupDuplicates;
        return;
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
      }
      const outage = !(await this.healthy());
      if (!outage && events.length > 1) {
        // ordered:false already wrote the good ones; rewriting a half counts them as duplicates.
        const half = Math.ceil(events.length / 2);
        await this.writeRange(events.slice(0, half), base, outcome);
        if (!outcome.aborted) await this.writeRange(events.slice(half), base + half, outcome);
        return;
      }
      if (!outage && ++refusals >= (this.options.singleEventAttempts ?? 3)) {
        outcome.rejected.push({ index: base, reason: `store refused the event: ${failure.message.slice(0, 300)}` });
        this.count("refused", 1);
        return;
      }
      this.options.metrics?.inc("widegate_store_write_retries_total", { path: this.path, kind: outage ? "outage" : "refused" });
      this.options.onRetry?.({ error: failure, backoffMs: backoff, outage });
      await this.sleep(backoff);
      backoff = Math.min(this.maxBackoffMs, backoff * 2);
    }
  }

  private async healthy(): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.options.healthTimeoutMs ?? 3000);
    });
    try {
      return await Promise.race([this.store.health().then((s) => s.ok), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
