import { defaultLogger, type Logger } from "../log/logger.ts";
import type { MetricsRegistry } from "../metrics/registry.ts";
import { failureOf, type OutboundRecord, PublishError, type Publisher, type PublishFailure } from "../ports/publisher.ts";
import type { EventSink, SubmitResult } from "./sink.ts";

export interface WaitUntilBounds {
  /**
   * Longest time one request's delivery may take, all attempts included (default 20 s). Cloudflare
   * cancels `waitUntil` work 30 s after the response, so a loss must be logged and counted before that.
   */
  budgetMs?: number;
  /** How long ingest answers 503 after a loss before the publisher's health is probed again (default 10 s). */
  coolDownMs?: number;
  /**
   * Records this isolate may have publishing at once (default 10,000); past it ingest answers 429.
   * Every request's 202 goes out before its publish, so without a bound a fast client piles up
   * deliveries that share one publisher and run past their budget together.
   */
  maxInFlightRecords?: number;
}

/** Why ingest is refused for now, while the last delivery was lost. */
export interface IngestRefusal {
  retryAfterSeconds: number;
  message: string;
}

/**
 * The Workers way: each request publishes its own batch inside `waitUntil`, after the 202 has gone.
 * An isolate has no durable local buffer, so a failed publish is retried a few times in place,
 * within a budget that ends before Cloudflare cancels the work; what is still undelivered then is
 * logged and counted as lost at once. After a loss (auth, timeout, network) the sink's circuit opens:
 * `refusal()` tells ingest to answer 503 until the publisher's health check passes again, so
 * clients retry instead of handing over events that would be lost too.
 */
export class WaitUntilSink implements EventSink {
  private readonly inFlight = new Set<Promise<void>>();
  private inFlightRecords = 0;
  private readonly maxInFlightRecords: number;
  private readonly budgetMs: number;
  private readonly coolDownMs: number;
  private open: { since: number; message: string } | undefined;
  private probe: Promise<void> | undefined;

  constructor(
    private readonly publisher: Publisher,
    private readonly metrics?: MetricsRegistry,
    private readonly attempts = 3,
    private readonly log: Logger = defaultLogger,
    bounds: WaitUntilBounds = {},
  ) {
    this.budgetMs = bounds.budgetMs ?? 20_000;
    this.coolDownMs = bounds.coolDownMs ?? 10_000;
    this.maxInFlightRecords = bounds.maxInFlightRecords ?? 10_000;
    metrics?.collect((m) =>
      m.set(
        "widegate_ingest_circuit_open",
        { publisher: publisher.name },
        this.open ? 1 : 0,
        "1 while ingest answers 503 after a lost publish",
      ),
    );
  }

  /** Room while fewer than `maxInFlightRecords` are publishing; one request always fits an idle isolate. */
  room(count: number): SubmitResult {
    if (this.inFlightRecords === 0 || this.inFlightRecords + count <= this.maxInFlightRecords) return { ok: true };
    return { ok: false, retryAfterSeconds: 1, reason: `${this.inFlightRecords} records still publishing` };
  }

  submit(events: OutboundRecord[], waitUntil?: (promise: Promise<unknown>) => void): SubmitResult {
    if (events.length === 0) return { ok: true };
    const delivery = this.deliver(events);
    this.inFlight.add(delivery);
    this.inFlightRecords += events.length;
    void delivery.finally(() => {
      this.inFlight.delete(delivery);
      this.inFlightRecords -= events.length;
    });
    waitUntil?.(delivery);
    return { ok: true };
  }

  /** Undefined while publishing works; else why ingest should answer 503 now. Probes the publisher once the cool-down is over. */
  async refusal(): Promise<IngestRefusal | undefined> {
    if (!this.open) return undefined;
    if (Date.now() - this.open.since >= this.coolDownMs) {
      this.probe ??= this.probeHealth().finally(() => {
        this.probe = undefined;
      });
      await this.probe;
      if (!this.open) return undefined;
    }
    const left = this.coolDownMs - (Date.now() - this.open.since);
    return { retryAfterSeconds: Math.max(1, Math.ceil(left / 1000)), message: this.open.message };
  }

  private async probeHealth(): Promise<void> {
    const status = await this.publisher.health().catch((error: unknown) => ({ ok: false, detail: (error as Error).message }));
    if (status.ok) {
      this.log.info(`publishing via ${this.publisher.name} answers again; ingest accepted again`);
      this.open = undefined;
    } else if (this.open) {
      this.open = { since: Date.now(), message: this.open.message };
    }
  }

  private async deliver(events: OutboundRecord[]): Promise<void> {
    const deadline = Date.now() + this.budgetMs;
    for (let attempt = 1; ; attempt++) {
      let failure: PublishFailure;
      let message: string;
      try {
        await this.withinBudget(this.publisher.publish(events), deadline);
        this.metrics?.inc("widegate_publish_events_total", { publisher: this.publisher.name, result: "ok" }, events.length);
        this.open = undefined;
        return;
      } catch (error) {
        failure = failureOf(error);
        message = (error as Error).message;
        this.metrics?.inc("widegate_publish_failures_total", { publisher: this.publisher.name });
      }
      // 0.5 s, 1.5 s, 4.5 s: long enough for a leader election or a busy bridge, within the budget.
      const backoff = 500 * 3 ** (attempt - 1);
      const retryable = failure === "timeout" || failure === "network";
      if (!retryable || attempt >= this.attempts || Date.now() + backoff >= deadline) {
        this.lose(events, failure, message, attempt);
        return;
      }
      await new Promise((r) => setTimeout(r, backoff));
    }
  }

  private withinBudget(publish: Promise<void>, deadline: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const left = Math.max(0, deadline - Date.now());
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new PublishError(`no acknowledgement within the ${this.budgetMs} ms budget`, "timeout")), left);
    });
    return Promise.race([publish, timeout]).finally(() => clearTimeout(timer));
  }

  private lose(events: OutboundRecord[], reason: PublishFailure, message: string, attempts: number): void {
    const publisher = this.publisher.name;
    this.metrics?.inc("widegate_publish_events_total", { publisher, result: "lost" }, events.length);
    this.metrics?.inc("widegate_publish_lost_events_total", { publisher, reason }, events.length);
    this.log.error(`publish via ${publisher} failed (${reason}) after ${attempts} attempt(s); ${events.length} events lost: ${message}`);
    // A refusal (e.g. one oversized record) says nothing about the next request; the others do.
    if (reason !== "refused") {
      this.open ??= { since: Date.now(), message: `publishing via ${publisher} is failing (${reason}): ${message}` };
    }
  }

  async drain(): Promise<void> {
    await Promise.all(this.inFlight);
  }
}
