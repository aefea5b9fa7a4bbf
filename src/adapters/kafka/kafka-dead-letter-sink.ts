// Bun only (TCP): dead letters to the DLQ topic, value = the original bytes, reason and origin in headers.
import type { Producer } from "@platformatic/kafka";
import { type DeadLetter, type DeadLetterSink, deadLetterHeaders } from "../../consumer/messages.ts";
import { createBytesProducer } from "./kafka-clients.ts";

export interface KafkaDeadLetterSinkOptions {
  brokers: string[];
  topic: string;
  clientId?: string;
}

export class KafkaDeadLetterSink implements DeadLetterSink {
  private readonly producer: Producer<string, Buffer, string, string>;

  constructor(private readonly options: KafkaDeadLetterSinkOptions) {
    // The worker sends one batch at a time, which idempotence in @platformatic/kafka 1.x needs.
    this.producer = createBytesProducer({
      brokers: options.brokers,
      clientId: options.clientId ?? "wide-gate-worker-dlq",
      autocreateTopics: true,
    });
  }

  async send(letters: readonly DeadLetter[]): Promise<void> {
    const now = Date.now();
    await this.producer.send({
      messages: letters.map((letter) => ({
        topic: this.options.topic,
        // Same key, same partitioner as the source: one request's dead letters stay in order.
        ...(letter.message.key === undefined ? {} : { key: letter.message.key }),
        value: Buffer.from(letter.message.value ?? new Uint8Array(0)),
        headers: deadLetterHeaders(letter, now),
      })),
    });
  }

  async close(): Promise<void> {
    await this.producer.close().catch(() => {});
  }
}
