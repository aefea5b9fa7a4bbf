import type { RollupAggregator } from "../domain/rollup/aggregator.ts";
import { defaultLogger, type Logger } from "../log/logger.ts";
import type { RollupDelta } from "../ports/publisher.ts";
import type { EventSink } from "./sink.ts";

/**
 * The Bun gateway's rollup clock: every ROLLUP_FLUSH_MS the counts of all requests since the last
 * flush become one delta per tenant, handed to the same sink as kept events (so they take the same
 * publisher, fallbacks and spool). Deltas the sink cannot take yet (backpressure) wait for the next tick.
 */
export class RollupFlusher {
  private timer: ReturnType<typeof setInterval> | undefined;
  private pending: RollupDelta[] = [];

  constructor(
    private readonly aggregator: RollupAggregator,
    private readonly sink: EventSink,
    private readonly intervalMs: number,
    private readonly log: Logger = defaultLogger,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.flush(), this.intervalMs);
    this.timer.unref?.();
  }

  /** Hands everything counted so far to the sink; true when nothing is left waiting. */
  flush(): boolean {
    this.pending.push(...this.aggregator.drain());
    if (this.pending.length === 0) return true;
    const result = this.sink.submit(this.pending);
    if (!result.ok) {
      this.log.warn(`rollups: ${this.pending.length} deltas wait for the publish queue (${result.reason})`);
      return false;
    }
    this.pending = [];
    return true;
  }

  /** Shutdown: one last flush, before the sink drains. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (!this.flush()) this.log.error(`rollups: ${this.pending.length} deltas could not be queued at shutdown`);
  }
}
