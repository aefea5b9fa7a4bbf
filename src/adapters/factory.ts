import type { Config } from "../config/schema.ts";
import { ConfigError } from "../config/schema.ts";
import type { EventStore } from "../ports/event-store.ts";
import type { Lifecycle } from "../ports/health.ts";
import type { Publisher } from "../ports/publisher.ts";
import type { SessionCache } from "../ports/session-cache.ts";
import { MemoryEventStore } from "./memory/memory-event-store.ts";
import { MemoryPublisher } from "./memory/memory-publisher.ts";
import { MemorySessionCache } from "./memory/memory-session-cache.ts";

/**
 * Adapters that need a runtime the Workers bundle must not contain (bun:sqlite, TCP clients).
 * A Bun entry passes loaders for them; the edge entry passes none, so they are never bundled.
 */
export interface RuntimeModules {
  runtime: "bun" | "workerd";
  embeddedStore?: () => Promise<typeof import("./embedded/sqlite-event-store.ts")>;
}

export interface Adapters {
  publisher: Publisher;
  eventStore: EventStore;
  sessionCache: SessionCache;
  /** Everything that /readyz asks and shutdown closes, in close order. */
  all: Lifecycle[];
}

function unavailable(variable: string, value: string, why: string): never {
  throw new ConfigError(`invalid configuration: ${variable}=${value}: ${why}`);
}

/** The one place that switches on config and constructs adapters. */
export async function createAdapters(config: Config, modules: RuntimeModules): Promise<Adapters> {
  const publisher = buildPublisher(config);
  const eventStore = await buildEventStore(config, modules);
  const sessionCache = buildSessionCache(config);
  return { publisher, eventStore, sessionCache, all: [publisher, eventStore, sessionCache] };
}

function buildPublisher(config: Config): Publisher {
  switch (config.PUBLISHER) {
    case "memory":
      return new MemoryPublisher();
    default:
      return unavailable("PUBLISHER", config.PUBLISHER, "this adapter is not built yet (available: memory)");
  }
}

async function buildEventStore(config: Config, modules: RuntimeModules): Promise<EventStore> {
  switch (config.EVENT_STORE) {
    case "memory":
      return new MemoryEventStore();
    case "embedded": {
      if (!modules.embeddedStore) {
        return unavailable("EVENT_STORE", "embedded", `needs the Bun runtime (this is ${modules.runtime}); use mongo or memory`);
      }
      const { SqliteEventStore } = await modules.embeddedStore();
      return new SqliteEventStore(config.DATA_DIR);
    }
    default:
      return unavailable("EVENT_STORE", config.EVENT_STORE, "this adapter is not built yet (available: embedded, memory)");
  }
}

function buildSessionCache(config: Config): SessionCache {
  switch (config.SESSION_CACHE_TYPE) {
    case "memory":
      return new MemorySessionCache();
    default:
      return unavailable("SESSION_CACHE_TYPE", config.SESSION_CACHE_TYPE, "this adapter is not built yet (available: memory)");
  }
}
