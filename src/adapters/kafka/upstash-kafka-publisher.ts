import { Kafka } from "@upstash/kafka";
import { defaultLogger, type Logger } from "../../log/logger.ts";
import type { MetricsRegistry } from "../../metrics/registry.ts";
import type { HealthStatus } from "../../ports/health.ts";
import { type OutboundRecord, PublishError, type Publisher, type RecordTexts } from "../../ports/publisher.ts";
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
  /** Retries of one produce request after a network error, timeout or 5xx (default 5; never after 401/403). */
  retries?: number;
  /** Longest wait for one produce request's answer (default 10 s). */
  requestTimeoutMs?: number;
  /** Largest record (KAFKA_MAX_MESSAGE_BYTES); a bigger one is dead-lettered as a stub, never retried. */
  maxMessageBytes?: number;
  /** Where those stubs go (KAFKA_DLQ_TOPIC). */
  deadLetterTopic?: string;
  metrics?: MetricsRegistry;
  log?: Logger;
}

/** The part of @upstash/kafka's HTTP client we call: `post` with its own `retries` set to 0. */
interface RestClient {
  post<T>(request: { path: string[]; body?: unknown; retries?: number }): Promise<T>;
}

/**
 * The client's produceMany always retries 5 times (about 15 s, also for a 401) and takes no
 * timeout, which overruns a Worker's waitUntil budget; its HTTP client takes `retries` per call.
 */
function restClientOf(kafka: Kafka): RestClient {
  const client = (kafka as unknown as { client?: Partial<RestClient> }).client;
  if (typeof client?.post !== "function") throw new Error("@upstash/kafka: HTTP client not found (library changed?)");
  return client as RestClient;
}

function classify(error: unknown, timeoutMs: number): PublishError {
  if (error instanceof PublishError) return error;
  const status = (error as { status?: unknown }).status;
  const message = (error as Error).message ?? String(error);
  if (status === 401 || status === 403)
    return new PublishError(
      `upstash-kafka: ${status} ${message} (check UPSTASH_KAFKA_REST_USERNAME and UPSTASH_KAFKA_REST_PASSWORD)`,
      "auth",
    );
  if (typeof status === "number" && status >= 400 && status < 500)
    return new PublishError(`upstash-kafka: ${status} ${message}`, "refused");
  if (error instanceof Error && error.name === "TimeoutError")
    return new PublishError(`upstash-kafka: no answer within ${timeoutMs} ms`, "timeout");
  return new PublishError(`upstash-kafka: ${message}`, "network");
}

/** The client's fetch takes no signal, so a late answer is only ignored: the worker dedupes by eventId. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error("timeout"), { name: "TimeoutError" })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Publishes over HTTP with `@upstash/kafka` (plain fetch: runs on Workers and Bun) to any server
 * speaking the Upstash Kafka REST API, such as this project's bridge. `publish` resolves once
 * every record has its partition and offset, i.e. the broker acknowledged it.
 *
 * Retries are bounded here, not in the client: `retries` after a network error, timeout or 5xx
 * (0.5 s → 8 s apart, as the client would), each request cut at `requestTimeoutMs`; a 401/403 or
 * another 4xx rejects at once with a PublishError saying why, so a wrong password fails in one round trip.
 */
export class UpstashKafkaPublisher implements Publisher {
  readonly name = "publisher:upstash-kafka";
  private readonly client: RestClient;
  private readonly authorization: string;

  constructor(private readonly options: UpstashKafkaPublisherOptions) {
    this.client = restClientOf(new Kafka({ url: options.url, username: options.username, password: options.password }));
    this.authorization = `Basic ${btoa(`${options.username}:${options.password}`)}`;
  }

  async publish(events: readonly OutboundRecord[], texts?: RecordTexts): Promise<void> {
    const { topic, deadLetterTopic } = this.options;
    const maxMessageBytes = this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    // A record the broker refuses on every attempt must not hold the batch (and every tenant behind it).
    const { fitting, oversized } = splitOversized(events, maxMessageBytes, texts);
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
        await this.produce(
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
      const acks: unknown = await this.produce(chunk);
      if (!Array.isArray(acks) || acks.length !== chunk.length) {
        throw new Error(`upstash-kafka: expected ${chunk.length} acknowledgements, got ${Array.isArray(acks) ? acks.length : typeof acks}`);
      }
    }
  }

  /** POST /produce (what produceMany sends), retried here within the bounds above. */
  private async produce(chunk: readonly unknown[]): Promise<unknown> {
    const retries = this.options.retries ?? 5;
    const timeoutMs = this.options.requestTimeoutMs ?? 10_000;
    for (let attempt = 0; ; attempt++) {
      try {
        return await withTimeout(this.client.post<unknown>({ path: ["produce"], body: chunk, retries: 0 }), timeoutMs);
      } catch (error) {
        const failure = classify(error, timeoutMs);
        if (attempt >= retries || !failure.retryable) throw failure; // a 5xx counts as `network`
        await new Promise((r) => setTimeout(r, 2 ** (attempt + 1) * 250));
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
