// Bun-only (Bun.hash.crc32): the disk buffer's record framing.
import { isRollupDelta } from "../../domain/rollup/rollup.ts";
import type { OutboundRecord } from "../../ports/publisher.ts";

/**
 * One frame per submitted batch (one request, or one rollup flush):
 *
 *   u32 LE payload length | u32 LE CRC-32 of bytes 8.. | u32 LE events | u32 LE rollup deltas | payload (JSON array)
 *
 * The checksum covers the counts and the payload, so a torn or flipped frame is never published;
 * the counts let start-up report what a buffer holds without parsing it.
 */
export const HEADER_BYTES = 16;
/** Far above the largest request (INGEST_MAX_BODY_BYTES is at most a few hundred MiB): a bigger length is garbage. */
export const MAX_PAYLOAD_BYTES = 1 << 30;

export interface FrameCounts {
  events: number;
  deltas: number;
}

export interface EncodedFrame extends FrameCounts {
  bytes: Uint8Array;
  /** Each record's JSON, as the payload holds it: the publisher sends these rather than serialising again. */
  texts: string[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function countRecords(records: readonly OutboundRecord[]): FrameCounts {
  let deltas = 0;
  for (const record of records) if (isRollupDelta(record)) deltas++;
  return { events: records.length - deltas, deltas };
}

export function encodeFrame(records: readonly OutboundRecord[]): EncodedFrame {
  // The same bytes as JSON.stringify(records): an array's JSON is its elements' joined by commas.
  const texts = records.map((record) => JSON.stringify(record));
  const payload = encoder.encode(`[${texts.join(",")}]`);
  const counts = countRecords(records);
  const bytes = new Uint8Array(HEADER_BYTES + payload.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, payload.length, true);
  view.setUint32(8, counts.events, true);
  view.setUint32(12, counts.deltas, true);
  bytes.set(payload, HEADER_BYTES);
  view.setUint32(4, Bun.hash.crc32(bytes.subarray(8)), true);
  return { bytes, texts, ...counts };
}

export interface FrameHeader extends FrameCounts {
  payloadBytes: number;
  crc: number;
}

/** The header at the start of `bytes` (at least HEADER_BYTES long); undefined when its length is implausible. */
export function readHeader(bytes: Uint8Array): FrameHeader | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  const payloadBytes = view.getUint32(0, true);
  if (payloadBytes < 2 || payloadBytes > MAX_PAYLOAD_BYTES) return undefined;
  return { payloadBytes, crc: view.getUint32(4, true), events: view.getUint32(8, true), deltas: view.getUint32(12, true) };
}

/** The records of a whole frame (header + payload), or undefined when its checksum or JSON is wrong. */
export function decodeFrame(frame: Uint8Array, header: FrameHeader): OutboundRecord[] | undefined {
  if (Bun.hash.crc32(frame.subarray(8, HEADER_BYTES + header.payloadBytes)) !== header.crc) return undefined;
  try {
    const records: unknown = JSON.parse(decoder.decode(frame.subarray(HEADER_BYTES, HEADER_BYTES + header.payloadBytes)));
    return Array.isArray(records) ? (records as OutboundRecord[]) : undefined;
  } catch {
    return undefined;
  }
}
