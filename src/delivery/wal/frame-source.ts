// Bun-only: the frames the publisher has not read yet, in commit order, from memory or from disk.
import type { OutboundRecord } from "../../ports/publisher.ts";
import { type ReadResult, SegmentReader } from "./segment-reader.ts";
import type { Segment } from "./segments.ts";
import type { CommittedFrame } from "./wal-writer.ts";

/** A frame to publish (or, with no records, an unreadable stretch to step over) and where it ends. */
export interface SourceFrame {
  seq: number;
  end: number;
  events: number;
  deltas: number;
  records: readonly OutboundRecord[];
  /** The records' JSON when the frame came from memory; frames read back from disk have none. */
  texts?: readonly string[];
  corrupt?: { bytes: number; why: string };
}

/**
 * Two modes. "memory": the reader has caught up with the writer, and each committed frame is handed
 * over as the objects that were appended (no re-read, no re-parse). "disk": after a restart, or once
 * the publisher fell more than `cacheBytes` behind, frames are read back from the segments (checksum
 * verified) until the reader reaches the writer again. Either way the order is the commit order.
 */
export class FrameSource {
  /** Oldest first; the last one is the writer's, unless an earlier run left the only ones. */
  readonly segments: Segment[] = [];
  private mode: "memory" | "disk";
  private cache: CommittedFrame[] = [];
  private cacheBytes = 0;
  private readSeq: number;
  private readOffset = 0;
  private readonly reader = new SegmentReader();

  constructor(
    oldSegments: Segment[],
    private readonly maxCacheBytes: number,
  ) {
    this.segments.push(...oldSegments);
    this.mode = oldSegments.length > 0 ? "disk" : "memory";
    this.readSeq = oldSegments[0]?.seq ?? 0;
  }

  /** Whether a frame may be waiting (memory: cached frames; disk: not yet at the writer). */
  get pending(): boolean {
    return this.mode === "disk" || this.cache.length > 0;
  }

  addSegment(segment: Segment): void {
    this.segments.push(segment);
  }

  /** The writer committed a frame (called in commit order). */
  committed(frame: CommittedFrame): void {
    if (this.mode !== "memory") return; // the disk reader will get to it
    if (this.cacheBytes + frame.bytes > this.maxCacheBytes) {
      // Too far behind to hold everything in memory: read back from disk from where the reader is.
      this.cache = [];
      this.cacheBytes = 0;
      this.mode = "disk";
      return;
    }
    this.cache.push(frame);
    this.cacheBytes += frame.bytes;
  }

  /** The next frame, or undefined when the reader is at the writer. */
  async next(): Promise<SourceFrame | undefined> {
    for (;;) {
      if (this.mode === "memory") {
        const frame = this.cache.shift();
        if (!frame) return undefined;
        this.cacheBytes -= frame.bytes;
        this.readSeq = frame.seq;
        this.readOffset = frame.end;
        return frame;
      }
      const segment = this.segments.find((s) => s.seq >= this.readSeq);
      if (!segment) {
        this.mode = "memory";
        continue;
      }
      if (segment.seq !== this.readSeq) {
        this.readSeq = segment.seq;
        this.readOffset = 0;
      }
      if (this.readOffset >= segment.end) {
        if (!segment.sealed) {
          // Caught up with the writer; from here on its commits arrive through committed().
          this.mode = "memory";
          continue;
        }
        this.readSeq = segment.seq + 1;
        this.readOffset = 0;
        continue;
      }
      const result: ReadResult = await this.reader.next(segment, this.readOffset);
      if (result.kind === "end") continue;
      this.readOffset = result.end;
      if (result.kind === "corrupt") {
        return {
          seq: segment.seq,
          end: result.end,
          events: result.events,
          deltas: 0,
          records: [],
          corrupt: { bytes: result.bytes, why: result.why },
        };
      }
      return { seq: segment.seq, end: result.end, events: result.events, deltas: result.deltas, records: result.records };
    }
  }

  close(): Promise<void> {
    return this.reader.close();
  }
}
