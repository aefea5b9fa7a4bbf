import type { RuntimeModules } from "../../factory/create-adapters.ts";

/** Bun-only adapters, loaded only when the config selects them. */
export const bunModules: RuntimeModules = {
  runtime: "bun",
  embeddedStore: () => import("../../adapters/sqlite/sqlite-event-store.ts"),
  mongoStore: () => import("../../adapters/mongo/mongo-event-store.ts"),
  nativeKafka: () => import("../../adapters/kafka/native-kafka-publisher.ts"),
  redisSessionCache: () => import("../../adapters/redis/redis-tcp.ts"),
  redisRateLimit: () => import("../../adapters/redis/redis-tcp-rate-limit.ts"),
  fileSpool: () => import("../../adapters/file/file-spool.ts"),
  openAiLlm: () => import("../../adapters/openai/openai-llm.ts"),
};
