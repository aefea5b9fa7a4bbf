// The all-in-one server (`npm start`): gateway, search API and embedded consumer in one Bun process.

import { RollupFlusher } from "../src/delivery/rollup-flusher.ts";
import { buildBunDelivery } from "../src/delivery/wal/build-sink.ts";
import { createAdapters } from "../src/factory/create-adapters.ts";
import { createApp } from "../src/http/create-app.ts";
import { installEmbeddedEventsJsonSkimmer } from "../src/ingest/events-json-wasm-embedded.ts";
import { createIngestSetup } from "../src/ingest/ingest-setup.ts";
import { installEmbeddedOtlpJsonReader } from "../src/ingest/otlp-json-wasm-embedded.ts";
import { consoleLogger } from "../src/log/logger.ts";
import { MetricsRegistry } from "../src/metrics/registry.ts";
import { bunModules } from "../src/runtime/bun/modules.ts";
import { announceAuthMode, exitOnConfigError, loadConfigOrExit, onShutdownSignal } from "../src/runtime/bun/startup.ts";
import { exitOnStartupError, serveOrExit } from "../src/runtime/bun/startup-failure.ts";

const config = loadConfigOrExit();
installEmbeddedOtlpJsonReader();
installEmbeddedEventsJsonSkimmer();
const metrics = new MetricsRegistry();
const log = consoleLogger(config.LOG_LEVEL);
const adapters = await createAdapters(config, bunModules, { metrics, log }).catch((error) => exitOnStartupError(error, config.DATA_DIR));
// BUFFER=disk: every 202 is on disk first; BUFFER=memory with PUBLISHER=memory: an embedded consumer writes the queue to the store.
const {
  sink,
  consumer,
  describe: buffer,
} = await buildBunDelivery(config, adapters, { metrics, log }).catch((error) => exitOnStartupError(error, config.DATA_DIR));
consumer?.start();

// Bun's own limit answers 413 in plain text before our handler runs; our route's limits (checked on
// Content-Length and while streaming) give the JSON error, so Bun's is only a far backstop.
const BODY_BACKSTOP_BYTES = 2 ** 32;
let draining = false;
const app = (() => {
  try {
    const setup = createIngestSetup(config, metrics);
    return { setup, app: createApp({ config, adapters, sink, metrics, setup, rollupsFlushedBy: "timer", isDraining: () => draining }) };
  } catch (error) {
    return exitOnConfigError(error);
  }
})();
// Counts from all requests, published as one delta per tenant every ROLLUP_FLUSH_MS.
const rollups = app.setup.rollups ? new RollupFlusher(app.setup.rollups, sink, config.ROLLUP_FLUSH_MS, log) : undefined;
rollups?.start();
// Open dev mode takes any caller as tenant `default`: keep it off the network unless HOST says otherwise.
const hostname = config.HOST ?? (config.INGEST_API_KEYS && config.QUERY_API_KEYS ? "0.0.0.0" : "127.0.0.1");
const server = serveOrExit({ port: config.PORT, hostname, portVariable: "PORT" }, () =>
  Bun.serve({ port: config.PORT, hostname, fetch: app.app.fetch, maxRequestBodySize: BODY_BACKSTOP_BYTES }),
);
announceAuthMode(config);
console.log(
  `wide-gate listening on http://${server.hostname}:${server.port} (publisher=${config.PUBLISHER}, store=${config.EVENT_STORE}, ${buffer})`,
);

onShutdownSignal(async (signal) => {
  console.log(`${signal}: draining`);
  draining = true;
  await server.stop(); // stop accepting; resolves when in-flight requests are done
  await rollups?.stop(); // queue the last counts behind the events
  await sink.drain(); // publish what the gateway accepted (the disk buffer keeps, and reports, what it could not)
  await consumer?.stop(); // and, all-in-one, write it to the store
  for (const component of adapters.all) await component.close().catch(() => {});
  console.log("stopped cleanly");
});
