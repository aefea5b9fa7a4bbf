// Bun-only: how a Bun gateway hands accepted events to its publisher, by BUFFER.
import { join } from "node:path";
import { type Config, ConfigError } from "../../config/schema.ts";
import type { Logger } from "../../log/logger.ts";
import type { MetricsRegistry } from "../../metrics/registry.ts";
import type { Adapters } from "../../ports/adapters.ts";
import { BatchingSink } from "../batching-sink.ts";
import { DirectPublisher } from "../direct-publisher.ts";
import { EmbeddedConsumer } from "../embedded-consumer.ts";
import type { EventSink } from "../sink.ts";
import { DiskBufferSink } from "./disk-buffer-sink.ts";

export interface BunDelivery {
  sink: EventSink;
  /** PUBLISHER=memory with BUFFER=memory: the loop that writes the in-memory queue to the store. */
  consumer?: EmbeddedConsumer;
  /** For the start-up line. */
  describe: string;
}

/**
 * BUFFER=disk (default): the write-ahead buffer in DATA_DIR/buffer in front of the publisher. With
 * PUBLISHER=memory (the all-in-one server) the buffer itself is the queue and the store write is the
 * acknowledgment, since an in-memory queue behind a disk buffer would make the 202 a lie again.
 * BUFFER=memory: today's in-memory batcher (and embedded consumer).
 */
export async function buildBunDelivery(
  config: Config,
  adapters: Adapters,
  context: { metrics: MetricsRegistry; log: Logger },
): Promise<BunDelivery> {
  if (config.BUFFER === "memory") {
    const sink = new BatchingSink(adapters.publisher, context);
    const consumer = adapters.localQueue ? new EmbeddedConsumer(adapters.localQueue, adapters.eventStore, context) : undefined;
    return { sink, ...(consumer ? { consumer } : {}), describe: "buffer=memory" };
  }
  const publisher = adapters.localQueue ? new DirectPublisher(adapters.eventStore, context.metrics) : adapters.publisher;
  const dir = join(config.DATA_DIR, "buffer");
  const sink = await DiskBufferSink.open(publisher, { dir, maxBytes: config.BUFFER_MAX_BYTES, ...context }).catch((error: unknown) => {
    throw new ConfigError(
      `invalid configuration: DATA_DIR=${config.DATA_DIR}: the disk buffer cannot use ${dir}: ${(error as Error).message}`,
    );
  });
  return { sink, describe: `buffer=disk (${dir})` };
}
