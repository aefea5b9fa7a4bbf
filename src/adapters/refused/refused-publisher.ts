import type { HealthStatus } from "../../ports/health.ts";
import { type OutboundRecord, PublishError, type Publisher } from "../../ports/publisher.ts";

/**
 * Stands where a publisher this runtime cannot run was configured (PUBLISHER=memory on Workers):
 * the app refuses ingest with `reason` before anything is accepted, and /readyz reports it.
 */
export class RefusedPublisher implements Publisher {
  readonly name: string;

  constructor(
    configured: string,
    private readonly reason: string,
  ) {
    this.name = `publisher:${configured}`;
  }

  async publish(_records: readonly OutboundRecord[]): Promise<void> {
    throw new PublishError(this.reason, "refused");
  }

  async health(): Promise<HealthStatus> {
    return { ok: false, detail: this.reason };
  }

  async close(): Promise<void> {}
}
