// The Upstash-Kafka-compatible REST bridge (`bun run bridge`): @upstash/kafka clients → HTTP → this → any Kafka cluster.

import { KafkaBackend } from "../src/adapters/kafka/kafka-bridge-backend.ts";
import { createBridge } from "../src/bridge/create-bridge.ts";
import { MetricsRegistry } from "../src/metrics/registry.ts";
import { loadConfigOrExit, onShutdownSignal } from "../src/runtime/bun/startup.ts";
import { bunHostname, serveOrExit } from "../src/runtime/bun/startup-failure.ts";

const config = loadConfigOrExit();
const username = config.UPSTASH_KAFKA_REST_USERNAME;
const password = config.UPSTASH_KAFKA_REST_PASSWORD;
if (!username || !password) {
  const missing = username ? "UPSTASH_KAFKA_REST_PASSWORD" : "UPSTASH_KAFKA_REST_USERNAME";
  console.error(`invalid configuration: ${missing}: is required by the bridge (clients authenticate with these Basic credentials)`);
  process.exit(78);
}

const backend = new KafkaBackend({ brokers: config.KAFKA_BROKERS });
const app = createBridge({ username, password, backend, metrics: new MetricsRegistry() });
const hostname = bunHostname(config.HOST);
const server = serveOrExit({ port: config.BRIDGE_PORT, hostname, portVariable: "BRIDGE_PORT" }, () =>
  Bun.serve({ port: config.BRIDGE_PORT, hostname, fetch: app.fetch }),
);
console.log(`wide-gate bridge listening on http://${server.hostname}:${server.port} (kafka ${config.KAFKA_BROKERS.join(",")})`);

onShutdownSignal(async (signal) => {
  console.log(`${signal}: draining`);
  await server.stop(); // in-flight produce requests finish and are acknowledged
  await backend.close();
  console.log("stopped cleanly");
});
