// Bun only (TCP): the events topic through a @platformatic/kafka consumer group, with manual commits.
import type { Consumer, Message, MessagesStream } from "@platformatic/kafka";
import type { BatchSource } from "../../consumer/batch-source.ts";
import type { CommitOffset, SourceMessage } from "../../consumer/messages.ts";
import { defaultLogger, type Logger } from "../../log/logger.ts";
import { createConsumer } from "./kafka-clients.ts";

export interface KafkaBatchSourceOptions {
  brokers: string[];
  topic: string;
  groupId: string;
  /** Static membership (group.instance.id): a restarted member takes its partitions back without a rebalance wait. */
  instanceId?: string;
  clientId?: string;
  sessionTimeoutMs?: number;
  /** Messages held before fetching pauses (default 10,000): a stalled store stops consumption, not memory. */
  maxBuffered?: number;
  log?: Logger;
}

type KafkaMessage = Message<string, Buffer, string, string>;
type Stream = MessagesStream<string, Buffer, string, string>;

export class KafkaBatchSource implements BatchSource {
  private readonly consumer: Consumer<string, Buffer, string, string>;
  private stream: Stream | undefined;
  private buffer: SourceMessage[] = [];
  private firstArrival = 0;
  private wake: (() => void) | undefined;
  private interrupted = false;
  private closed = false;
  private fetchPaused = false;
  private readonly maxBuffered: number;
  private readonly log: Logger;

  constructor(private readonly options: KafkaBatchSourceOptions) {
    const session = options.sessionTimeoutMs ?? 30_000;
    this.maxBuffered = options.maxBuffered ?? 10_000;
    this.log = options.log ?? defaultLogger;
    this.consumer = createConsumer({
      brokers: options.brokers,
      clientId: options.clientId ?? "wide-gate-worker",
      groupId: options.groupId,
      extra: {
        sessionTimeout: session,
        heartbeatInterval: Math.max(500, Math.floor(session / 10)),
        rebalanceTimeout: session * 2,
        maxWaitTime: 1000,
        ...(options.instanceId ? { groupInstanceId: options.instanceId } : {}),
      },
    });
    this.consumer.on("consumer:group:join", ({ assignments }) => {
      const partitions = (assignments ?? []).flatMap((a) => a.partitions.map((p) => `${a.topic}/${p}`));
      this.log.info(`worker: joined group ${options.groupId}: ${partitions.length ? partitions.join(" ") : "no partitions"}`);
    });
  }

  async start(): Promise<void> {
    await this.open();
  }

  private async open(): Promise<void> {
    // "committed", else from the start: events published before the first worker ran are not skipped.
    const stream = await this.consumer.consume({
      topics: [this.options.topic],
      mode: "committed",
      fallbackMode: "earliest",
      autocommit: false,
    });
    this.stream = stream;
    this.fetchPaused = false;
    stream.on("data", (message: KafkaMessage) => this.push(message));
    stream.on("error", (error: Error) => void this.reopen(stream, error));
  }

  /** A fetch error ends the stream; buffered messages stay valid, so only the stream is replaced. */
  private async reopen(failed: Stream, error: Error): Promise<void> {
    if (this.closed || this.stream !== failed) return;
    this.stream = undefined;
    this.log.warn(`worker: kafka stream failed (${error.message}); reconnecting`);
    await failed.close().catch(() => {});
    let delay = 500;
    while (!this.closed) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      try {
        await this.open();
        return;
      } catch (retryError) {
        delay = Math.min(delay * 2, 10_000);
        this.log.warn(`worker: kafka reconnect failed (${(retryError as Error).message}); retrying in ${delay} ms`);
      }
    }
  }

  private push(message: KafkaMessage): void {
    if (this.buffer.length === 0) this.firstArrival = Date.now();
    this.buffer.push({
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
      key: message.key,
      value: message.value,
      timestamp: message.timestamp,
    });
    if (this.buffer.length >= this.maxBuffered && !this.fetchPaused) {
      this.fetchPaused = true;
      this.stream?.pause();
    }
    this.wake?.();
  }

  async next(max: number, maxWaitMs: number): Promise<SourceMessage[]> {
    for (;;) {
      // Interrupted: hand over nothing more; what is buffered goes uncommitted to the next owner.
      if (this.interrupted) return [];
      if (this.buffer.length >= max) return this.take(max);
      const waited = Date.now() - this.firstArrival;
      if (this.buffer.length > 0 && waited >= maxWaitMs) return this.take(max);
      const timeout = this.buffer.length > 0 ? maxWaitMs - waited : 1000;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeout);
        this.wake = () => {
          // Wake on the first message (to start its batch clock) and once the batch is full; not per message.
          if (this.interrupted || this.buffer.length === 1 || this.buffer.length >= max) {
            clearTimeout(timer);
            resolve();
          }
        };
      });
      this.wake = undefined;
    }
  }

  private take(max: number): SourceMessage[] {
    const batch = this.buffer.splice(0, max);
    if (this.buffer.length > 0) this.firstArrival = Date.now();
    if (this.fetchPaused && this.buffer.length < this.maxBuffered / 2) {
      this.fetchPaused = false;
      this.stream?.resume();
    }
    return batch;
  }

  interrupt(): void {
    this.interrupted = true;
    this.wake?.();
  }

  async commit(offsets: readonly CommitOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    // leaderEpoch -1: "unknown", accepted by the broker; the stream keeps the real epochs to itself.
    await this.consumer.commit({ offsets: offsets.map((o) => ({ ...o, leaderEpoch: -1 })) });
  }

  async lag(): Promise<Array<{ topic: string; partition: number; lag: number }>> {
    const { topic } = this.options;
    const partitions = (this.consumer.assignments ?? []).filter((a) => a.topic === topic).flatMap((a) => a.partitions);
    if (partitions.length === 0) return [];
    const [latest, committed] = await Promise.all([
      this.consumer.listOffsets({ topics: [topic], partitions: { [topic]: partitions } }),
      this.consumer.listCommittedOffsets({ topics: [{ topic, partitions }] }),
    ]);
    const ends = latest.get(topic) ?? [];
    const done = committed.get(topic) ?? [];
    return partitions.map((partition) => {
      const end = ends[partition] ?? 0n;
      const at = done[partition] ?? -1n;
      return { topic, partition, lag: Number(at < 0n ? end : end - at) };
    });
  }

  assigned(): number {
    return (this.consumer.assignments ?? []).reduce((n, a) => n + a.partitions.length, 0);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.interrupt();
    await this.stream?.close().catch(() => {});
    try {
      await this.consumer.close(true); // typed void by the overload; it returns a promise without a callback
    } catch {
      // leaving the group is best effort: the session timeout reassigns the partitions anyway
    }
  }
}
