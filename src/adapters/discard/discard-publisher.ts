import type { HealthStatus } from "../../ports/health.ts";
import type { OutboundRecord, Publisher } from "../../ports/publisher.ts";

/**
 * PUBLISHER=discard: acknowledges and forgets every record, on purpose. For trying the gateway's
 * parsing, redaction and sampling (`?explain=1`) without a backend; /readyz says so.
 */
export class DiscardPublisher implements Publisher {
  readonly name = "publisher:discard";
  private discarded = 0;

  async publish(records: readonly OutboundRecord[]): Promise<void> {
    this.discarded += records.length;
  }

  async health(): Promise<HealthStatus> {
    return { ok: true, detail: `discarding every event (PUBLISHER=discard), ${this.discarded} so far` };
  }

  async close(): Promise<void> {}
}
