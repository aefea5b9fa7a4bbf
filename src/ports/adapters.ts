import type { EventStore } from "./event-store.ts";
import type { Lifecycle } from "./health.ts";
import type { Llm } from "./llm.ts";
import type { LocalQueue, Publisher } from "./publisher.ts";
import type { SessionCache } from "./session-cache.ts";

/** One adapter per port, as the factory chose them from config; what the app is built from. */
export interface Adapters {
  publisher: Publisher;
  eventStore: EventStore;
  sessionCache: SessionCache;
  llm: Llm;
  /** With PUBLISHER=memory (fallbacks or not): the queue nothing but this process drains. */
  localQueue?: LocalQueue;
  /** Everything that /readyz asks and shutdown closes, in close order. */
  all: Lifecycle[];
}
