// Bun-only (node:fs): appends frames to the newest segment with group commit.
import { type FileHandle, open } from "node:fs/promises";
import type { OutboundRecord } from "../../ports/publisher.ts";
import type { EncodedFrame } from "./frame.ts";
import { type Segment, segmentPath, syncDir } from "./segments.ts";

/** A frame once it is durable: where it ends, and the records it holds (kept for the reader while memory allows). */
export interface CommittedFrame {
  seq: number;
  end: number;
  bytes: number;
  events: number;
  deltas: number;
  records: readonly OutboundRecord[];
  /** The records' JSON (EncodedFrame.texts). */
  texts: readonly string[];
}

interface Waiting {
  frame: EncodedFrame;
  records: readonly OutboundRecord[];
  resolve: () => void;
  reject: (error: Error) => void;
}

export interface WalWriterOptions {
  dir: string;
  /** A segment is sealed once it reaches this size (a frame never spans two). */
  segmentBytes: number;
  /** The first segment number this writer may use (after every segment already on disk). */
  firstSeq: number;
  /** Called in commit order, once per frame, after its fsync. */
  onCommit: (frame: CommittedFrame) => void;
  /** Called when the writer opens a new segment (the previous one, if any, is now sealed). */
  onSegment: (segment: Segment) => void;
  onFsync?: (frames: number) => void;
}

/**
 * Group commit: appends that arrive while a write+fsync is in flight wait and then share the next
 * one, so one fsync covers every request of those few milliseconds. `append` resolves only after
 * the fsync that covers its frame, which is when the gateway may answer 202.
 */
export class WalWriter {
  private waiting: Waiting[] = [];
  private committing: Promise<void> | undefined;
  private segment: Segment | undefined;
  private handle: FileHandle | undefined;
  private nextSeq: number;
  private closed = false;

  constructor(private readonly options: WalWriterOptions) {
    this.nextSeq = options.firstSeq;
  }

  /** Bytes accepted but not yet durable. */
  get pendingBytes(): number {
    let bytes = 0;
    for (const w of this.waiting) bytes += w.frame.bytes.length;
    return bytes;
  }

  /** The segment appends go to, once the first append opened it. */
  get current(): Segment | undefined {
    return this.segment;
  }

  append(frame: EncodedFrame, records: readonly OutboundRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error("the disk buffer is closed"));
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ frame, records, resolve, reject });
      // setImmediate lets the appends of the same event-loop turn join the first commit.
      if (!this.committing) this.committing = new Promise<void>((r) => setImmediate(r)).then(() => this.commitLoop());
    });
  }

  private async commitLoop(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting;
        this.waiting = [];
        try {
          await this.commit(group);
          for (const w of group) w.resolve();
        } catch (error) {
          for (const w of group) w.reject(error instanceof Error ? error : new Error(String(error)));
        }
      }
    } finally {
      this.committing = undefined;
    }
  }

  private async commit(group: Waiting[]): Promise<void> {
    const bytes = group.reduce((n, w) => n + w.frame.bytes.length, 0);
    if (!this.segment || (this.segment.end > 0 && this.segment.end + bytes > this.options.segmentBytes)) await this.rotate();
    const segment = this.segment as Segment;
    const handle = this.handle as FileHandle;
    try {
      await handle.writev(group.map((w) => w.frame.bytes));
      await handle.datasync();
    } catch (error) {
      // Cut a partial write off, so the frames after it stay readable; failing that, move on to a new segment.
      await handle.truncate(segment.end).catch(() => this.rotate().catch(() => {}));
      throw error;
    }
    this.options.onFsync?.(group.length);
    for (const w of group) {
      segment.end += w.frame.bytes.length;
      this.options.onCommit({
        seq: segment.seq,
        end: segment.end,
        bytes: w.frame.bytes.length,
        events: w.frame.events,
        deltas: w.frame.deltas,
        records: w.records,
        texts: w.frame.texts,
      });
    }
  }

  private async rotate(): Promise<void> {
    if (this.segment) this.segment.sealed = true;
    await this.handle?.close();
    const seq = this.nextSeq++;
    const path = segmentPath(this.options.dir, seq);
    this.handle = await open(path, "a");
    await syncDir(this.options.dir);
    this.segment = { seq, path, end: 0, sealed: false };
    this.options.onSegment(this.segment);
  }

  /** Waits for the commits in flight, then refuses further appends. */
  async close(): Promise<void> {
    while (this.committing) await this.committing;
    this.closed = true;
    await this.handle?.close();
    this.handle = undefined;
  }
}
