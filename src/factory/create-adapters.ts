import { DiscardPublisher } from "../adapters/discard/discard-publisher.ts";
import { UpstashKafkaPublisher } from "../adapters/kafka/upstash-kafka-publisher.ts";
import { MemoryEventStore } from "../adapters/memory/memory-event-store.ts";
import { MemoryPublisher } from "../adapters/memory/memory-publisher.ts";
import { MemorySessionCache } from "../adapters/memory/memory-session-cache.ts";
import { createUpstashRateLimiter } from "../adapters/redis/upstash-rate-limit.ts";
import { createUpstashSessionCache } from "../adapters/redis/upstash-redis.ts";
import { UpstashRedisFallback } from "../adapters/redis/upstash-redis-fallback.ts";
import { UpstashRedisList } from "../adapters/redis/upstash-redis-list.ts";
import { RefusedEventStore } from "../adapters/refused/refused-event-store.ts";
import { RefusedPublisher } from "../adapters/refused/refused-publisher.ts";
import { RulesLlm } from "../adapters/rules/rules-llm.ts";
import type { Config, PublisherName } from "../config/schema.ts";
import { ConfigError } from "../config/schema.ts";
import { workersIngestRefusal, workersReadRefusal } from "../config/workers-support.ts";
import { DirectPublisher } from "../delivery/direct-publisher.ts";
import { FallbackPublisher } from "../delivery/fallback-publisher.ts";
import { MemoryRateLimiter } from "../domain/ratelimit/memory-limiter.ts";
import type { Logger } from "../log/logger.ts";
import type { MetricsRegistry } from "../metrics/registry.ts";
import type { Adapters } from "../ports/adapters.ts";
import type { EventStore } from "../ports/event-store.ts";
import type { Llm } from "../ports/llm.ts";
import type { LocalQueue, Publisher } from "../ports/publisher.ts";
import type { RateLimiter } from "../ports/rate-limit.ts";
import type { SessionCache } from "../ports/session-cache.ts";
import { DistinctCache } from "../search/cached-distinct.ts";
import { DegradingSessionCache } from "../search/degrading-session-cache.ts";

/**
 * Adapters that need a runtime the Workers bundle must not contain (bun:sqlite, TCP clients).
 * A Bun entry passes loaders for them; the edge entry passes none, so they are never bundled.
 */
export interface RuntimeModules {
  runtime: "bun" | "workerd";
  embeddedStore?: () => Promise<typeof import("../adapters/sqlite/sqlite-event-store.ts")>;
  mongoStore?: () => Promise<typeof import("../adapters/mongo/mongo-event-store.ts")>;
  nativeKafka?: () => Promise<typeof import("../adapters/kafka/native-kafka-publisher.ts")>;
  redisSessionCache?: () => Promise<typeof import("../adapters/redis/redis-tcp.ts")>;
  redisRateLimit?: () => Promise<typeof import("../adapters/redis/redis-tcp-rate-limit.ts")>;
  fileSpool?: () => Promise<typeof import("../adapters/file/file-spool.ts")>;
  /** The OpenAI client is a large bundle and a Worker never searches: only Bun entries load it. */
  openAiLlm?: () => Promise<typeof import("../adapters/openai/openai-llm.ts")>;
}

/** What adapters report into: the process's metrics registry and log. */
export interface AdapterContext {
  metrics?: MetricsRegistry;
  log?: Logger;
}

function unavailable(variable: string, value: string, why: string): never {
  throw new ConfigError(`invalid configuration: ${variable}=${value}: ${why}`);
}

/** The one place that switches on config and constructs adapters. */
export async function createAdapters(config: Config, modules: RuntimeModules, context: AdapterContext = {}): Promise<Adapters> {
  if (modules.runtime === "workerd") return createWorkersAdapters(config, modules, context);
  const eventStore = await buildEventStore(config, modules, context);
  const { publisher, localQueue } = await buildPublisher(config, modules, eventStore, context);
  const sessionCache = await buildSessionCache(config, modules, context);
  const llm = await buildLlm(config, modules);
  const rateLimiter = await buildRateLimiter(config, modules);
  // The LLM is not in `all`: an outage there only means the rules parser answers, never "not ready".
  return {
    publisher,
    eventStore,
    sessionCache,
    llm,
    rateLimiter,
    ...(localQueue ? { localQueue } : {}),
    all: [publisher, eventStore, sessionCache],
  };
}

/**
 * A Worker only ingests. What it cannot do becomes an adapter that refuses, each with the line
 * naming its variable, so create-app refuses ingest and reads apart: a read setting never stops ingest.
 */
async function createWorkersAdapters(config: Config, modules: RuntimeModules, context: AdapterContext): Promise<Adapters> {
  const ingest = workersIngestRefusal(config);
  const reads = workersReadRefusal(config);
  const eventStore = new RefusedEventStore(config.EVENT_STORE, reads);
  const publisher = ingest
    ? new RefusedPublisher(config.PUBLISHER, ingest)
    : (await buildPublisher(config, modules, eventStore, context)).publisher;
  const sessionCache = new MemorySessionCache({ ttlSeconds: config.SESSION_TTL_SECONDS, maxTurns: config.SESSION_MAX_TURNS });
  const rateLimiter = await buildRateLimiter(config, modules);
  return {
    publisher,
    eventStore,
    sessionCache,
    llm: new RulesLlm(),
    rateLimiter,
    refused: { reads, ...(ingest ? { ingest } : {}) },
    all: [publisher],
  };
}

/** Workers: one produce request may wait 5 s and is not retried in place; WaitUntilSink retries within its budget. */
const WORKERS_PUBLISH_BOUNDS = { retries: 0, requestTimeoutMs: 5000 };

/**
 * PUBLISHER, wrapped in a circuit breaker over PUBLISHER_FALLBACK when fallbacks are listed; with
 * PUBLISHER=memory also its queue, which the all-in-one server drains itself (a wrapper would hide it).
 */
async function buildPublisher(
  config: Config,
  modules: RuntimeModules,
  store: EventStore,
  context: AdapterContext,
): Promise<{ publisher: Publisher; localQueue?: LocalQueue }> {
  const primary = await buildOnePublisher(config.PUBLISHER, "PUBLISHER", config, modules, store, context);
  const queue = primary instanceof MemoryPublisher ? { localQueue: primary } : {};
  if (config.PUBLISHER_FALLBACK.length === 0) return { publisher: primary, ...queue };
  const fallbacks: Publisher[] = [];
  for (const name of config.PUBLISHER_FALLBACK) {
    fallbacks.push(await buildOnePublisher(name, "PUBLISHER_FALLBACK", config, modules, store, context));
  }
  return { publisher: new FallbackPublisher(primary, fallbacks, context), ...queue };
}

async function buildOnePublisher(
  name: PublisherName,
  variable: string,
  config: Config,
  modules: RuntimeModules,
  store: EventStore,
  context: AdapterContext,
): Promise<Publisher> {
  switch (name) {
    case "memory":
      return new MemoryPublisher();
    case "upstash-kafka":
      return new UpstashKafkaPublisher({
        url: config.UPSTASH_KAFKA_REST_URL ?? "",
        username: config.UPSTASH_KAFKA_REST_USERNAME ?? "",
        password: config.UPSTASH_KAFKA_REST_PASSWORD ?? "",
        topic: config.KAFKA_TOPIC,
        ...(modules.runtime === "workerd" ? WORKERS_PUBLISH_BOUNDS : {}),
        maxMessageBytes: config.KAFKA_MAX_MESSAGE_BYTES,
        deadLetterTopic: config.KAFKA_DLQ_TOPIC,
        ...context,
      });
    case "kafka": {
      if (!modules.nativeKafka) {
        return unavailable(variable, "kafka", `native Kafka needs the Bun runtime (this is ${modules.runtime}); use upstash-kafka`);
      }
      const { NativeKafkaPublisher } = await modules.nativeKafka();
      return new NativeKafkaPublisher({
        brokers: config.KAFKA_BROKERS,
        topic: config.KAFKA_TOPIC,
        maxMessageBytes: config.KAFKA_MAX_MESSAGE_BYTES,
        deadLetterTopic: config.KAFKA_DLQ_TOPIC,
        ...context,
      });
    }
    case "file": {
      if (!modules.fileSpool) return unavailable(variable, "file", `the local spool needs the Bun runtime (this is ${modules.runtime})`);
      const { FileSpool } = await modules.fileSpool();
      return new FileSpool(config.DATA_DIR);
    }
    case "direct":
      return new DirectPublisher(store, context.metrics);
    case "discard":
      return new DiscardPublisher();
    case "upstash-redis":
      return new UpstashRedisFallback(upstashRedisFallbackList(config), {
        maxRecords: config.UPSTASH_REDIS_FALLBACK_MAX_RECORDS,
        ...context,
      });
  }
}

/** The list PUBLISHER_FALLBACK=upstash-redis pushes to and `npm run edge:drain` reads. */
export function upstashRedisFallbackList(config: Config): UpstashRedisList {
  return new UpstashRedisList({
    url: config.UPSTASH_REDIS_REST_URL ?? "",
    token: config.UPSTASH_REDIS_REST_TOKEN ?? "",
    key: config.UPSTASH_REDIS_FALLBACK_KEY,
  });
}

/** The selected store, ready (Mongo: connected, indexed, capabilities probed), with distinct() cached. Also used alone by the worker. */
export async function buildEventStore(config: Config, modules: RuntimeModules, context: AdapterContext = {}): Promise<EventStore> {
  return new DistinctCache(await openEventStore(config, modules, context));
}

async function openEventStore(config: Config, modules: RuntimeModules, context: AdapterContext): Promise<EventStore> {
  switch (config.EVENT_STORE) {
    case "memory":
      return new MemoryEventStore();
    case "embedded": {
      if (!modules.embeddedStore) {
        return unavailable("EVENT_STORE", "embedded", `needs the Bun runtime (this is ${modules.runtime}); use mongo or memory`);
      }
      const { SqliteEventStore } = await modules.embeddedStore();
      return new SqliteEventStore(config.DATA_DIR, { rollupRetentionDays: config.ROLLUP_RETENTION_DAYS });
    }
    case "mongo": {
      if (!modules.mongoStore) return unavailable("EVENT_STORE", "mongo", `needs the Bun runtime (this is ${modules.runtime})`);
      const { MongoEventStore } = await modules.mongoStore();
      const store = new MongoEventStore({
        uri: config.MONGODB_URI ?? "",
        db: config.MONGODB_DB,
        collection: config.MONGODB_COLLECTION,
        retentionDays: config.RETENTION_DAYS,
        rollupCollection: config.MONGODB_ROLLUP_COLLECTION,
        rollupRetentionDays: config.ROLLUP_RETENTION_DAYS,
        ...(context.log ? { log: context.log } : {}),
      });
      await store.init();
      return store;
    }
  }
}

/** Redis and Upstash are wrapped: when they fail, sessions degrade to memory and come back later. */
async function buildSessionCache(config: Config, modules: RuntimeModules, context: AdapterContext): Promise<SessionCache> {
  const log = context.log ? { log: context.log } : {};
  const limits = { ttlSeconds: config.SESSION_TTL_SECONDS, maxTurns: config.SESSION_MAX_TURNS };
  const memory = new MemorySessionCache(limits);
  switch (config.SESSION_CACHE_TYPE) {
    case "memory":
      return memory;
    case "redis": {
      if (!modules.redisSessionCache) {
        return unavailable("SESSION_CACHE_TYPE", "redis", `the TCP client needs the Bun runtime (this is ${modules.runtime}); use upstash`);
      }
      const { createRedisTcpSessionCache } = await modules.redisSessionCache();
      return new DegradingSessionCache(createRedisTcpSessionCache(config.REDIS_URL ?? "", limits), memory, log);
    }
    case "upstash": {
      const upstash = createUpstashSessionCache(config.UPSTASH_REDIS_REST_URL ?? "", config.UPSTASH_REDIS_REST_TOKEN ?? "", limits);
      return new DegradingSessionCache(upstash, memory, { opTimeoutMs: 2000, ...log });
    }
  }
}

/** RATE_LIMIT_STORE: where the buckets of RATE_LIMIT_INGEST / RATE_LIMIT_QUERY live. */
async function buildRateLimiter(config: Config, modules: RuntimeModules): Promise<RateLimiter> {
  switch (config.RATE_LIMIT_STORE) {
    case "memory":
      return new MemoryRateLimiter();
    case "redis": {
      if (!modules.redisRateLimit) {
        return unavailable("RATE_LIMIT_STORE", "redis", `the TCP client needs the Bun runtime (this is ${modules.runtime}); use upstash`);
      }
      const { createRedisTcpRateLimiter } = await modules.redisRateLimit();
      return createRedisTcpRateLimiter(config.REDIS_URL ?? "");
    }
    case "upstash":
      return createUpstashRateLimiter(config.UPSTASH_REDIS_REST_URL ?? "", config.UPSTASH_REDIS_REST_TOKEN ?? "");
  }
}

async function buildLlm(config: Config, modules: RuntimeModules): Promise<Llm> {
  if (config.LLM_PROVIDER === "rules") return new RulesLlm();
  if (!modules.openAiLlm)
    unavailable("LLM_PROVIDER", config.LLM_PROVIDER, `not available on ${modules.runtime} without the OpenAI client module`);
  const { OpenAiLlm } = await modules.openAiLlm();
  return new OpenAiLlm({
    apiKey: config.OPENAI_API_KEY ?? "",
    baseURL: config.OPENAI_BASE_URL,
    model: config.OPENAI_MODEL,
    timeoutMs: config.LLM_TIMEOUT_MS,
  });
}
