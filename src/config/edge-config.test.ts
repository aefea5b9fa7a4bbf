import { describe, expect, test } from "bun:test";
import { ConfigError, parseConfig } from "./schema.ts";

/** The edge's variables: the upstash-redis fallback and QUERY_API_URL. */

function errorOf(env: Record<string, string>, servesReads = true): string {
  try {
    parseConfig(env, { servesReads });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

const kafka = { UPSTASH_KAFKA_REST_URL: "http://127.0.0.1:8082", UPSTASH_KAFKA_REST_USERNAME: "u", UPSTASH_KAFKA_REST_PASSWORD: "p" };

describe("edge configuration", () => {
  test("PUBLISHER=upstash-redis is refused with one line: the list is a fallback only", () => {
    const message = errorOf({ PUBLISHER: "upstash-redis", UPSTASH_REDIS_REST_URL: "http://127.0.0.1:8079", UPSTASH_REDIS_REST_TOKEN: "t" });
    expect(message).toContain("PUBLISHER");
    expect(message).toContain("PUBLISHER_FALLBACK");
    expect(message).not.toContain("\n");
  });

  test("PUBLISHER_FALLBACK=upstash-redis requires the Upstash Redis URL and token, also where reads are not served", () => {
    const message = errorOf({ ...kafka, PUBLISHER: "upstash-kafka", PUBLISHER_FALLBACK: "upstash-redis" }, false);
    expect(message).toContain("UPSTASH_REDIS_REST_URL: is required when PUBLISHER_FALLBACK lists upstash-redis");
  });

  test("the fallback list and the query API have defaults", () => {
    const config = parseConfig({});
    expect(config.UPSTASH_REDIS_FALLBACK_KEY).toBe("widegate:publish-fallback");
    expect(config.UPSTASH_REDIS_FALLBACK_MAX_RECORDS).toBe(100_000);
    expect(config.QUERY_API_URL).toBeUndefined();
    expect(config.QUERY_API_TIMEOUT_MS).toBe(30_000);
  });

  test("QUERY_API_URL that is not a URL is named, its value not echoed", () => {
    const message = errorOf({ QUERY_API_URL: "query-api-secret-host" });
    expect(message).toContain("QUERY_API_URL");
    expect(message).not.toContain("query-api-secret-host");
  });
});
