import type { EventStore } from "../../ports/event-store.ts";
import type { HealthStatus } from "../../ports/health.ts";

import { RefusedReadError } from "../../ports/refused-read.ts";

/**
 * Stands where an event store this runtime cannot reach was configured (every EVENT_STORE on
 * Workers): every call throws, so no answer is ever computed from an isolate's empty memory.
 */
export class RefusedEventStore implements EventStore {
  readonly name: string;

  constructor(
    configured: string,
    private readonly reason: string,
  ) {
    this.name = `event-store:${configured}`;
  }

  private refuse(): never {
    throw new RefusedReadError(this.reason);
  }

  insertMany = async () => this.refuse();
  count = async () => this.refuse();
  query = async () => this.refuse();
  find = async () => this.refuse();
  distinct = async () => this.refuse();
  applyRollups = async () => this.refuse();
  readRollups = async () => this.refuse();
  rollupsSince = async () => this.refuse();

  async health(): Promise<HealthStatus> {
    return { ok: false, detail: this.reason };
  }

  async close(): Promise<void> {}
}
