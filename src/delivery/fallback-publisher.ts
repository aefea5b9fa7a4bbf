import { defaultLogger, type Logger } from "../log/logger.ts";
import type { MetricsRegistry } from "../metrics/registry.ts";
import type { HealthStatus } from "../ports/health.ts";
import type { OutboundRecord, Publisher, RecordTexts } from "../ports/publisher.ts";

/** A fallback that can hand back what it holds once the primary recovers (the file spool). */
export interface Replayable {
  replayInto(target: Publisher): Promise<number>;
}

const isReplayable = (p: Publisher): p is Publisher & Replayable => typeof (p as Partial<Replayable>).replayInto === "function";

export interface FallbackOptions {
  /** How long the primary is skipped after a failure before one batch probes it again. */
  cooldownMs?: number;
  metrics?: MetricsRegistry;
  log?: Logger;
  now?: () => number;
}

/**
 * PUBLISHER_FALLBACK as a circuit breaker: batches go to the primary; after a failure the circuit
 * opens and batches go to the fallbacks in order for `cooldownMs`, then the next batch probes the
 * primary. When it answers again, spooled events are replayed to it in the background.
 * If every publisher fails, publish rejects and the caller keeps the batch and retries.
 */
export class FallbackPublisher implements Publisher {
  readonly name: string;
  private openUntil = 0;
  private replaying: Promise<void> | undefined;
  private readonly cooldownMs: number;
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(
    private readonly primary: Publisher,
    private readonly fallbacks: readonly Publisher[],
    private readonly options: FallbackOptions = {},
  ) {
    this.name = primary.name;
    this.cooldownMs = options.cooldownMs ?? 5_000;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? defaultLogger;
    options.metrics?.collect((m) => m.set("widegate_publisher_circuit_open", { publisher: primary.name }, this.circuitOpen ? 1 : 0));
  }

  get circuitOpen(): boolean {
    return this.now() < this.openUntil;
  }

  async publish(events: readonly OutboundRecord[], texts?: RecordTexts): Promise<void> {
    if (!this.circuitOpen) {
      try {
        await this.primary.publish(events, texts);
        this.replaySpool();
        return;
      } catch (error) {
        this.openUntil = this.now() + this.cooldownMs;
        this.log.warn(
          `${this.primary.name} failed, using ${this.fallbacks.map((f) => f.name).join(" → ")} for ${this.cooldownMs} ms: ${(error as Error).message}`,
        );
      }
    }
    let lastError: unknown = new Error(`${this.primary.name} is down and no fallback is configured`);
    for (const fallback of this.fallbacks) {
      try {
        await fallback.publish(events, texts);
        this.options.metrics?.inc("widegate_publish_fallback_events_total", { publisher: fallback.name }, events.length);
        return;
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  /** Once the primary acknowledges again, moves spooled events back to it (one replay at a time). */
  private replaySpool(): void {
    if (this.replaying) return;
    const spools = this.fallbacks.filter(isReplayable);
    if (spools.length === 0) return;
    this.replaying = (async () => {
      for (const spool of spools) {
        const replayed = await spool.replayInto(this.primary);
        if (replayed > 0) this.log.info(`replayed ${replayed} spooled events to ${this.primary.name}`);
        this.options.metrics?.inc("widegate_spool_replayed_events_total", {}, replayed);
      }
    })()
      .catch((error: unknown) => this.log.warn(`spool replay paused: ${(error as Error).message}`))
      .finally(() => {
        this.replaying = undefined;
      });
  }

  /** For shutdown and tests: waits for a replay in flight. */
  async settle(): Promise<void> {
    await this.replaying;
  }

  async health(): Promise<HealthStatus> {
    const primary = await this.primary.health().catch((e: unknown) => ({ ok: false, detail: (e as Error).message }));
    if (primary.ok) return primary;
    // Degraded but still accepting: ingestion goes on through a fallback.
    return {
      ok: this.fallbacks.length > 0,
      detail: `primary down (${primary.detail ?? "no detail"}); falling back to ${this.fallbacks.map((f) => f.name).join(", ") || "nothing"}`,
    };
  }

  async close(): Promise<void> {
    await this.settle();
    for (const p of [this.primary, ...this.fallbacks]) await p.close().catch(() => {});
  }
}
