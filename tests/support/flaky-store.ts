import { MemoryEventStore } from "../../src/adapters/memory/memory-event-store.ts";
import type { RollupDelta } from "../../src/domain/rollup/rollup.ts";
import type { InsertResult, RollupApplyResult } from "../../src/ports/event-store.ts";
import type { HealthStatus } from "../../src/ports/health.ts";
import type { OutboundEvent } from "../../src/ports/publisher.ts";

/**
 * The memory store with a switchable outage and events it refuses while up: a stand-in at the
 * EventStore port for the two failures the worker must tell apart. Like Mongo's ordered:false,
 * a refused event does not stop the others from being written.
 */
export class FlakyStore extends MemoryEventStore {
  down = false;
  /** While down, answer "nothing inserted, no duplicates" instead of throwing (a driver error read as success). */
  silentWhenDown = false;
  hangHealth = false;
  readonly refused = new Set<string>();
  inserts = 0;

  override async insertMany(events: readonly OutboundEvent[]): Promise<InsertResult> {
    this.inserts++;
    if (this.down && this.silentWhenDown) return { inserted: 0, duplicates: 0 };
    if (this.down) throw new Error("connect ECONNREFUSED 127.0.0.1:27017");
    const good = events.filter((e) => !this.refused.has(e.eventId));
    const result = await super.insertMany(good);
    if (good.length < events.length) throw new Error("Document failed validation");
    return result;
  }

  override async applyRollups(deltas: readonly RollupDelta[]): Promise<RollupApplyResult> {
    if (this.down && this.silentWhenDown) return { applied: 0, duplicates: 0 };
    if (this.down) throw new Error("connect ECONNREFUSED 127.0.0.1:27017");
    return super.applyRollups(deltas);
  }

  override async health(): Promise<HealthStatus> {
    if (this.hangHealth) return new Promise(() => {});
    return this.down ? { ok: false, detail: "down" } : { ok: true };
  }
}

export function makeEvent(i: number, patch: Record<string, unknown> = {}): OutboundEvent {
  return {
    eventId: `e${i}`,
    requestId: `r${i}`,
    service: "payment",
    timestamp: "2026-11-26T03:00:00.000Z",
    tenant: "t1",
    sampling: { reason: "SAMPLED_NORMAL", rate: 0.05 },
    ...patch,
  };
}
