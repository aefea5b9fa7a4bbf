// Bun only: a TCP Kafka client. Loaded through src/runtime/bun/modules.ts so the Workers bundle never contains it.
import type { Producer } from "@platformatic/kafka";
import { defaultLogger, type Logger } from "../../log/logger.ts";
import type { MetricsRegistry } from "../../metrics/registry.ts";
import type { HealthStatus } from "../../ports/health.ts";
import type { OutboundRecord, Publisher, RecordTexts } from "../../ports/publisher.ts";
import { createStringProducer, producerHealth } from "./kafka-clients.ts";
import { chunkBySize, DEFAULT_MAX_MESSAGE_BYTES, oversizedStubs, splitOversized } from "./oversized-publisher.ts";
import { SerialSends } from "./serial-sends.ts";

export interface NativeKafkaPublisherOptions {
  brokers: string[];
  topic: string;
  clientId?: string;
  /** Records per produce request (default 5000). */
  maxRecordsPerSend?: number;
  /**
   * Largest record, and largest produce request, in bytes (KAFKA_MAX_MESSAGE_BYTES, default 1,000,000):
   * under the broker's `message.max.bytes` (1,048,588 by default), which applies to a partition's
   * whole record batch. An event near the 1 MiB ingest limit plus the gateway's fields passes it.
   */
  maxMessageBytes?: number;
  /** Where a record too large for the topic is dead-lettered as a small stub (KAFKA_DLQ_TOPIC). */
  deadLetterTopic?: string;
  metrics?: MetricsRegistry;
  log?: Logger;
}

/**
 * Publishes with the native Kafka protocol (@platformatic/kafka). `publish` resolves when every
 * partition leader and its in-sync replicas have the records (acks=all). Keys are hashed like the
 * Java client (murmur2, positive), so a requestId lands on the same partition as from any other client.
 *
 * The broker refuses a record batch over its size limit on every attempt, so retrying it would block
 * every tenant's events behind it forever. Produce requests are therefore cut at `maxMessageBytes`,
 * and a single record over it is taken out of its batch: a stub naming it (ids, tenant, size, no
 * payload) goes to the dead-letter topic with reason MESSAGE_TOO_LARGE, and the rest is published.
 */
export class NativeKafkaPublisher implements Publisher {
  readonly name = "publisher:kafka";
  private readonly producer: Producer<string, string, string, string>;
  private readonly sends = new SerialSends();
  private readonly maxMessageBytes: number;
  private readonly context: { log: Logger; metrics?: MetricsRegistry | undefined };

  constructor(private readonly options: NativeKafkaPublisherOptions) {
    // The cluster's auto.create.topics.enable decides; the worker also creates the topic at start.
    this.producer = createStringProducer({
      brokers: options.brokers,
      clientId: options.clientId ?? "wide-gate-gateway",
      autocreateTopics: true,
    });
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.context = { log: options.log ?? defaultLogger, metrics: options.metrics };
  }

  async publish(events: readonly OutboundRecord[], texts?: RecordTexts): Promise<void> {
    const { topic, deadLetterTopic } = this.options;
    const { fitting, oversized } = splitOversized(events, this.maxMessageBytes, texts);
    await this.sends.run(async () => {
      if (oversized.length > 0) {
        const stubs = oversizedStubs(oversized, {
          publisher: this.name,
          sourceTopic: topic,
          maxMessageBytes: this.maxMessageBytes,
          ...this.context,
        });
        if (deadLetterTopic !== undefined)
          await this.producer.send({ messages: stubs.map((stub) => ({ topic: deadLetterTopic, ...stub })) });
      }
      for (const chunk of chunkBySize(fitting, this.options.maxRecordsPerSend ?? 5000, this.maxMessageBytes)) {
        await this.producer.send({ messages: chunk.map(({ key, value }) => ({ topic, key, value })) });
      }
    });
  }

  health(): Promise<HealthStatus> {
    return producerHealth(this.producer);
  }

  async close(): Promise<void> {
    await this.producer.close();
  }
}
