// The edge fallback's drainer (`npm run edge:drain`, Bun): moves the Redis list that Workers push
// to when Kafka is out of reach (PUBLISHER_FALLBACK=upstash-redis) into Kafka. `--once`: until empty, then exit.

import { NativeKafkaPublisher } from "../src/adapters/kafka/native-kafka-publisher.ts";
import { UpstashKafkaPublisher } from "../src/adapters/kafka/upstash-kafka-publisher.ts";
import { FallbackDrainer } from "../src/delivery/fallback-drainer.ts";
import { upstashRedisFallbackList } from "../src/factory/create-adapters.ts";
import { consoleLogger } from "../src/log/logger.ts";
import { MetricsRegistry } from "../src/metrics/registry.ts";
import type { Publisher } from "../src/ports/publisher.ts";
import { loadConfigOrExit, onShutdownSignal } from "../src/runtime/bun/startup.ts";

const config = loadConfigOrExit();
for (const variable of ["UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"] as const) {
  if (!config[variable]) {
    console.error(`invalid configuration: ${variable}: is required by edge:drain (it reads the fallback list over REST)`);
    process.exit(78);
  }
}

// The same Kafka the Workers publish to: over REST when PUBLISHER=upstash-kafka, else natively at KAFKA_BROKERS.
const target: Publisher =
  config.PUBLISHER === "upstash-kafka"
    ? new UpstashKafkaPublisher({
        url: config.UPSTASH_KAFKA_REST_URL ?? "",
        username: config.UPSTASH_KAFKA_REST_USERNAME ?? "",
        password: config.UPSTASH_KAFKA_REST_PASSWORD ?? "",
        topic: config.KAFKA_TOPIC,
      })
    : new NativeKafkaPublisher({ brokers: config.KAFKA_BROKERS, topic: config.KAFKA_TOPIC, clientId: "wide-gate-edge-drain" });

const log = consoleLogger(config.LOG_LEVEL);
const list = upstashRedisFallbackList(config);
const drainer = new FallbackDrainer(list, target, { batch: config.EDGE_DRAIN_BATCH, metrics: new MetricsRegistry(), log });
const where = config.PUBLISHER === "upstash-kafka" ? "upstash-kafka" : `kafka ${config.KAFKA_BROKERS.join(",")}`;

if (process.argv.includes("--once")) {
  try {
    const moved = await drainer.drainAll();
    console.log(`edge drain: moved ${moved} records from ${list.key} to ${where} topic ${config.KAFKA_TOPIC}; the list is empty`);
    await drainer.release();
    await target.close();
    process.exit(0);
  } catch (error) {
    console.error(`edge drain failed, the list is kept: ${(error as Error).message}`);
    await drainer.release().catch(() => {});
    await target.close().catch(() => {});
    process.exit(1);
  }
}

let stopping = false;
console.log(`wide-gate edge drain: ${list.key} → ${where} topic ${config.KAFKA_TOPIC}`);
const running = drainer.run(() => stopping, config.EDGE_DRAIN_INTERVAL_MS);
onShutdownSignal(async (signal) => {
  console.log(`${signal}: finishing the round in flight`);
  stopping = true;
  await running;
  await drainer.release().catch(() => {});
  await target.close();
  console.log("stopped cleanly");
});
