// The Kafka → event store worker (`bun run worker`): a consumer-group member of KAFKA_TOPIC that
// writes batches to the event store, dead-letters poison to KAFKA_DLQ_TOPIC, and commits after the write.

import { ensureTopics } from "../src/adapters/kafka/ensure-topics.ts";
import { KafkaBatchSource } from "../src/adapters/kafka/kafka-batch-source.ts";
import { KafkaDeadLetterSink } from "../src/adapters/kafka/kafka-dead-letter-sink.ts";
import { ConfigError } from "../src/config/schema.ts";
import { EventWorker } from "../src/consumer/event-worker.ts";
import { workerHttp } from "../src/consumer/worker-http.ts";
import { buildEventStore } from "../src/factory/create-adapters.ts";
import { consoleLogger } from "../src/log/logger.ts";
import { MetricsRegistry } from "../src/metrics/registry.ts";
import { bunModules } from "../src/runtime/bun/modules.ts";
import { loadConfigOrExit, onShutdownSignal } from "../src/runtime/bun/startup.ts";

/** A backend unreachable at start: one line and a non-zero exit, for the supervisor to restart us. */
function cannotStart(what: string): (error: unknown) => never {
  return (error) => {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78);
    }
    console.error(`worker: cannot start: ${what}: ${(error as Error).message}`);
    process.exit(1);
  };
}

const config = loadConfigOrExit();
const log = consoleLogger(config.LOG_LEVEL);
// Mongo: connects, creates indexes and retention (TTL, or a periodic bounded delete where refused).
const store = await buildEventStore(config, bunModules, { log }).catch(cannotStart(`event store ${config.EVENT_STORE}`));
const kafka = `kafka ${config.KAFKA_BROKERS.join(",")}`;
const created = await ensureTopics(config.KAFKA_BROKERS, [config.KAFKA_TOPIC, config.KAFKA_DLQ_TOPIC]).catch(cannotStart(kafka));
if (created.length > 0) console.log(`worker: created topic(s) ${created.join(", ")}`);

const metrics = new MetricsRegistry();
const source = new KafkaBatchSource({
  brokers: config.KAFKA_BROKERS,
  topic: config.KAFKA_TOPIC,
  groupId: config.WORKER_GROUP_ID,
  ...(config.WORKER_INSTANCE_ID ? { instanceId: config.WORKER_INSTANCE_ID } : {}),
  sessionTimeoutMs: config.WORKER_SESSION_TIMEOUT_MS,
  maxBuffered: Math.max(10_000, config.WORKER_BATCH_SIZE * 4),
  log,
});
const deadLetters = new KafkaDeadLetterSink({ brokers: config.KAFKA_BROKERS, topic: config.KAFKA_DLQ_TOPIC });
const worker = new EventWorker({
  source,
  store,
  deadLetters,
  metrics,
  batchSize: config.WORKER_BATCH_SIZE,
  batchMs: config.WORKER_BATCH_MS,
  log,
});
await worker.start().catch(cannotStart(kafka));

const http = workerHttp({ worker, source, store, metrics });
const server = Bun.serve({ port: config.WORKER_PORT, hostname: config.HOST, fetch: http.fetch });
console.log(
  `wide-gate worker listening on http://${server.hostname}:${server.port} ` +
    `(topic=${config.KAFKA_TOPIC}, dlq=${config.KAFKA_DLQ_TOPIC}, group=${config.WORKER_GROUP_ID}, store=${store.name})`,
);

onShutdownSignal(async (signal) => {
  console.log(`${signal}: finishing the batch in hand`);
  await worker.stop(); // commits the batch in hand, then leaves the group
  await deadLetters.close();
  await store.close();
  await server.stop();
  console.log("stopped cleanly");
});
