import { defaultLogger, type Logger } from "../log/logger.ts";
import type { MetricsRegistry } from "../metrics/registry.ts";
import type { OutboundRecord, Publisher } from "../ports/publisher.ts";
import type { EventSink, SubmitResult } from "./sink.ts";

/**
 * The Workers way: each request publishes its own batch inside `waitUntil`, after the 202 has gone.
 * An isolate has no durable local buffer, so a failed publish is retried a few times in place.
 */
export class WaitUntilSink implements EventSink {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly publisher: Publisher,
    private readonly metrics?: MetricsRegistry,
    private readonly attempts = 3,
    private readonly log: Logger = defaultLogger,
  ) {}

  submit(events: OutboundRecord[], waitUntil?: (promise: Promise<unknown>) => void): SubmitResult {
    if (events.length === 0) return { ok: true };
    const delivery = this.deliver(events);
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
    waitUntil?.(delivery);
    return { ok: true };
  }

  private async deliver(events: OutboundRecord[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.publisher.publish(events);
        this.metrics?.inc("widegate_publish_events_total", { publisher: this.publisher.name, result: "ok" }, events.length);
        return;
      } catch (error) {
        this.metrics?.inc("widegate_publish_failures_total", { publisher: this.publisher.name });
        if (attempt >= this.attempts) {
          this.metrics?.inc("widegate_publish_events_total", { publisher: this.publisher.name, result: "lost" }, events.length);
          this.log.error(
            `publish via ${this.publisher.name} failed ${attempt} times; ${events.length} events lost: ${(error as Error).message}`,
          );
          return;
        }
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
      }
    }
  }

  async drain(): Promise<void> {
    await Promise.all(this.inFlight);
  }
}
