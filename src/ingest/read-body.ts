import { type BodyError, type BodyTooLarge, bodyError, bodyTooLarge } from "../domain/event/errors.ts";

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
 * Whether HTTP framing makes the body exactly `Content-Length` bytes (checked against the cap
 * before reading), so the runtime may read it whole instead of streaming it under the cap.
 */
export function framedByContentLength(header: string | null | undefined): header is string {
  return header !== null && header !== undefined && /^\s*\d+\s*$/.test(header);
}

/**
 * Reads a body chunk by chunk and cancels the stream as soon as more than `maxBytes` have arrived,
 * so an oversized body is never buffered whole. Invalid UTF-8 becomes U+FFFD rather than an
 * error: JSON structure is ASCII, so a stray byte in a free-text field should not cost the batch.
 * A leading BOM is dropped.
 */
export async function readBodyText(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<ReadBodyResult> {
  const read = await readBodyChunks(body, maxBytes);
  return read.ok ? { ok: true, text: decode(read.chunks, read.bytes), bytes: read.bytes } : read;
}

/** The body's bytes, under the same cap and with the same early cancel as `readBodyText`. */
export async function readBodyBytes(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<{ ok: true; bytes: Uint8Array } | BodyTooLarge> {
  const read = await readBodyChunks(body, maxBytes);
  return read.ok ? { ok: true, bytes: concat(read.chunks, read.bytes) } : read;
}

async function readBodyChunks(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<{ ok: true; chunks: Uint8Array[]; bytes: number } | BodyTooLarge> {
  if (body === null) return { ok: true, chunks: [], bytes: 0 };
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
  return { ok: true, chunks, bytes };
}

/** One decode of the whole body: faster than decoding per chunk, and multi-byte characters split across chunks need no care. */
function decode(chunks: Uint8Array[], bytes: number): string {
  return new TextDecoder().decode(chunks.length === 1 ? chunks[0] : concat(chunks, bytes));
}

function concat(chunks: Uint8Array[], bytes: number): Uint8Array {
  if (chunks.length === 1 && chunks[0] !== undefined) return chunks[0];
  const all = new Uint8Array(bytes);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.byteLength;
  }
  return all;
}
export type ContentCoding = "gzip" | "deflate";

/**
 * The body's Content-Encoding: null for none/identity, the DecompressionStream format for gzip and
 * deflate (what OpenTelemetry Collector, Vector and Fluent Bit send), or a 415 naming what is supported.
 */
export function contentCoding(header: string | null | undefined): ContentCoding | null | BodyError {
  const codings = (header ?? "")
    .split(",")
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== "" && c !== "identity");
  if (codings.length === 0) return null;
  const [only] = codings;
  if (codings.length === 1 && (only === "gzip" || only === "x-gzip")) return "gzip";
  if (codings.length === 1 && only === "deflate") return "deflate";
  return bodyError(
    415,
    "UNSUPPORTED_MEDIA_TYPE",
    `Content-Encoding "${(header ?? "").slice(0, 40)}" is not supported; send gzip, deflate or an uncompressed body`,
  );
}

/**
 * Decompresses as the body is read. The size cap is then counted on the decompressed bytes by
 * whoever reads this stream, and cancelling it stops the inflater, so a gzip bomb is refused after
 * at most the cap's worth of output rather than inflated whole. Malformed data makes reads throw
 * `InvalidEncoding`, which `encodingError` turns into a 400.
 */
export function decompressBody(body: ReadableStream<Uint8Array> | null, coding: ContentCoding): ReadableStream<Uint8Array> | null {
  if (body === null) return null;
  const inflated = body.pipeThrough(new DecompressionStream(coding) as unknown as ReadableWritablePair<Uint8Array, Uint8Array>);
  const reader = inflated.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.error(new InvalidEncoding(coding, error));
      }
    },
    cancel(reason) {
      return reader.cancel(reason).catch(() => {});
    },
  });
}

export class InvalidEncoding extends Error {
  constructor(
    readonly coding: ContentCoding,
    cause: unknown,
  ) {
    // The runtime's own wording differs (Bun, workerd); the answer must not, so the cause stays internal.
    super(`the body is not valid ${coding} data: it is corrupt, cut short or not compressed`, { cause });
    this.name = "InvalidEncoding";
  }
}

export function encodingError(error: InvalidEncoding): BodyError {
  return bodyError(400, "INVALID_ENCODING", `Content-Encoding ${error.coding}: ${error.message}`);
}
