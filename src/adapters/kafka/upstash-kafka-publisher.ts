import { Kafka } from "@upstash/kafka";
import type { HealthStatus } from "../../ports/health.ts";
import type { OutboundRecord, Publisher } from "../../ports/publisher.ts";
import { chunkRecords, toEventRecord } from "./kafka-record.ts";

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
  /** Longest wait for one produce request, retries included (default 10 s): a hung bridge then counts as a failure. */
  requestTimeoutMs?: number;
}

/** Rejects after `ms`; the client offers no abort signal, so its request is left to end on its own. */
function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Publishes over HTTP with `@upstash/kafka` (plain fetch: runs on Workers and Bun) to any server
 * speaking the Upstash Kafka REST API, such as this project's bridge. `publish` resolves once
 * every record has its partition and offset, i.e. the broker acknowledged it.
 *
 * Note: the client retries each failed request itself (5 retries, 0.5 s → 8 s apart) and its fetch
 * has no timeout, so each request is cut off after `requestTimeoutMs`: a refused or hung bridge
 * surfaces as a rejection within that time, and the fallback circuit opens.
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
    const { topic } = this.options;
    const records = events.map((event) => ({ topic, ...toEventRecord(event) }));
    // Sequential: a request's events must not overtake each other across chunks.
    for (const chunk of chunkRecords(records, this.options.maxRecordsPerRequest ?? 1000, this.options.maxBytesPerRequest ?? 4 << 20)) {
      const acks: unknown = await withTimeout(
        this.producer.produceMany(chunk),
        this.options.requestTimeoutMs ?? 10_000,
        "upstash-kafka produce",
      );
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
