import { isProtobuf } from "../domain/event/content-type.ts";
import type { BodyError } from "../domain/event/errors.ts";
import { DEFAULT_LIMITS, type IngestLimits } from "../domain/event/limits.ts";
import { isPlainJsonText, mapOtlpBody, type OtlpMapResult, otlpBodyLimits } from "../domain/event/otlp.ts";
import { decodeOtlpLogsProtobuf } from "./otlp-protobuf.ts";
import { parseRequestBody, type RequestBodyInput } from "./parse-request.ts";
import { checkContentLength, contentCoding, decompressBody, encodingError, InvalidEncoding, readBodyBytes } from "./read-body.ts";

/**
 * POST /v1/logs: an OTLP ExportLogsServiceRequest as protobuf (application/x-protobuf) or JSON, plain
 * or gzip/deflate, → the mapped records. Both encodings map through the same `otlpRecordEvent` and
 * `OtlpCollector`, so the per-record size, INGEST_MAX_EVENTS and INGEST_MAX_EXPANDED_BYTES bounds are the same; the body cap
 * (INGEST_MAX_BODY_BYTES) counts the decompressed bytes, so a gzip bomb stops at the cap.
 */
export async function parseOtlpRequestBody(
  input: RequestBodyInput,
  limits: IngestLimits = DEFAULT_LIMITS,
): Promise<OtlpMapResult | BodyError> {
  if (!isProtobuf(input.contentType)) {
    // Remembers the text when it is read whole, to tell whether it is plain (see below).
    let text: string | undefined;
    const readText = input.readText;
    const reading = readText ? { ...input, readText: async () => (text = await readText()) } : input;
    // One OTLP document may be as large as the body limit; the event limit applies to each mapped
    // record. No depth pre-scan of the text ("walk"): JSON.parse does not recurse, the mapping reads
    // attribute values to a fixed depth and bounds the depth of what it keeps as sent, and each
    // mapped event then meets the depth limit in normalizeBody.
    const parsed = await parseRequestBody(reading, otlpBodyLimits(limits), "walk");
    if (!parsed.ok) return parsed;
    return mapOtlpBody(parsed, limits, text !== undefined && isPlainJsonText(text));
  }
  const coding = contentCoding(input.contentEncoding);
  if (coding !== null && typeof coding === "object") return refuse(input, coding);
  const tooLarge = checkContentLength(input.contentLength, limits.maxBodyBytes);
  if (tooLarge !== null) return refuse(input, tooLarge);
  let read: Awaited<ReturnType<typeof readBodyBytes>>;
  try {
    // HTTP framing makes the body exactly Content-Length bytes (at most the cap, checked above).
    if (coding === null && input.readBytes && input.contentLength && /^\s*\d+\s*$/.test(input.contentLength)) {
      read = { ok: true, bytes: new Uint8Array(await input.readBytes()) };
    } else read = await readBodyBytes(coding === null ? input.body : decompressBody(input.body, coding), limits.maxBodyBytes);
  } catch (error) {
    if (error instanceof InvalidEncoding) return encodingError(error);
    throw error;
  }
  if (!read.ok) return read;
  return decodeOtlpLogsProtobuf(read.bytes, limits);
}

/** Refused before reading: the body is cancelled so nothing more is received. */
function refuse(input: RequestBodyInput, error: BodyError): BodyError {
  input.body?.cancel().catch(() => {});
  return error;
}
