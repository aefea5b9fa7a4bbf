import type { EventStore } from "./event-store.ts";
import type { Lifecycle } from "./health.ts";
import type { Llm } from "./llm.ts";
import type { LocalQueue, Publisher } from "./publisher.ts";
import type { RateLimiter } from "./rate-limit.ts";
import type { SessionCache } from "./session-cache.ts";

/** Settings this runtime cannot honour, each as one line naming its variable: the app refuses the routes that need them. */
export interface Refusals {
  /** Ingest (POST /v1/events, /v1/logs) answers 503 with this line. */
  ingest?: string;
  /** Read routes (query, events, search) answer 501 with this line. */
  reads?: string;
}

/** One adapter per port, as the factory chose them from config; what the app is built from. */
export interface Adapters {
  publisher: Publisher;
  eventStore: EventStore;
  sessionCache: SessionCache;
  llm: Llm;
  /** RATE_LIMIT_STORE's buckets. Not in `all`: an unreachable store fails open, it never makes the gateway "not ready". */
  rateLimiter?: RateLimiter;
  /** With PUBLISHER=memory (fallbacks or not): the queue nothing but this process drains. */
  localQueue?: LocalQueue;
  /** What create-app must refuse, set by the factory (Workers). */
  refused?: Refusals;
  /** Everything that /readyz asks and shutdown closes, in close order. */
  all: Lifecycle[];
}
