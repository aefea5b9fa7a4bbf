// The all-in-one server (`bun start`): gateway, search API and embedded pipeline in one process.

import { createAdapters } from "../src/adapters/factory.ts";
import { MemoryPublisher } from "../src/adapters/memory/memory-publisher.ts";
import { createApp } from "../src/app/create-app.ts";
import { ConfigError } from "../src/config/schema.ts";
import { EmbeddedPipeline } from "../src/pipeline/embedded-pipeline.ts";
import { bunModules } from "../src/runtime/bun/modules.ts";
import { announceAuthMode, loadConfigOrExit, onShutdownSignal } from "../src/runtime/bun/startup.ts";

const config = loadConfigOrExit();
const adapters = await createAdapters(config, bunModules).catch((error: unknown) => {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(78);
});

const pipeline = adapters.publisher instanceof MemoryPublisher ? new EmbeddedPipeline(adapters.publisher, adapters.eventStore) : undefined;
pipeline?.start();

let draining = false;
const app = createApp({ config, adapters, isDraining: () => draining });
const server = Bun.serve({ port: config.PORT, hostname: process.env.HOST ?? "0.0.0.0", fetch: app.fetch });
announceAuthMode(config);
console.log(`wide-gate listening on http://${server.hostname}:${server.port} (publisher=${config.PUBLISHER}, store=${config.EVENT_STORE})`);

onShutdownSignal(async (signal) => {
  console.log(`${signal}: draining`);
  draining = true;
  await server.stop(); // stop accepting; resolves when in-flight requests are done
  await pipeline?.stop(); // write what the gateway accepted
  for (const component of adapters.all) await component.close().catch(() => {});
  console.log("stopped cleanly");
});
