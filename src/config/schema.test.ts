import { describe, expect, test } from "bun:test";
import type { SamplingRule } from "../domain/sampling/types.ts";
import { ConfigError, parseConfig } from "./schema.ts";

function errorOf(env: Record<string, string>): string {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("parseConfig", () => {
  test("no env at all gives the embedded defaults", () => {
    const config = parseConfig({});
    expect(config.PORT).toBe(8787);
    expect(config.PUBLISHER).toBe("memory");
    expect(config.EVENT_STORE).toBe("embedded");
    expect(config.SESSION_CACHE_TYPE).toBe("memory");
    expect(config.LLM_PROVIDER).toBe("rules");
    expect(config.SAMPLING_NORMAL_RATE).toBe(0.05);
    expect(config.SAMPLING_SLOW_MS).toBe(2000);
    expect(config.KAFKA_TOPIC).toBe("wide-events");
    expect(config.INGEST_MAX_BODY_BYTES).toBe(10 * 1024 * 1024);
    expect(config.INGEST_API_KEYS).toBeUndefined();
  });

  test("empty strings count as unset", () => {
    expect(parseConfig({ PUBLISHER: "", PORT: " " }).PUBLISHER).toBe("memory");
  });

  test("an unknown adapter name is one line naming the variable and the choices", () => {
    const message = errorOf({ EVENT_STORE: "postgres" });
    expect(message).toContain("EVENT_STORE=postgres");
    expect(message).toContain("embedded");
    expect(message).not.toContain("\n");
  });

  test("a selected adapter without its URL names the missing variable", () => {
    const message = errorOf({ PUBLISHER: "upstash-kafka" });
    expect(message).toContain("UPSTASH_KAFKA_REST_URL: is required when PUBLISHER=upstash-kafka");
    expect(message).not.toContain("\n");
  });

  test("each adapter's required variables are checked", () => {
    expect(errorOf({ EVENT_STORE: "mongo" })).toContain("MONGODB_URI");
    expect(errorOf({ SESSION_CACHE_TYPE: "redis" })).toContain("REDIS_URL");
    expect(errorOf({ SESSION_CACHE_TYPE: "upstash" })).toContain("UPSTASH_REDIS_REST_TOKEN");
    expect(errorOf({ LLM_PROVIDER: "openai" })).toContain("OPENAI_API_KEY");
    expect(errorOf({ PUBLISHER_FALLBACK: "file,upstash-kafka" })).toContain("UPSTASH_KAFKA_REST_URL");
  });

  test("numbers out of range name the variable", () => {
    expect(errorOf({ SAMPLING_NORMAL_RATE: "1.5" })).toContain("SAMPLING_NORMAL_RATE=1.5");
    expect(errorOf({ PORT: "http" })).toContain("PORT=http");
  });

  test("secrets are never echoed in an error", () => {
    const message = errorOf({ REDIS_URL: "http://user:hunter2@host", SESSION_CACHE_TYPE: "redis" });
    expect(message).toContain("REDIS_URL");
    expect(message).not.toContain("hunter2");
  });

  test("API keys parse as key:tenant pairs", () => {
    const config = parseConfig({ INGEST_API_KEYS: "k1:acme, k2:globex" });
    expect(config.INGEST_API_KEYS?.get("k1")).toBe("acme");
    expect(config.INGEST_API_KEYS?.get("k2")).toBe("globex");
    expect(errorOf({ INGEST_API_KEYS: "justakey" })).toContain("INGEST_API_KEYS");
  });

  test("a malformed API key entry is named by its position, never echoed", () => {
    const message = errorOf({ INGEST_API_KEYS: "good:acme,sk_live_supersecretvalue" });
    expect(message).toBe("invalid configuration: INGEST_API_KEYS: entry 2 of 2 is not a key:tenant pair");
    expect(message).not.toContain("sk_live");
  });

  test("an API key entry given as sha256:<64 hex>:tenant is kept as the hashed key", () => {
    const hex = "a".repeat(64);
    const config = parseConfig({ QUERY_API_KEYS: `sha256:${hex}:acme,plain:acme` });
    expect(config.QUERY_API_KEYS?.get(`sha256:${hex}`)).toBe("acme");
    expect(config.QUERY_API_KEYS?.get("plain")).toBe("acme");
  });

  test("a sha256: entry that is not 64 hex digits stops start-up by position, never echoed", () => {
    const message = errorOf({ INGEST_API_KEYS: "good:acme,sha256:deadbeefcafe:acme" });
    expect(message).toBe(
      "invalid configuration: INGEST_API_KEYS: entry 2 of 2 starts with sha256: but is not sha256:<64 hex digits>:tenant",
    );
    expect(message).not.toContain("deadbeef");
  });

  test("sampling rules are parsed and validated as JSON", () => {
    const rules: SamplingRule[] = [{ name: "drop-health", rate: 0, when: [{ field: "route", op: "eq", value: "/health" }] }];
    expect(parseConfig({ SAMPLING_RULES: JSON.stringify(rules) }).SAMPLING_RULES).toEqual(rules);
    expect(errorOf({ SAMPLING_RULES: "[{" })).toContain("SAMPLING_RULES");
    expect(errorOf({ SAMPLING_RULES: '[{"name":"x","rate":2,"when":[{"field":"a","op":"eq"}]}]' })).toContain("SAMPLING_RULES");
    expect(errorOf({ SAMPLING_RULES: '[{"name":"x","rate":1,"when":[{"field":"a","op":"$where"}]}]' })).toContain("SAMPLING_RULES");
  });

  test("critical routes and brokers are comma lists", () => {
    const config = parseConfig({ SAMPLING_CRITICAL_ROUTES: "/api/pay, /api/checkout/*", KAFKA_BROKERS: "a:9092,b:9093" });
    expect(config.SAMPLING_CRITICAL_ROUTES).toEqual(["/api/pay", "/api/checkout/*"]);
    expect(config.KAFKA_BROKERS).toEqual(["a:9092", "b:9093"]);
    expect(errorOf({ KAFKA_BROKERS: "nohostport" })).toContain("KAFKA_BROKERS");
  });
});
