import type { HealthStatus } from "../../ports/health.ts";
import type { OutboundRecord, Publisher } from "../../ports/publisher.ts";

export interface MemoryPublisherOptions {
  /** Events held before `publish` rejects, so a stalled consumer shows up as backpressure, not memory growth. */
  capacity?: number;
}

/** An in-process queue: the all-in-one server's embedded pipeline drains it into the event store. */
export class MemoryPublisher implements Publisher {
  readonly name = "publisher:memory";
  private queue: OutboundRecord[] = [];
  private readonly capacity: number;
  private closed = false;

  constructor(options: MemoryPublisherOptions = {}) {
    this.capacity = options.capacity ?? 100_000;
  }

  async publish(events: readonly OutboundRecord[]): Promise<void> {
    if (this.closed) throw new Error("memory publisher is closed");
    if (this.queue.length + events.length > this.capacity) {
      throw new Error(`memory queue full (${this.queue.length}/${this.capacity})`);
    }
    for (const event of events) this.queue.push(event);
  }

  /** Takes up to `max` queued events, oldest first. */
  take(max: number): OutboundRecord[] {
    return this.queue.splice(0, max);
  }

  /** Puts a batch that could not be delivered back at the head, keeping its order. */
  requeue(events: OutboundRecord[]): void {
    this.queue = events.concat(this.queue);
  }

  get depth(): number {
    return this.queue.length;
  }

  async health(): Promise<HealthStatus> {
    return { ok: !this.closed, detail: `depth ${this.queue.length}/${this.capacity}` };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
