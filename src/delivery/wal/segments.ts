// Bun-only (node:fs): the disk buffer's segment files.
import { readdirSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { HEADER_BYTES, readHeader } from "./frame.ts";

/** A segment file; `end` is how far it may be read (committed bytes, or the valid prefix of an old one). */
export interface Segment {
  seq: number;
  path: string;
  end: number;
  /** No more appends: the writer moved on, or an earlier process left it. */
  sealed: boolean;
}

const NAME = /^(\d{12})\.wal$/;

export const segmentPath = (dir: string, seq: number): string => join(dir, `${String(seq).padStart(12, "0")}.wal`);

/** The segments in `dir`, oldest first. */
export function listSegments(dir: string): Array<{ seq: number; path: string }> {
  return readdirSync(dir)
    .map((name) => NAME.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ seq: Number(m[1]), path: join(dir, m[0]) }))
    .sort((a, b) => a.seq - b.seq);
}

export interface SegmentScan {
  /** Bytes up to the end of the last frame whose header fits in the file. */
  validEnd: number;
  size: number;
  frames: number;
  events: number;
  deltas: number;
}

/**
 * Walks the frame headers of a segment an earlier process left (no payload is read, so start-up
 * stays fast on a full buffer). A header that is implausible or runs past the end of the file marks
 * a torn tail: what follows is not readable. Checksums are verified later, frame by frame, by the reader.
 */
export async function scanSegment(path: string): Promise<SegmentScan> {
  const handle = await open(path, "r");
  try {
    const size = (await handle.stat()).size;
    const header = new Uint8Array(HEADER_BYTES);
    const scan: SegmentScan = { validEnd: 0, size, frames: 0, events: 0, deltas: 0 };
    while (scan.validEnd + HEADER_BYTES <= size) {
      const { bytesRead } = await handle.read(header, 0, HEADER_BYTES, scan.validEnd);
      const parsed = bytesRead === HEADER_BYTES ? readHeader(header) : undefined;
      if (!parsed || scan.validEnd + HEADER_BYTES + parsed.payloadBytes > size) break;
      scan.validEnd += HEADER_BYTES + parsed.payloadBytes;
      scan.frames++;
      scan.events += parsed.events;
      scan.deltas += parsed.deltas;
    }
    return scan;
  } finally {
    await handle.close();
  }
}

/** Makes a file's creation or removal durable: fsync of its directory (a no-op where unsupported). */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } catch {
    // some filesystems refuse fsync on a directory; the data itself was synced
  } finally {
    await handle.close();
  }
}
