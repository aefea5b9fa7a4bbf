import { StoreWriter, type StoreWriterOptions } from "../delivery/store-writer.ts";
import type { EventStore } from "../ports/event-store.ts";
import type { OutboundRecord } from "../ports/publisher.ts";
import { decodeEvent } from "./decode.ts";
import { type CommitOffset, type DeadLetter, type DeadLetterSink, offsetsToCommit, type SourceMessage } from "./messages.ts";

export interface BatchOutcome {
  stored: number;
  duplicates: number;
  deadLettered: number;
  /** Safe to commit: every message up to these offsets is in the store or in the DLQ. Empty when aborted. */
  offsets: CommitOffset[];
  aborted: boolean;
}

export interface BatchProcessorOptions extends StoreWriterOptions {
  onDeadLetterRetry?: (info: { error: Error; backoffMs: number }) => void;
}

/**
 * One batch from the events topic to durable state: decode every message, write the valid events
 * (idempotent by eventId), send what can never be stored to the DLQ with its reason and original
 * bytes, and only then name the offsets that may be committed.
 */
export class BatchProcessor {
  private readonly writer: StoreWriter;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    store: EventStore,
    private readonly deadLetters: DeadLetterSink,
    private readonly options: BatchProcessorOptions = {},
  ) {
    this.writer = new StoreWriter(store, options);
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async process(batch: readonly SourceMessage[]): Promise<BatchOutcome> {
    const letters: DeadLetter[] = [];
    const events: OutboundRecord[] = [];
    const origins: SourceMessage[] = [];
    for (const message of batch) {
      const decoded = decodeEvent(message.value);
      if (decoded.ok) {
        events.push(decoded.event);
        origins.push(message);
      } else {
        letters.push({ message, stage: "decode", reason: decoded.reason });
      }
    }
    const aborted: BatchOutcome = { stored: 0, duplicates: 0, deadLettered: 0, offsets: [], aborted: true };
    const written = await this.writer.write(events);
    if (written.aborted) return aborted;
    for (const { index, reason } of written.rejected) {
      const message = origins[index];
      if (message) letters.push({ message, stage: "store", reason });
    }
    if (letters.length > 0 && !(await this.sendDeadLetters(letters))) return aborted;
    return {
      stored: written.inserted,
      duplicates: written.duplicates,
      deadLettered: letters.length,
      offsets: offsetsToCommit(batch),
      aborted: false,
    };
  }

  /** Until the DLQ has them: a message is only skipped once it is kept somewhere. */
  private async sendDeadLetters(letters: DeadLetter[]): Promise<boolean> {
    let backoff = this.options.minBackoffMs ?? 100;
    for (;;) {
      if (this.options.shouldAbort?.()) return false;
      try {
        await this.deadLetters.send(letters);
        return true;
      } catch (error) {
        this.options.onDeadLetterRetry?.({ error: error as Error, backoffMs: backoff });
        await this.sleep(backoff);
        backoff = Math.min(this.options.maxBackoffMs ?? 10_000, backoff * 2);
      }
    }
  }
}
