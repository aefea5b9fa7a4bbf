import { describe, expect, test } from "bun:test";
import { parseConfig } from "../../config/schema.ts";
import { createAdapters } from "../../factory/create-adapters.ts";
import { bunModules } from "../../runtime/bun/modules.ts";
import { RefusedPublisher } from "../refused/refused-publisher.ts";
import { NativeKafkaPublisher } from "./native-kafka-publisher.ts";
import { UpstashKafkaPublisher } from "./upstash-kafka-publisher.ts";

const upstash = {
  PUBLISHER: "upstash-kafka",
  UPSTASH_KAFKA_REST_URL: "http://127.0.0.1:8082",
  UPSTASH_KAFKA_REST_USERNAME: "edge",
  UPSTASH_KAFKA_REST_PASSWORD: "secret",
  EVENT_STORE: "memory",
};

describe("the factory picks the Kafka publishers by PUBLISHER (no connection is made)", () => {
  test("upstash-kafka on either runtime", async () => {
    for (const modules of [bunModules, { runtime: "workerd" as const }]) {
      const adapters = await createAdapters(parseConfig(upstash), modules);
      expect(adapters.publisher).toBeInstanceOf(UpstashKafkaPublisher);
      for (const adapter of adapters.all) await adapter.close();
    }
  });

  test("kafka on Bun is the native client", async () => {
    const adapters = await createAdapters(parseConfig({ PUBLISHER: "kafka", EVENT_STORE: "memory" }), bunModules);
    expect(adapters.publisher).toBeInstanceOf(NativeKafkaPublisher);
    for (const adapter of adapters.all) await adapter.close();
  });

  test("kafka on Workers is refused with one line naming PUBLISHER, for ingest only", async () => {
    const adapters = await createAdapters(parseConfig({ PUBLISHER: "kafka", EVENT_STORE: "memory" }), { runtime: "workerd" });
    expect(adapters.refused?.ingest).toContain("PUBLISHER=kafka");
    expect(adapters.refused?.ingest).toContain("use upstash-kafka");
    expect(adapters.publisher).toBeInstanceOf(RefusedPublisher);
  });

  test("upstash-kafka without its credentials names the missing variable", () => {
    expect(() => parseConfig({ PUBLISHER: "upstash-kafka", UPSTASH_KAFKA_REST_URL: "http://x" })).toThrow("UPSTASH_KAFKA_REST_USERNAME");
  });

  test("worker settings have defaults and bounds", () => {
    const config = parseConfig({});
    expect([config.WORKER_PORT, config.WORKER_BATCH_SIZE, config.WORKER_BATCH_MS, config.WORKER_GROUP_ID]).toEqual([
      8788,
      1000,
      250,
      "wide-gate-worker",
    ]);
    expect(() => parseConfig({ WORKER_SESSION_TIMEOUT_MS: "1000" })).toThrow("WORKER_SESSION_TIMEOUT_MS");
  });
});
