import type { EventStore } from "../ports/event-store.ts";
import type { OutboundEvent } from "../ports/publisher.ts";

export interface StoreWriterOptions {
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

export interface WriteOutcome {
  inserted: number;
  duplicates: number;
  /** Events the store refused while healthy, by index into the written array: they go to the DLQ. */
  rejected: Array<{ index: number; reason: string }>;
  /** The caller aborted before everything was durable: nothing of this batch may be committed. */
  aborted: boolean;
}

/**
 * Writes a batch until it is durable. An error while the store's health probe fails is an outage:
 * wait with exponential backoff and try the whole batch again, for as long as it takes (the caller
 * stops consuming meanwhile). An error while the store answers its probe is about the data: split
 * the batch in halves to find the events it refuses, and give those up after a few tries, so one
 * bad document is never retried forever and never holds back the rest.
 */
export class StoreWriter {
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly store: EventStore,
    private readonly options: StoreWriterOptions = {},
  ) {
    this.minBackoffMs = options.minBackoffMs ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async write(events: readonly OutboundEvent[]): Promise<WriteOutcome> {
    const outcome: WriteOutcome = { inserted: 0, duplicates: 0, rejected: [], aborted: false };
    if (events.length > 0) await this.writeRange(events, 0, outcome);
    return outcome;
  }

  private async writeRange(events: readonly OutboundEvent[], base: number, outcome: WriteOutcome): Promise<void> {
    let backoff = this.minBackoffMs;
    let refusals = 0;
    for (;;) {
      if (this.options.shouldAbort?.()) {
        outcome.aborted = true;
        return;
      }
      let failure: Error;
      try {
        const result = await this.store.insertMany(events);
        // Durable means every event is accounted for; a store that answers less has not written them.
        if (result.inserted + result.duplicates === events.length) {
          outcome.inserted += result.inserted;
          outcome.duplicates += result.duplicates;
          return;
        }
        failure = new Error(`the store acknowledged ${result.inserted + result.duplicates} of ${events.length} events`);
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
        return;
      }
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
