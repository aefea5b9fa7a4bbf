// Bun only: a TCP Kafka client. Loaded through src/runtime/bun/modules.ts so the Workers bundle never contains it.
import type { Producer } from "@platformatic/kafka";
import type { HealthStatus } from "../../ports/health.ts";
import type { OutboundRecord, Publisher } from "../../ports/publisher.ts";
import { createStringProducer, producerHealth } from "./kafka-clients.ts";
import { chunkRecords, toEventRecord } from "./kafka-record.ts";
import { SerialSends } from "./serial-sends.ts";

export interface NativeKafkaPublisherOptions {
  brokers: string[];
  topic: string;
  clientId?: string;
  /** Records per produce request (default 5000). */
  maxRecordsPerSend?: number;
}

/**
 * Publishes with the native Kafka protocol (@platformatic/kafka). `publish` resolves when every
 * partition leader and its in-sync replicas have the records (acks=all). Keys are hashed like the
 * Java client (murmur2, positive), so a requestId lands on the same partition as from any other client.
 */
export class NativeKafkaPublisher implements Publisher {
  readonly name = "publisher:kafka";
  private readonly producer: Producer<string, string, string, string>;
  private readonly sends = new SerialSends();

  constructor(private readonly options: NativeKafkaPublisherOptions) {
    // The cluster's auto.create.topics.enable decides; the worker also creates the topic at start.
    this.producer = createStringProducer({
      brokers: options.brokers,
      clientId: options.clientId ?? "wide-gate-gateway",
      autocreateTopics: true,
    });
  }

  async publish(events: readonly OutboundRecord[]): Promise<void> {
    const { topic } = this.options;
    const records = events.map((event) => ({ topic, ...toEventRecord(event) }));
    await this.sends.run(async () => {
      for (const chunk of chunkRecords(records, this.options.maxRecordsPerSend ?? 5000, 8 << 20)) {
        await this.producer.send({ messages: chunk });
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
