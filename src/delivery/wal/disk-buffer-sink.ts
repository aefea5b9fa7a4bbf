// Bun-only (node:fs): BUFFER=disk, the Bun gateway's write-ahead buffer in front of the publisher.
import { mkdirSync } from "node:fs";
import { unlink } from "node:fs/promises";
import { defaultLogger, type Logger } from "../../log/logger.ts";
import type { MetricsRegistry } from "../../metrics/registry.ts";
import type { OutboundRecord, Publisher, RecordTexts } from "../../ports/publisher.ts";
import type { EventSink, SubmitResult } from "../sink.ts";
import { encodeFrame } from "./frame.ts";
import { FrameSource, type SourceFrame } from "./frame-source.ts";
import { listSegments, type Segment, scanSegment } from "./segments.ts";
import { WalWriter } from "./wal-writer.ts";

export interface DiskBufferOptions {
  /** The buffer's own directory (DATA_DIR/buffer). */
  dir: string;
  /** BUFFER_MAX_BYTES: unpublished bytes before submit answers with backpressure. */
  maxBytes: number;
  /** Segment size (default the smaller of 32 MiB and maxBytes / 8). */
  segmentBytes?: number;
  /** Committed frames the publisher may take from memory instead of re-reading them (default 64 MiB). */
  cacheBytes?: number;
  maxBatch?: number;
  maxDelayMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  metrics?: MetricsRegistry;
  log?: Logger;
}

/** What an earlier process left: counted at start-up, published before anything new. */
interface Replay {
  lastSeq: number;
  events: number;
  published: number;
  deltas: number;
  startedAt: number;
  loggedAt: number;
}

/**
 * Every batch is appended and fsynced (group commit) before submit resolves, i.e. before the 202.
 * One loop publishes frames in commit order; a segment is deleted once the publisher (or its
 * fallback) acknowledged all of it. Whatever is left at exit is published by the next start, so a
 * crash only ever repeats events, which the stores drop by eventId (and rollup deltas by id).
 */
export class DiskBufferSink implements EventSink {
  private readonly writer: WalWriter;
  private readonly source: FrameSource;
  /** Frames read and not yet fully acknowledged; `taken` records of the head are already published. */
  private window: Array<SourceFrame & { taken: number }> = [];
  /** Records in the window not yet published. */
  private windowRecords = 0;
  private ack = { seq: 0, end: 0 };
  private unpublished = { events: 0, deltas: 0 };
  private timer: ReturnType<typeof setTimeout> | undefined;
  private flushing: Promise<void> | undefined;
  private backoffMs = 0;
  private failedAttempts = 0;
  private closed = false;
  private readonly maxBatch: number;
  private readonly log: Logger;

  static async open(publisher: Publisher, options: DiskBufferOptions): Promise<DiskBufferSink> {
    mkdirSync(options.dir, { recursive: true });
    const old: Segment[] = [];
    let replay: Replay | undefined;
    for (const { seq, path } of listSegments(options.dir)) {
      const scan = await scanSegment(path);
      if (scan.size === 0) {
        await unlink(path).catch(() => {}); // opened by a run that died before its first append
        continue;
      }
      old.push({ seq, path, end: scan.size, sealed: true });
      replay ??= { lastSeq: seq, events: 0, published: 0, deltas: 0, startedAt: Date.now(), loggedAt: Date.now() };
      replay.lastSeq = seq;
      replay.events += scan.events;
      replay.deltas += scan.deltas;
      if (scan.validEnd < scan.size) {
        (options.log ?? defaultLogger).warn(
          `buffer: ${path} ends in ${scan.size - scan.validEnd} bytes that are not a whole frame (torn write); the ${scan.frames} frames before them are kept`,
        );
      }
    }
    return new DiskBufferSink(publisher, options, old, replay);
  }

  private constructor(
    private readonly publisher: Publisher,
    private readonly options: DiskBufferOptions,
    old: Segment[],
    private replay: Replay | undefined,
  ) {
    this.maxBatch = options.maxBatch ?? 1000;
    this.log = options.log ?? defaultLogger;
    this.source = new FrameSource(old, options.cacheBytes ?? 64 << 20);
    const lastSeq = old.at(-1)?.seq ?? 0;
    this.writer = new WalWriter({
      dir: options.dir,
      segmentBytes: options.segmentBytes ?? Math.min(32 << 20, Math.floor(options.maxBytes / 8)),
      firstSeq: lastSeq + 1,
      onSegment: (segment) => this.source.addSegment(segment),
      onCommit: (frame) => {
        this.unpublished.events += frame.events;
        this.unpublished.deltas += frame.deltas;
        this.source.committed(frame);
        this.schedule(this.options.maxDelayMs ?? 50);
      },
      onFsync: (frames) => {
        options.metrics?.inc("widegate_buffer_fsyncs_total");
        options.metrics?.inc("widegate_buffer_appends_total", {}, frames);
      },
    });
    if (replay) {
      this.unpublished = { events: replay.events, deltas: replay.deltas };
      this.log.info(
        `buffer: replaying ${replay.events} events and ${replay.deltas} rollup deltas left in ${old.length} segment(s) of ${options.dir} by an earlier run, before new ones`,
      );
      this.schedule(0);
    }
    this.defineMetrics();
  }

  private defineMetrics(): void {
    const m = this.options.metrics;
    if (!m) return;
    m.define("widegate_buffer_fsyncs_total", "counter", "Disk buffer fsyncs; each covers every append of its group commit");
    m.define("widegate_buffer_appends_total", "counter", "Batches (requests, rollup flushes) appended to the disk buffer");
    m.define("widegate_buffer_corrupt_bytes_total", "counter", "Buffer bytes that failed their checksum or were a torn tail, skipped");
    m.collect((r) => {
      r.set("widegate_buffer_bytes", {}, this.unpublishedBytes(), "Disk buffer bytes not yet acknowledged by the publisher");
      r.set("widegate_buffer_events", {}, this.unpublished.events, "Kept events in the disk buffer not yet acknowledged by the publisher");
      r.set("widegate_buffer_segments", {}, this.source.segments.length, "Disk buffer segment files");
      r.set("widegate_buffer_replay_remaining_events", {}, this.replayRemaining(), "Events left by an earlier run still to publish");
      r.set("widegate_publish_queue_depth", {}, this.unpublished.events + this.unpublished.deltas, "Events accepted and not yet published");
    });
  }

  /** Bytes appended (or waiting for their fsync) and not yet acknowledged. */
  private unpublishedBytes(): number {
    let bytes = this.writer.pendingBytes;
    for (const s of this.source.segments) bytes += s.end - (s.seq === this.ack.seq ? this.ack.end : 0);
    return bytes;
  }

  private replayRemaining(): number {
    return this.replay ? Math.max(0, this.replay.events - this.replay.published) : 0;
  }

  room(_count: number): SubmitResult {
    const bytes = this.unpublishedBytes();
    if (!this.closed && bytes < this.options.maxBytes) return { ok: true };
    return {
      ok: false,
      retryAfterSeconds: Math.max(1, Math.ceil(this.backoffMs / 1000)),
      reason: this.closed ? "shutting down" : `disk buffer full (${bytes} of ${this.options.maxBytes} bytes unpublished, BUFFER_MAX_BYTES)`,
    };
  }

  /** Resolves once the batch is on disk (fsynced): only then may the caller answer 202. */
  async submit(records: OutboundRecord[]): Promise<SubmitResult> {
    if (records.length === 0) return { ok: true };
    const room = this.room(records.length);
    if (!room.ok) return room;
    try {
      await this.writer.append(encodeFrame(records), records);
      return { ok: true };
    } catch (error) {
      this.log.error(`buffer: append failed: ${(error as Error).message}`);
      return { ok: false, retryAfterSeconds: 1, reason: `disk buffer write failed: ${(error as Error).message}` };
    }
  }

  private schedule(delayMs: number): void {
    if (this.timer !== undefined || this.flushing || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delayMs);
  }

  private flush(): Promise<void> {
    this.flushing ??= this.run().finally(() => {
      this.flushing = undefined;
      if (this.hasWork()) this.schedule(this.backoffMs || this.options.maxDelayMs || 50);
    });
    return this.flushing;
  }

  private hasWork(): boolean {
    return this.window.length > 0 || this.source.pending;
  }

  /** Publishes until everything committed is acknowledged, or a publish fails (retried later with backoff). */
  private async run(): Promise<void> {
    const metrics = this.options.metrics;
    for (;;) {
      if (this.closed) return;
      await this.fill();
      this.ackEmptyHead();
      const { batch, texts } = this.nextBatch();
      if (batch.length === 0) return;
      try {
        await this.publisher.publish(batch, texts);
      } catch (error) {
        if (this.closed) return;
        const previous = this.backoffMs;
        this.backoffMs = Math.min(this.options.maxBackoffMs ?? 5_000, Math.max(this.options.minBackoffMs ?? 100, this.backoffMs * 2));
        this.failedAttempts++;
        metrics?.inc("widegate_publish_failures_total", { publisher: this.publisher.name });
        if (this.backoffMs !== previous) {
          this.log.warn(
            `publish via ${this.publisher.name} failed (attempt ${this.failedAttempts}, ${this.unpublished.events} events in the disk buffer), retrying in ${this.backoffMs} ms: ${(error as Error).message}`,
          );
        }
        return;
      }
      if (this.closed) return; // shutdown already reported what is left; the next start publishes it again
      if (this.failedAttempts > 0)
        this.log.info(`publish via ${this.publisher.name} recovered after ${this.failedAttempts} failed attempts`);
      this.failedAttempts = 0;
      this.backoffMs = 0;
      metrics?.inc("widegate_publish_events_total", { publisher: this.publisher.name, result: "ok" }, batch.length);
      await this.acknowledge(batch.length);
    }
  }

  /** Reads frames until the window holds a whole batch, or the reader is at the writer. */
  private async fill(): Promise<void> {
    while (this.windowRecords < this.maxBatch) {
      const frame = await this.source.next();
      if (!frame) return;
      if (frame.corrupt) {
        this.options.metrics?.inc("widegate_buffer_corrupt_bytes_total", {}, frame.corrupt.bytes);
        this.log.error(
          `buffer: skipped ${frame.corrupt.bytes} unreadable bytes of segment ${frame.seq} (${frame.corrupt.why}${frame.events > 0 ? `, ${frame.events} events by its header` : ""}); the frames before them are kept`,
        );
      }
      this.window.push({ ...frame, taken: 0 });
      this.windowRecords += frame.records.length;
    }
  }

  /** Up to maxBatch records from the head of the window, with their JSON where the frames have it. */
  private nextBatch(): { batch: OutboundRecord[]; texts: RecordTexts } {
    const batch: OutboundRecord[] = [];
    const texts: (string | undefined)[] = [];
    for (const frame of this.window) {
      if (batch.length >= this.maxBatch) break;
      const end = Math.min(frame.records.length, frame.taken + (this.maxBatch - batch.length));
      for (let i = frame.taken; i < end; i++) {
        batch.push(frame.records[i] as OutboundRecord);
        texts.push(frame.texts?.[i]);
      }
    }
    return { batch, texts };
  }

  /** The first `count` records of the window were acknowledged: fully published frames leave it. */
  private async acknowledge(count: number): Promise<void> {
    this.windowRecords -= count;
    let left = count;
    while (left > 0 || (this.window[0] && this.window[0].taken === this.window[0].records.length)) {
      const head = this.window[0];
      if (!head) break;
      const step = Math.min(left, head.records.length - head.taken);
      head.taken += step;
      left -= step;
      if (head.taken < head.records.length) break;
      this.window.shift();
      this.ackFrame(head);
    }
    await this.deleteAcknowledged();
  }

  /** Unreadable stretches carry no records: they are acknowledged as soon as they reach the head. */
  private ackEmptyHead(): void {
    while (this.window[0] && this.window[0].records.length === 0) this.ackFrame(this.window.shift() as SourceFrame);
  }

  private ackFrame(frame: SourceFrame): void {
    this.ack = { seq: frame.seq, end: frame.end };
    this.unpublished.events -= frame.events;
    this.unpublished.deltas -= frame.deltas;
    if (this.replay && frame.seq <= this.replay.lastSeq) this.replay.published += frame.events;
  }

  /** Sealed segments the publisher is done with are deleted; the replay ends with the last old one. */
  private async deleteAcknowledged(): Promise<void> {
    const segments = this.source.segments;
    for (
      let head = segments[0];
      head?.sealed && (this.ack.seq > head.seq || (this.ack.seq === head.seq && this.ack.end >= head.end));
      head = segments[0]
    ) {
      segments.shift();
      await unlink(head.path).catch(() => {});
    }
    this.reportReplay();
  }

  private reportReplay(): void {
    const replay = this.replay;
    if (!replay) return;
    const left = this.source.segments.filter((s) => s.seq <= replay.lastSeq).length;
    if (left === 0) {
      this.log.info(
        `buffer: replay done, ${replay.events} events and ${replay.deltas} rollup deltas published in ${Date.now() - replay.startedAt} ms`,
      );
      this.replay = undefined;
    } else if (Date.now() - replay.loggedAt >= 5_000) {
      replay.loggedAt = Date.now();
      this.log.info(`buffer: replay in progress, ${replay.published} of ${replay.events} events published, ${left} old segment(s) left`);
    }
  }

  /**
   * Shutdown: publishes for at most `deadlineMs`, then stops. Nothing is dropped: what the publisher
   * has not acknowledged stays on disk for the next start, and the log says how much that is.
   */
  async drain(deadlineMs = 10_000): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const deadline = Date.now() + deadlineMs;
    const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));
    await Promise.race([this.writer.close(), sleep(deadline - Date.now())]);
    while (this.hasWork() && Date.now() < deadline) {
      // A hung publish must not hold shutdown: its frames are on disk either way.
      await Promise.race([this.flush(), sleep(deadline - Date.now())]);
      if (this.hasWork()) await sleep(Math.min(this.backoffMs || 10, deadline - Date.now()));
    }
    this.closed = true;
    clearTimeout(this.timer);
    await this.source.close();
    const { events, deltas } = this.unpublished;
    if (!this.hasWork() && events + deltas === 0) {
      for (const s of this.source.segments.splice(0)) await unlink(s.path).catch(() => {});
      this.log.info("buffer: everything published; buffer empty");
      return;
    }
    this.log.warn(
      `buffer: ${events} events and ${deltas} rollup deltas not yet acknowledged by ${this.publisher.name} stay in ${this.options.dir}; the next start publishes them`,
    );
  }
}
