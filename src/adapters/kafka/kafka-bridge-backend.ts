// Bun only: the bridge's native Kafka side (@platformatic/kafka). worker/bridge.ts wires it in.
import { type Admin, compatibilityPartitioner, type Producer, UserError } from "@platformatic/kafka";
import { type BridgeBackend, BridgeError } from "../../bridge/backend.ts";
import type { ProduceMetadata, ProduceRecord } from "../../bridge/produce-request.ts";
import type { HealthStatus } from "../../ports/health.ts";
import { createAdmin, createStringProducer, producerHealth } from "./kafka-clients.ts";
import { CoalescingSends } from "./serial-sends.ts";

export interface KafkaBackendOptions {
  brokers: string[];
  clientId?: string;
  /** Ask the cluster to create unknown topics; the cluster's auto.create.topics.enable still decides (default true). */
  autocreateTopics?: boolean;
  /** Largest produce request the bridge sends (default 900,000 bytes, under Kafka's default `message.max.bytes`). */
  maxBatchBytes?: number;
}

const DEFAULT_MAX_BATCH_BYTES = 900_000;

/** A record's bytes on the wire, with its framing counted generously. */
function sizeOf(message: Placed): number {
  let size = 64 + Buffer.byteLength(message.value) + (message.key === undefined ? 0 : Buffer.byteLength(message.key));
  for (const [key, value] of message.headers ?? []) size += Buffer.byteLength(key) + Buffer.byteLength(value) + 16;
  return size;
}

interface Placed {
  topic: string;
  key?: string;
  value: string;
  partition: number;
  timestamp: bigint;
  headers?: Map<string, string>;
}

/**
 * Places every record on its partition first (explicit, else the key hashed like the Java client,
 * else round-robin), so each answer can carry its partition and offset: base offset of the
 * partition's batch plus the record's position in it.
 */
export class KafkaBackend implements BridgeBackend {
  readonly name = "bridge:kafka";
  private readonly producer: Producer<string, string, string, string>;
  private readonly admin: Admin;
  private readonly roundRobin = new Map<string, number>();
  /** Concurrent HTTP requests share one in-flight, idempotent produce request (see CoalescingSends). */
  private readonly sends = new CoalescingSends<Placed, number>((messages) => this.sendPlaced(messages));

  constructor(private readonly options: KafkaBackendOptions) {
    const clientId = options.clientId ?? "wide-gate-bridge";
    // Idempotent: a retried request is not written twice. Partitions are placed here, so the partitioner is unused.
    this.producer = createStringProducer({ brokers: options.brokers, clientId });
    this.admin = createAdmin(options.brokers, clientId);
  }

  async produce(records: ProduceRecord[]): Promise<ProduceMetadata[]> {
    const partitions = await this.partitionCounts([...new Set(records.map((r) => r.topic))]);
    const now = BigInt(Date.now());
    const placed = records.map((record): Placed => {
      const count = partitions.get(record.topic) ?? 1;
      const message: Placed = {
        topic: record.topic,
        value: record.value,
        partition: 0,
        timestamp: record.timestamp === undefined ? now : BigInt(record.timestamp),
      };
      if (record.key !== undefined) message.key = record.key;
      if (record.headers) message.headers = new Map(record.headers.map((h) => [h.key, h.value]));
      if (record.partition !== undefined) {
        if (record.partition >= count)
          throw new BridgeError(`partition ${record.partition} out of range: ${record.topic} has ${count}`, 400);
        message.partition = record.partition;
      } else if (record.key !== undefined) {
        message.partition = compatibilityPartitioner(message, Buffer.from(record.key)) % count;
      } else {
        const next = this.roundRobin.get(record.topic) ?? 0;
        this.roundRobin.set(record.topic, next + 1);
        message.partition = next % count;
      }
      return message;
    });
    const offsets = await this.sends.send(placed);
    return placed.map((m, i) => ({ topic: m.topic, partition: m.partition, offset: offsets[i] ?? -1, timestamp: Number(m.timestamp) }));
  }

  /**
   * Coalesced callers (and one large request) are sent in produce requests of at most
   * `maxBatchBytes`: a partition's batch over the broker's `message.max.bytes` (1 MiB by default) is
   * refused whole, on every retry. Sequential, so a partition's records keep their order.
   */
  private async sendPlaced(placed: Placed[]): Promise<number[]> {
    const limit = this.options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
    const offsets: number[] = [];
    let chunk: Placed[] = [];
    let bytes = 0;
    for (const message of placed) {
      const size = sizeOf(message);
      if (chunk.length > 0 && bytes + size > limit) {
        offsets.push(...(await this.sendChunk(chunk)));
        chunk = [];
        bytes = 0;
      }
      chunk.push(message);
      bytes += size;
    }
    if (chunk.length > 0) offsets.push(...(await this.sendChunk(chunk)));
    return offsets;
  }

  /** One produce request; each record's offset is its partition batch's base offset plus its position in it. */
  private async sendChunk(placed: Placed[]): Promise<number[]> {
    const result = await this.producer.send({ messages: placed });
    const base = new Map((result.offsets ?? []).map((o) => [`${o.topic}:${o.partition}`, o.offset]));
    const position = new Map<string, number>();
    return placed.map((m) => {
      const where = `${m.topic}:${m.partition}`;
      const index = position.get(where) ?? 0;
      position.set(where, index + 1);
      const offset = base.get(where);
      if (offset === undefined) throw new Error(`no acknowledgement for ${where}`);
      return Number(offset + BigInt(index));
    });
  }

  async topics(): Promise<Record<string, number>> {
    const names = await this.admin.listTopics({ includeInternals: false });
    if (names.length === 0) return {};
    const counts = await this.partitionCounts(names, false);
    return Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b)));
  }

  private async partitionCounts(topics: string[], autocreate = this.options.autocreateTopics ?? true): Promise<Map<string, number>> {
    try {
      const metadata = await this.producer.metadata({ topics, autocreateTopics: autocreate });
      return new Map(topics.map((t) => [t, metadata.topics.get(t)?.partitionsCount ?? 1]));
    } catch (error) {
      if (error instanceof UserError && /unknown topic/i.test(error.message)) throw new BridgeError(error.message, 400);
      throw error;
    }
  }

  health(): Promise<HealthStatus> {
    return producerHealth(this.producer);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.producer.close(), this.admin.close()]);
  }
}
