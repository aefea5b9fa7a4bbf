import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildWorkerBundle } from "../support/workerd.ts";

/**
 * The Workers bundle carries the HTTP Kafka client and no TCP client: adapters are chosen at run
 * time, so the one bundle serves PUBLISHER=upstash-kafka (and every other value) and must never
 * contain what only Bun can run, nor what only the read side uses.
 */
test("the Workers bundle has @upstash/kafka and no native Kafka, Mongo or OpenAI client", async () => {
  const dir = await buildWorkerBundle();
  const map = JSON.parse(readFileSync(join(dir, "cloudflare-worker.js.map"), "utf8")) as { sources: string[] };
  const sources = map.sources.map((s) => s.replaceAll("\\", "/"));
  const from = (needle: string) => sources.filter((s) => s.includes(needle));

  expect(from("node_modules/@upstash/kafka/").length).toBeGreaterThan(0);
  expect(from("src/adapters/kafka/upstash-kafka-publisher.ts")).toHaveLength(1);
  for (const forbidden of [
    "node_modules/@platformatic/kafka/",
    "node_modules/kafkajs/",
    "node_modules/mongodb/",
    "node_modules/bson/",
    "src/adapters/kafka/native-kafka-publisher.ts",
    "src/adapters/mongo/",
    "src/adapters/kafka/kafka-bridge-backend.ts",
    "src/adapters/sqlite/",
    "src/consumer/",
    // A Worker never searches (it forwards reads), so the OpenAI client stays out of its bundle.
    "node_modules/openai/",
    "src/adapters/openai/",
  ]) {
    expect({ forbidden, found: from(forbidden) }).toEqual({ forbidden, found: [] });
  }
  const code = readFileSync(join(dir, "cloudflare-worker.js"), "utf8");
  for (const marker of ["PLT_KFK", "MongoServerSelectionError", "KafkaJSError"]) expect(code.includes(marker)).toBe(false);
}, 120_000);
