import type { Config, PublisherName } from "./schema.ts";

/**
 * What a Worker (workerd) cannot do with a given configuration, as the one line each refusal
 * answers with. Ingest and reads are judged apart, so a read-side setting never stops ingest.
 * The advice only ever names something workerd accepts.
 */

const PUBLISHER_ON_WORKERS: Partial<Record<PublisherName, string>> = {
  memory:
    "nothing drains an isolate's memory on Workers, so accepted events would be lost; use upstash-kafka (UPSTASH_KAFKA_REST_URL, _USERNAME, _PASSWORD), or discard to try the gateway without keeping events",
  kafka: "native Kafka needs the Bun runtime (this is workerd); use upstash-kafka",
  file: "the local spool needs a disk and the Bun runtime (this is workerd); use upstash-kafka",
  direct: "writes straight to EVENT_STORE, which a Worker cannot reach; use upstash-kafka",
};

/** The refusal of ingest on Workers, naming PUBLISHER or PUBLISHER_FALLBACK; undefined when ingest can work. */
export function workersIngestRefusal(config: Pick<Config, "PUBLISHER" | "PUBLISHER_FALLBACK">): string | undefined {
  const chosen: Array<[string, PublisherName]> = [
    ["PUBLISHER", config.PUBLISHER],
    ...config.PUBLISHER_FALLBACK.map((name): [string, PublisherName] => ["PUBLISHER_FALLBACK", name]),
  ];
  for (const [variable, name] of chosen) {
    const why = PUBLISHER_ON_WORKERS[name];
    if (why) return `invalid configuration: ${variable}=${name}: ${why}`;
  }
  return undefined;
}

/**
 * Reads are never served on Workers: `mongo` and `embedded` need TCP or a disk, and `memory`
 * would answer from one isolate's own, soon evicted, share of the traffic (wrong zeros).
 */
export function workersReadRefusal(config: Pick<Config, "EVENT_STORE">): string {
  const store = config.EVENT_STORE;
  const why =
    store === "memory"
      ? "an isolate's memory holds only what that isolate ingested until it is evicted, so its numbers would be wrong"
      : store === "mongo"
        ? "the MongoDB client needs TCP and the Bun runtime (this is workerd)"
        : "the embedded store needs a disk and the Bun runtime (this is workerd)";
  return `EVENT_STORE=${store}: ${why}; a Worker only ingests: set QUERY_API_URL to the query API on Bun next to the store (npm start with EVENT_STORE=mongo) and the Worker forwards reads there`;
}
