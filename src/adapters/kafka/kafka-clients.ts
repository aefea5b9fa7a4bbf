// Bun only (TCP, @platformatic/kafka): the one place Kafka clients are constructed, so every producer,
// consumer and admin of the project shares the same delivery settings.
import {
  Admin,
  Consumer,
  compatibilityPartitioner,
  ProduceAcks,
  Producer,
  stringDeserializer,
  stringSerializer,
} from "@platformatic/kafka";
import type { HealthStatus } from "../../ports/health.ts";

export interface ProducerSettings {
  brokers: string[];
  clientId: string;
  /** Ask the cluster to create a missing topic on first use; its auto.create.topics.enable still decides. */
  autocreateTopics?: boolean;
}

const strings = { key: stringSerializer, headerKey: stringSerializer, headerValue: stringSerializer };

/**
 * acks=all, idempotent, keys hashed like the Java client (murmur2), so a requestId lands on the
 * same partition from any client. Idempotence makes the broker drop a retried batch it already
 * has (a retry re-sends every partition of the request); it is safe only with one send in flight
 * per producer: see SerialSends.
 *
 * Retries are bounded on purpose: an idempotent @platformatic/kafka producer left without `retries`
 * retries forever (Number.MAX_SAFE_INTEGER), so with the broker down `send` never settled and the
 * gateway's fallback circuit never opened. With these, a send fails within about 7 × 5 s when the
 * broker hangs and in about 3 s when it refuses connections, while a leader election or a busy
 * broker (retriable errors) still gets 3 s of retries.
 */
function producerOptions(settings: ProducerSettings) {
  return {
    clientId: settings.clientId,
    bootstrapBrokers: settings.brokers,
    acks: ProduceAcks.ALL,
    idempotent: true,
    retries: 6,
    retryDelay: 500,
    timeout: 5_000,
    connectTimeout: 3_000,
    partitioner: compatibilityPartitioner,
    ...(settings.autocreateTopics === undefined ? {} : { autocreateTopics: settings.autocreateTopics }),
  };
}

/** Keys, values and headers as strings: events as JSON. */
export function createStringProducer(settings: ProducerSettings): Producer<string, string, string, string> {
  return new Producer({ ...producerOptions(settings), serializers: { ...strings, value: stringSerializer } });
}

/** Values as Buffers, untouched: dead letters keep the bytes exactly as they arrived. */
export function createBytesProducer(settings: ProducerSettings): Producer<string, Buffer, string, string> {
  return new Producer<string, Buffer, string, string>({ ...producerOptions(settings), serializers: strings });
}

export interface ConsumerSettings {
  brokers: string[];
  clientId: string;
  groupId: string;
  /** Offsets are committed by the caller, after its work is durable. */
  extra?: {
    sessionTimeout?: number;
    heartbeatInterval?: number;
    rebalanceTimeout?: number;
    maxWaitTime?: number;
    /** Static membership: a restarted member with the same id takes its partitions back at once. */
    groupInstanceId?: string;
  };
}

/** Keys and headers as strings, values as the raw bytes; never autocommits. */
export function createConsumer(settings: ConsumerSettings): Consumer<string, Buffer, string, string> {
  return new Consumer({
    clientId: settings.clientId,
    groupId: settings.groupId,
    bootstrapBrokers: settings.brokers,
    deserializers: { key: stringDeserializer, headerKey: stringDeserializer, headerValue: stringDeserializer },
    autocommit: false,
    ...settings.extra,
  });
}

export function createAdmin(brokers: string[], clientId: string): Admin {
  return new Admin({ clientId, bootstrapBrokers: brokers });
}

/** A metadata round trip: proves the broker answers, without touching any topic. */
export async function producerHealth(producer: Producer<string, string, string, string>): Promise<HealthStatus> {
  const started = Date.now();
  try {
    const metadata = await producer.metadata({ topics: [] });
    return { ok: true, detail: `${metadata.brokers.size} broker(s), ${Date.now() - started} ms` };
  } catch (error) {
    return { ok: false, detail: (error as Error).message };
  }
}
