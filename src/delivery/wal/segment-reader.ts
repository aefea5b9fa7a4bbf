// Bun-only (node:fs): reads frames back from a segment, checksum first.
import { type FileHandle, open } from "node:fs/promises";
import type { OutboundRecord } from "../../ports/publisher.ts";
import { decodeFrame, HEADER_BYTES, readHeader } from "./frame.ts";
import type { Segment } from "./segments.ts";

export type ReadResult =
  | { kind: "frame"; end: number; events: number; deltas: number; records: OutboundRecord[] }
  /** Bytes that cannot be published: a frame failing its checksum (skipped), or an unreadable tail (the rest of the segment). */
  | { kind: "corrupt"; end: number; bytes: number; events: number; why: string }
  | { kind: "end" };

/** One open segment at a time; the publisher reads them in order. */
export class SegmentReader {
  private handle: FileHandle | undefined;
  private path: string | undefined;

  async next(segment: Segment, offset: number): Promise<ReadResult> {
    if (offset >= segment.end) return { kind: "end" };
    const handle = await this.open(segment.path);
    const rest = segment.end - offset;
    const tail = (why: string): ReadResult => ({ kind: "corrupt", end: segment.end, bytes: rest, events: 0, why });
    if (rest < HEADER_BYTES) return tail(`${rest} bytes too short for a frame header`);
    const head = new Uint8Array(HEADER_BYTES);
    await handle.read(head, 0, HEADER_BYTES, offset);
    const header = readHeader(head);
    if (!header) return tail("implausible frame length");
    const size = HEADER_BYTES + header.payloadBytes;
    if (size > rest) return tail(`frame of ${size} bytes runs past the end`);
    const frame = new Uint8Array(size);
    const { bytesRead } = await handle.read(frame, 0, size, offset);
    if (bytesRead !== size) return tail(`short read (${bytesRead} of ${size} bytes)`);
    const records = decodeFrame(frame, header);
    const end = offset + size;
    if (!records) return { kind: "corrupt", end, bytes: size, events: header.events, why: "checksum mismatch" };
    return { kind: "frame", end, events: header.events, deltas: header.deltas, records };
  }

  private async open(path: string): Promise<FileHandle> {
    if (this.path === path && this.handle) return this.handle;
    await this.close();
    this.handle = await open(path, "r");
    this.path = path;
    return this.handle;
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    this.path = undefined;
    await handle?.close();
  }
}
