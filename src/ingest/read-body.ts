import { type BodyTooLarge, bodyTooLarge } from "../domain/event/errors.ts";

export type { BodyTooLarge };

export type ReadBodyResult = { ok: true; text: string; bytes: number } | BodyTooLarge;

/**
 * Refuses up front a request whose declared Content-Length is over the cap, so nothing is read.
 * A missing or malformed header is not an error here: the streaming cap still applies.
 */
export function checkContentLength(header: string | null | undefined, maxBytes: number): BodyTooLarge | null {
  if (header === null || header === undefined || !/^\s*\d+\s*$/.test(header)) return null;
  return Number(header) > maxBytes ? bodyTooLarge(maxBytes) : null;
}

/**
 * Reads a body chunk by chunk and cancels the stream as soon as more than `maxBytes` have arrived,
 * so an oversized body is never buffered whole. Invalid UTF-8 becomes U+FFFD rather than an
 * error: JSON structure is ASCII, so a stray byte in a free-text field should not cost the batch.
 * A leading BOM is dropped.
 */
export async function readBodyText(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<ReadBodyResult> {
  if (body === null) return { ok: true, text: "", bytes: 0 };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (bytes > maxBytes) {
        // Fire and forget: some sources settle cancel() only when their pull does.
        reader.cancel("request body over the size limit").catch(() => {});
        return bodyTooLarge(maxBytes);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return { ok: true, text: decode(chunks, bytes), bytes };
}

/** One decode of the whole body: faster than decoding per chunk, and multi-byte characters split across chunks need no care. */
function decode(chunks: Uint8Array[], bytes: number): string {
  const decoder = new TextDecoder();
  if (chunks.length === 1) return decoder.decode(chunks[0]);
  const all = new Uint8Array(bytes);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.byteLength;
  }
  return decoder.decode(all);
}
