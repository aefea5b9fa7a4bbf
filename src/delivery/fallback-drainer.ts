import { defaultLogger, type Logger } from "../log/logger.ts";
import type { MetricsRegistry } from "../metrics/registry.ts";
import type { OutboundRecord, Publisher } from "../ports/publisher.ts";

/** A list of JSON records, appended at the tail by the edge and read and removed at the head by one drainer. */
export interface Backlog {
  readonly key: string;
  head(count: number): Promise<string[]>;
  dropHead(count: number): Promise<void>;
  length(): Promise<number>;
  /** A lease on the list, taken or renewed for `ttlMs`; false while another drainer holds it. */
  claim(owner: string, ttlMs: number): Promise<boolean>;
  release(owner: string): Promise<void>;
}

/** Another drainer holds the list: two would trim each other's unproduced entries. */
export class DrainLeaseHeld extends Error {
  override name = "DrainLeaseHeld";
}

export interface FallbackDrainerOptions {
  /** Records read and produced per round. */
  batch?: number;
  /** How long the lease outlives a round that stopped renewing it (a crashed drainer); default 120 s. */
  leaseMs?: number;
  metrics?: MetricsRegistry;
  log?: Logger;
}

const isRecord = (value: unknown): value is OutboundRecord =>
  typeof value === "object" &&
  value !== null &&
  !Array.isArray(value) &&
  (typeof (value as { eventId?: unknown }).eventId === "string" || (value as { kind?: unknown }).kind === "rollup");

/**
 * Moves the edge's fallback list into Kafka: read the head (LRANGE), produce it, then remove
 * exactly what was read (LTRIM). Only the tail grows meanwhile, so nothing pushed later is lost.
 * A crash between produce and trim produces the head again: the records keep their eventId (deltas
 * their id) and the stores keep each once. One drainer per list, enforced by a lease in Redis:
 * a second one would trim entries the first read but has not produced yet.
 */
export class FallbackDrainer {
  private readonly batch: number;
  private readonly leaseMs: number;
  private readonly log: Logger;
  private readonly owner = crypto.randomUUID();

  constructor(
    private readonly backlog: Backlog,
    private readonly target: Publisher,
    private readonly options: FallbackDrainerOptions = {},
  ) {
    this.batch = options.batch ?? 500;
    this.leaseMs = options.leaseMs ?? 120_000;
    this.log = options.log ?? defaultLogger;
  }

  /** One round; resolves to how many entries left the list (0: it was empty). Rejects, keeping the list, when the produce fails. */
  async drainOnce(): Promise<number> {
    await this.holdLease();
    const entries = await this.backlog.head(this.batch);
    if (entries.length === 0) return 0;
    const records: OutboundRecord[] = [];
    let invalid = 0;
    for (const entry of entries) {
      const parsed = parse(entry);
      if (parsed) records.push(parsed);
      else invalid++;
    }
    if (records.length > 0) await this.target.publish(records);
    // Renewed before trimming: a lease lost during a long produce means another drainer may have read this head.
    await this.holdLease();
    await this.backlog.dropHead(entries.length);
    this.options.metrics?.inc("widegate_edge_drain_records_total", { result: "produced" }, records.length);
    if (invalid > 0) {
      // Not a gateway record (someone else wrote to the key): dropped, never retried forever.
      this.options.metrics?.inc("widegate_edge_drain_records_total", { result: "invalid" }, invalid);
      this.log.warn(`edge drain: dropped ${invalid} entries of ${this.backlog.key} that are not gateway records`);
    }
    return entries.length;
  }

  private async holdLease(): Promise<void> {
    if (!(await this.backlog.claim(this.owner, this.leaseMs))) {
      throw new DrainLeaseHeld(`another edge:drain holds ${this.backlog.key} (lease ${this.backlog.key}:drainer); one drainer per list`);
    }
  }

  /** Lets another drainer take the list at once (shutdown). */
  async release(): Promise<void> {
    await this.backlog.release(this.owner);
  }

  /** Rounds until the list is empty; what `edge:drain --once` runs. */
  async drainAll(): Promise<number> {
    let moved = 0;
    for (let n = await this.drainOnce(); n > 0; n = await this.drainOnce()) moved += n;
    return moved;
  }

  /**
   * Drains until `stopped()`: a full round is followed at once by the next, an empty one waits
   * `idleMs`, a failed one waits twice as long as the last (up to 30 s) and retries the same head.
   */
  async run(stopped: () => boolean, idleMs: number, sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))): Promise<void> {
    let backoffMs = idleMs;
    while (!stopped()) {
      try {
        const moved = await this.drainOnce();
        backoffMs = idleMs;
        if (moved > 0) this.log.info(`edge drain: moved ${moved} records from ${this.backlog.key} to ${this.target.name}`);
        if (moved < this.batch) await sleep(idleMs);
      } catch (error) {
        this.options.metrics?.inc("widegate_edge_drain_failures_total", {});
        this.log.warn(`edge drain: ${(error as Error).message}; retrying in ${backoffMs} ms, the list is kept`);
        await sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 30_000);
      }
    }
  }
}

function parse(entry: string): OutboundRecord | undefined {
  try {
    const value: unknown = JSON.parse(entry);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
