import type { MemoryPublisher } from "../adapters/memory/memory-publisher.ts";
import type { EventStore } from "../ports/event-store.ts";

export interface EmbeddedConsumerOptions {
  batchSize?: number;
  intervalMs?: number;
}

/**
 * The all-in-one server's stand-in for Kafka + worker: drains the memory publisher into the
 * event store. A failed write puts the batch back at the head of the queue, so nothing is lost.
 */
export class EmbeddedConsumer {
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<void> | undefined;
  private readonly batchSize: number;
  private readonly intervalMs: number;
  stored = 0;
  duplicates = 0;
  failures = 0;

  constructor(
    private readonly source: MemoryPublisher,
    private readonly store: EventStore,
    options: EmbeddedConsumerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 1000;
    this.intervalMs = options.intervalMs ?? 200;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.intervalMs);
  }

  /** One pass; concurrent calls share the pass in flight. */
  tick(): Promise<void> {
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async drain(): Promise<void> {
    while (this.source.depth > 0) {
      const batch = this.source.take(this.batchSize);
      try {
        const result = await this.store.insertMany(batch);
        if (result.inserted + result.duplicates !== batch.length) {
          throw new Error(`store acknowledged ${result.inserted + result.duplicates} of ${batch.length} events`);
        }
        this.stored += result.inserted;
        this.duplicates += result.duplicates;
      } catch (error) {
        this.failures++;
        this.source.requeue(batch);
        console.warn(`embedded pipeline: store write failed, will retry: ${(error as Error).message}`);
        return;
      }
    }
  }

  /** Stops the timer and writes everything still queued. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.tick();
  }
}
