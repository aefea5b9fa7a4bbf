import { describe, expect, test } from "bun:test";
import { EVENT_STORES, PUBLISHERS, parseConfig } from "./schema.ts";
import { workersIngestRefusal, workersReadRefusal } from "./workers-support.ts";

const WORKS_ON_WORKERS = ["upstash-kafka", "discard"];
const upstash = { UPSTASH_KAFKA_REST_URL: "http://127.0.0.1:8082", UPSTASH_KAFKA_REST_USERNAME: "u", UPSTASH_KAFKA_REST_PASSWORD: "p" };

describe("what a Worker refuses", () => {
  // upstash-redis is a fallback only: parseConfig already refuses it as PUBLISHER (schema.test.ts).
  for (const publisher of PUBLISHERS.filter((p) => p !== "upstash-redis")) {
    const works = WORKS_ON_WORKERS.includes(publisher);
    test(`PUBLISHER=${publisher}: ${works ? "ingest works" : "ingest is refused with one line naming PUBLISHER"}`, () => {
      const refusal = workersIngestRefusal(parseConfig({ ...upstash, PUBLISHER: publisher }, { servesReads: false }));
      if (works) expect(refusal).toBeUndefined();
      else expect(refusal).toStartWith(`invalid configuration: PUBLISHER=${publisher}: `);
    });
  }

  test("PUBLISHER_FALLBACK=upstash-redis works on Workers (its list is reached over HTTP)", () => {
    const config = parseConfig(
      {
        ...upstash,
        PUBLISHER: "upstash-kafka",
        PUBLISHER_FALLBACK: "upstash-redis",
        UPSTASH_REDIS_REST_URL: "http://127.0.0.1:8079",
        UPSTASH_REDIS_REST_TOKEN: "t",
      },
      { servesReads: false },
    );
    expect(workersIngestRefusal(config)).toBeUndefined();
  });

  test("a fallback a Worker cannot run is refused naming PUBLISHER_FALLBACK", () => {
    const config = parseConfig({ ...upstash, PUBLISHER: "upstash-kafka", PUBLISHER_FALLBACK: "memory" }, { servesReads: false });
    expect(workersIngestRefusal(config)).toStartWith("invalid configuration: PUBLISHER_FALLBACK=memory: ");
  });

  for (const store of EVENT_STORES) {
    test(`EVENT_STORE=${store}: reads are refused naming it, advising only the Bun query API`, () => {
      const refusal = workersReadRefusal(parseConfig({ EVENT_STORE: store }, { servesReads: false }));
      expect(refusal).toStartWith(`EVENT_STORE=${store}: `);
      expect(refusal).toContain("query API on Bun");
      expect(refusal).not.toMatch(/use (mongo|memory|embedded)\b/);
    });
  }

  test("a read-side requirement (MONGODB_URI for EVENT_STORE=mongo) is not checked where reads are not served", () => {
    expect(() => parseConfig({ EVENT_STORE: "mongo" })).toThrow("MONGODB_URI");
    expect(parseConfig({ EVENT_STORE: "mongo" }, { servesReads: false }).EVENT_STORE).toBe("mongo");
  });

  test("a publisher requirement is still checked where reads are not served", () => {
    expect(() => parseConfig({ PUBLISHER: "upstash-kafka" }, { servesReads: false })).toThrow("UPSTASH_KAFKA_REST_URL");
  });
});
