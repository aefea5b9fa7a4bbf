// Bun-only (node:fs): reached through the Bun runtime's module table, never from the Workers bundle.
import { mkdirSync, readdirSync, renameSync, statSync } from "node:fs";
import { appendFile, open, readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { HealthStatus } from "../../ports/health.ts";
import { type OutboundRecord, type Publisher, type RecordTexts, recordText } from "../../ports/publisher.ts";

export interface FileSpoolOptions {
  /** A segment is closed for replay once it reaches this size. */
  segmentBytes?: number;
}

/**
 * PUBLISHER=file (or a fallback): appends events as NDJSON to DATA_DIR/spool and fsyncs before
 * acknowledging, so an event the gateway answered 202 for survives a crash while Kafka is away.
 * `replayInto` later moves closed segments to the primary publisher and deletes them; events keep
 * their eventId, so a segment replayed twice after a crash only produces duplicates the store drops.
 */
export class FileSpool implements Publisher {
  readonly name = "publisher:file";
  private readonly dir: string;
  private readonly segmentBytes: number;
  private current: string;
  private writing: Promise<void> = Promise.resolve();

  constructor(dataDir: string, options: FileSpoolOptions = {}) {
    this.dir = join(dataDir, "spool");
    mkdirSync(this.dir, { recursive: true });
    this.segmentBytes = options.segmentBytes ?? 64 * 1024 * 1024;
    this.current = this.newSegmentName();
  }

  private newSegmentName(): string {
    return join(this.dir, `open-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.ndjson`);
  }

  publish(events: readonly OutboundRecord[], texts?: RecordTexts): Promise<void> {
    const text = `${events.map((e, i) => recordText(e, texts, i)).join("\n")}\n`;
    // Appends are serialised so lines of two batches never interleave.
    const next = this.writing.then(async () => {
      await appendFile(this.current, text);
      const handle = await open(this.current, "r");
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (statSync(this.current).size >= this.segmentBytes) this.seal();
    });
    this.writing = next.catch(() => {});
    return next;
  }

  /** Closes the open segment so it can be replayed; new writes go to a fresh one. */
  private seal(): void {
    try {
      renameSync(this.current, this.current.replace(/open-([^/]*)$/, "sealed-$1"));
    } catch {
      // nothing written to it yet
    }
    this.current = this.newSegmentName();
  }

  /** Spool segment files not yet replayed (for /readyz). */
  segments(): string[] {
    return readdirSync(this.dir).filter((f) => f.endsWith(".ndjson"));
  }

  /**
   * Publishes every spooled event to `target` in batches, oldest segment first, deleting each
   * segment once all of it was acknowledged. Stops at the first failure (the rest stays spooled).
   */
  async replayInto(target: Publisher, batchSize = 1000): Promise<number> {
    await this.writing;
    this.seal();
    let replayed = 0;
    const sealed = readdirSync(this.dir)
      .filter((f) => f.startsWith("sealed-") || (f.startsWith("open-") && join(this.dir, f) !== this.current))
      .sort();
    for (const file of sealed) {
      const path = join(this.dir, file);
      const events = (await readFile(path, "utf8"))
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as OutboundRecord);
      for (let i = 0; i < events.length; i += batchSize) await target.publish(events.slice(i, i + batchSize));
      await unlink(path);
      replayed += events.length;
    }
    return replayed;
  }

  async health(): Promise<HealthStatus> {
    return { ok: true, detail: `${this.segments().length} spool segment(s) in ${this.dir}` };
  }

  async close(): Promise<void> {
    await this.writing;
  }
}
