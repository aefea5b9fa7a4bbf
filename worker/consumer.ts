// The Kafka → event store worker (`bun run worker`): a consumer-group member of KAFKA_TOPIC that
// writes batches to the event store, dead-letters poison to KAFKA_DLQ_TOPIC, and commits after the write.

import { ensureTopics } from "../src/adapters/kafka/ensure-topics.ts";
import { KafkaBatchSource } from "../src/adapters/kafka/kafka-batch-source.ts";
import { KafkaDeadLetterSink } from "../src/adapters/kafka/kafka-dead-letter-sink.ts";
import { EventWorker } from "../src/consumer/event-worker.ts";
import { workerHttp } from "../src/consumer/worker-http.ts";
import { buildEventStore } from "../src/factory/create-adapters.ts";
import { consoleLogger } from "../src/log/logger.ts";
import { MetricsRegistry } from "../src/metrics/registry.ts";
import { bunModules } from "../src/runtime/bun/modules.ts";
import { loadConfigOrExit, onShutdownSignal } from "../src/runtime/bun/startup.ts";
import { bunHostname, exitOnBackendError, serveOrExit } from "../src/runtime/bun/startup-failure.ts";

const config = loadConfigOrExit();
const log = consoleLogger(config.LOG_LEVEL);
const storeBackend =
  config.EVENT_STORE === "mongo"
    ? { name: "the event store (mongo)", variable: "MONGODB_URI", hint: "start MongoDB or FerretDB, or fix MONGODB_URI" }
    : { name: `the event store (${config.EVENT_STORE})`, variable: "EVENT_STORE", hint: "check EVENT_STORE and DATA_DIR" };
const kafkaBackend = {
  name: "Kafka",
  variable: "KAFKA_BROKERS",
  where: config.KAFKA_BROKERS.join(","),
  hint: "start Kafka or set KAFKA_BROKERS to reachable brokers",
};
// Mongo: connects, creates indexes and retention (TTL, or a periodic bounded delete where refused).
const store = await buildEventStore(config, bunModules, { log }).catch(exitOnBackendError("worker", storeBackend, config.DATA_DIR));

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
// Bind before joining the group: a taken port must not cost a rebalance of the other members.
const http = workerHttp({ worker, source, store, metrics });
const hostname = bunHostname(config.HOST);
const server = serveOrExit({ port: config.WORKER_PORT, hostname, portVariable: "WORKER_PORT" }, () =>
  Bun.serve({ port: config.WORKER_PORT, hostname, fetch: http.fetch }),
);
const created = await ensureTopics(config.KAFKA_BROKERS, [config.KAFKA_TOPIC, config.KAFKA_DLQ_TOPIC]).catch(
  exitOnBackendError("worker", kafkaBackend, config.DATA_DIR),
);
if (created.length > 0) console.log(`worker: created topic(s) ${created.join(", ")}`);
await worker.start().catch(exitOnBackendError("worker", kafkaBackend, config.DATA_DIR));
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
