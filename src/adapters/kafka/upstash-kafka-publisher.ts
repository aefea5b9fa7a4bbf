import { Kafka } from "@upstash/kafka";
import { defaultLogger, type Logger } from "../../log/logger.ts";
import type { MetricsRegistry } from "../../metrics/registry.ts";
import type { HealthStatus } from "../../ports/health.ts";
import type { OutboundRecord, Publisher } from "../../ports/publisher.ts";
import { chunkBySize, DEFAULT_MAX_MESSAGE_BYTES, oversizedStubs, splitOversized } from "./oversized-publisher.ts";

export interface UpstashKafkaPublisherOptions {
  url: string;
  username: string;
  password: string;
  topic: string;
  /** Records per HTTP request (default 1000). */
  maxRecordsPerRequest?: number;
  /** Approximate value bytes per HTTP request (default 4 MiB), under the bridge's 10 MiB body limit. */
  maxBytesPerRequest?: number;
  /** Timeout of the /topics probe behind health() (default 3 s). */
  healthTimeoutMs?: number;
  /** Largest record (KAFKA_MAX_MESSAGE_BYTES); a bigger one is dead-lettered as a stub, never retried. */
  maxMessageBytes?: number;
  /** Where those stubs go (KAFKA_DLQ_TOPIC). */
  deadLetterTopic?: string;
  metrics?: MetricsRegistry;
  log?: Logger;
}

/**
 * Publishes over HTTP with `@upstash/kafka` (plain fetch: runs on Workers and Bun) to any server
 * speaking the Upstash Kafka REST API, such as this project's bridge. `publish` resolves once
 * every record has its partition and offset, i.e. the broker acknowledged it.
 *
 * Note: the client retries each failed request itself (5 retries, 0.5 s → 8 s apart), so an
 * unreachable bridge surfaces as a rejection after about 15 s; the caller's batcher holds the events.
 */
export class UpstashKafkaPublisher implements Publisher {
  readonly name = "publisher:upstash-kafka";
  private readonly producer;
  private readonly authorization: string;

  constructor(private readonly options: UpstashKafkaPublisherOptions) {
    this.producer = new Kafka({ url: options.url, username: options.username, password: options.password }).producer();
    this.authorization = `Basic ${btoa(`${options.username}:${options.password}`)}`;
  }

  async publish(events: readonly OutboundRecord[]): Promise<void> {
    const { topic, deadLetterTopic } = this.options;
    const maxMessageBytes = this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    // A record the broker refuses on every attempt must not hold the batch (and every tenant behind it).
    const { fitting, oversized } = splitOversized(events, maxMessageBytes);
    if (oversized.length > 0) {
      const log = this.options.log ?? defaultLogger;
      const stubs = oversizedStubs(oversized, {
        publisher: this.name,
        sourceTopic: topic,
        maxMessageBytes,
        log,
        metrics: this.options.metrics,
      });
      if (deadLetterTopic !== undefined)
        await this.producer.produceMany(
          stubs.map((stub) => ({
            topic: deadLetterTopic,
            ...stub,
            headers: Object.entries(stub.headers).map(([key, value]) => ({ key, value })),
          })),
        );
    }
    // Sequential: a request's events must not overtake each other across chunks.
    const budget = this.options.maxBytesPerRequest ?? 4 << 20;
    for (const sized of chunkBySize(fitting, this.options.maxRecordsPerRequest ?? 1000, budget)) {
      const chunk = sized.map(({ key, value }) => ({ topic, key, value }));
      const acks: unknown = await this.producer.produceMany(chunk);
      if (!Array.isArray(acks) || acks.length !== chunk.length) {
        throw new Error(`upstash-kafka: expected ${chunk.length} acknowledgements, got ${Array.isArray(acks) ? acks.length : typeof acks}`);
      }
    }
  }

  /** Asks GET /topics directly (not through the client, whose retries would take 15 s to fail). */
  async health(): Promise<HealthStatus> {
    const started = Date.now();
    try {
      const response = await fetch(`${this.options.url.replace(/\/$/, "")}/topics`, {
        headers: { authorization: this.authorization },
        signal: AbortSignal.timeout(this.options.healthTimeoutMs ?? 3000),
      });
      if (!response.ok) return { ok: false, detail: `GET /topics answered ${response.status}` };
      const topics = (await response.json()) as Record<string, number>;
      const partitions = topics[this.options.topic];
      const where = partitions === undefined ? `topic ${this.options.topic} not created yet` : `${partitions} partitions`;
      return { ok: true, detail: `${where}, ${Date.now() - started} ms` };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  }

  async close(): Promise<void> {}
}
