import { defaultLogger, type Logger } from "../../log/logger.ts";
import type { MetricsRegistry } from "../../metrics/registry.ts";
import type { HealthStatus } from "../../ports/health.ts";
import type { OutboundRecord, Publisher, RecordTexts } from "../../ports/publisher.ts";
import { PublishError, recordText } from "../../ports/publisher.ts";
import type { UpstashRedisList } from "./upstash-redis-list.ts";

export interface UpstashRedisFallbackOptions {
  /** Most records the list may hold; the rest of a batch is lost, counted and logged. */
  maxRecords: number;
  metrics?: MetricsRegistry;
  log?: Logger;
}

/**
 * PUBLISHER_FALLBACK=upstash-redis: the edge's durable fallback, reachable over HTTP. A batch the
 * primary could not take is appended to a bounded Redis list, one JSON record per entry, and
 * `npm run edge:drain` (Bun) moves it into Kafka. Records keep their eventId (deltas their id),
 * so a batch drained twice after a crash is stored once.
 */
export class UpstashRedisFallback implements Publisher {
  readonly name = "publisher:upstash-redis";
  private readonly log: Logger;

  constructor(
    private readonly list: UpstashRedisList,
    private readonly options: UpstashRedisFallbackOptions,
  ) {
    this.log = options.log ?? defaultLogger;
  }

  async publish(records: readonly OutboundRecord[], texts?: RecordTexts): Promise<void> {
    let appended: number;
    try {
      appended = await this.list.pushBounded(
        records.map((r, i) => recordText(r, texts, i)),
        this.options.maxRecords,
      );
    } catch (error) {
      const message = (error as Error).message;
      const reason = /unauthori[sz]ed|401|403/i.test(message) ? "auth" : /abort|timeout/i.test(message) ? "timeout" : "network";
      throw new PublishError(`upstash-redis fallback (UPSTASH_REDIS_REST_URL): ${message}`, reason);
    }
    const overflow = records.length - appended;
    if (overflow > 0) {
      this.options.metrics?.inc("widegate_publish_lost_events_total", { publisher: this.name, reason: "fallback_full" }, overflow);
      this.log.error(
        `publish via ${this.name} failed (fallback_full): the list ${this.list.key} holds UPSTASH_REDIS_FALLBACK_MAX_RECORDS=${this.options.maxRecords}; ${overflow} events lost (is npm run edge:drain running?)`,
      );
    }
  }

  async health(): Promise<HealthStatus> {
    try {
      const depth = await this.list.length();
      const full = depth >= this.options.maxRecords;
      return { ok: !full, detail: `${depth}/${this.options.maxRecords} records waiting in ${this.list.key}${full ? " (full)" : ""}` };
    } catch (error) {
      return { ok: false, detail: `upstash-redis fallback unreachable: ${(error as Error).message}` };
    }
  }

  async close(): Promise<void> {}
}
