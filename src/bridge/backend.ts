import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Lifecycle } from "../ports/health.ts";
import type { ProduceMetadata, ProduceRecord } from "./produce-request.ts";

/** The Kafka side of the bridge; the Bun entry passes the native client, tests may pass any implementation. */
export interface BridgeBackend extends Lifecycle {
  /** Resolves once every record is acknowledged by its partition's in-sync replicas; one metadata per record, in order. */
  produce(records: ProduceRecord[]): Promise<ProduceMetadata[]>;
  /** Topic name → partition count, without internal topics. */
  topics(): Promise<Record<string, number>>;
}

/** A failure the caller caused (unknown topic, partition out of range): answered with its status, not 500. */
export class BridgeError extends Error {
  override name = "BridgeError";
  constructor(
    message: string,
    readonly status: ContentfulStatusCode,
  ) {
    super(message);
  }
}
