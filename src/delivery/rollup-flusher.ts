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
    this.timer ??= setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref?.();
  }

  /** Hands everything counted so far to the sink; true when nothing is left waiting. */
  async flush(): Promise<boolean> {
    this.pending.push(...this.aggregator.drain());
    if (this.pending.length === 0) return true;
    const handed = this.pending;
    this.pending = [];
    // The disk buffer answers once the deltas are on disk; meanwhile new counts gather in the aggregator.
    const result = await this.sink.submit(handed);
    if (!result.ok) {
      this.pending = handed.concat(this.pending);
      this.log.warn(`rollups: ${this.pending.length} deltas wait for the publish queue (${result.reason})`);
      return false;
    }
    return true;
  }

  /** Shutdown: one last flush, before the sink drains. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    if (!(await this.flush())) this.log.error(`rollups: ${this.pending.length} deltas could not be queued at shutdown`);
  }
}
