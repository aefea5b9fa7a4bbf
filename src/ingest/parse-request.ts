import { type BodyFormat, bodyFormat } from "../domain/event/content-type.ts";
import { type BodyError, bodyError, eventTooLarge, type Rejection, tooManyEvents } from "../domain/event/errors.ts";
import { DEFAULT_LIMITS, type IngestLimits } from "../domain/event/limits.ts";
import { type DepthCheck, type ParseBodyResult, type ParsedItem, parseEventLine, parseJsonBody } from "../domain/event/parse-body.ts";
import { hasEventsJsonSkimmer } from "./events-json-wasm.ts";
import { readLightBody } from "./light-body.ts";
import { ndjsonLines } from "./ndjson-lines.ts";
import {
  checkContentLength,
  contentCoding,
  decompressBody,
  encodingError,
  framedByContentLength,
  InvalidEncoding,
  readBodyBytes,
  readBodyText,
} from "./read-body.ts";

export interface RequestBodyInput {
  body: ReadableStream<Uint8Array> | null;
  contentType?: string | null | undefined;
  contentLength?: string | null | undefined;
  /** gzip and deflate bodies are inflated as they stream in; limits apply to the inflated bytes. */
  contentEncoding?: string | null | undefined;
  /**
   * The runtime's own whole-body reader (Request.text). Used for JSON bodies whose Content-Length is
   * declared and within the cap: HTTP framing then bounds the read, and the native path is far
   * faster than pulling the stream chunk by chunk.
   */
  readText?: () => Promise<string>;
  /** The same for binary bodies (OTLP protobuf on /v1/logs): Request.arrayBuffer. */
  readBytes?: () => Promise<ArrayBuffer>;
}

/**
 * Everything between a request and parsed events, for the POST /v1/events route: media type (415
 * before reading), declared length (413 before reading), then JSON read whole under the cap or
 * NDJSON parsed line by line as it streams in. The body is cancelled whenever it is refused early.
 */
export async function parseRequestBody(
  input: RequestBodyInput,
  limits: IngestLimits = DEFAULT_LIMITS,
  depth: DepthCheck = "scan",
  options: ParseRequestOptions = {},
): Promise<ParseBodyResult> {
  const format = bodyFormat(input.contentType);
  if (typeof format !== "string") return refuse(input, format);
  const coding = contentCoding(input.contentEncoding);
  if (coding !== null && typeof coding === "object") return refuse(input, coding);
  // A compressed body over the cap inflates to more than the cap too (deflate does not shrink below its input).
  const tooLarge = checkContentLength(input.contentLength, limits.maxBodyBytes);
  if (tooLarge !== null) return refuse(input, tooLarge);
  if (coding === null) return parseBody(input, format, limits, depth, options);
  try {
    return await parseBody({ body: decompressBody(input.body, coding) }, format, limits, depth, options);
  } catch (error) {
    if (error instanceof InvalidEncoding) return encodingError(error);
    throw error;
  }
}

export interface ParseRequestOptions {
  /**
   * A JSON array body may come back as light events holding these top-level fields
   * (ParsedBody.light), when the WebAssembly skimmer is installed and vouches for the body.
   */
  lightKeys?: readonly string[];
}

const utf8 = new TextDecoder();

/** Refused before reading: the body is cancelled so nothing more is received. */
function refuse(input: RequestBodyInput, error: BodyError): BodyError {
  input.body?.cancel().catch(() => {});
  return error;
}

async function parseBody(
  input: RequestBodyInput,
  format: BodyFormat,
  limits: IngestLimits,
  depth: DepthCheck,
  options: ParseRequestOptions,
): Promise<ParseBodyResult> {
  if (format === "json") {
    const { lightKeys } = options;
    if (lightKeys !== undefined && hasEventsJsonSkimmer()) {
      // Framed: read at once; streamed or inflated (the SDK gzips large batches): under the cap.
      const read =
        input.readBytes && framedByContentLength(input.contentLength)
          ? { ok: true as const, bytes: new Uint8Array(await input.readBytes()) }
          : await readBodyBytes(input.body, limits.maxBodyBytes);
      if (!read.ok) return read;
      const { bytes } = read;
      // Decoded as Request.text() and readBodyText would (UTF-8, a BOM dropped, bad bytes replaced) when the skimmer declines.
      return readLightBody(bytes, lightKeys, limits) ?? parseJsonBody(utf8.decode(bytes), limits, { depth, bytes: bytes.byteLength });
    }
    if (input.readText && framedByContentLength(input.contentLength)) {
      // HTTP framing makes the body exactly Content-Length bytes (at most the cap, checked above).
      return parseJsonBody(await input.readText(), limits, { depth, bytes: Number(input.contentLength) });
    }
    const read = await readBodyText(input.body, limits.maxBodyBytes);
    return read.ok ? parseJsonBody(read.text, limits, { depth, bytes: read.bytes }) : read;
  }
  const items: ParsedItem[] = [];
  const rejected: Rejection[] = [];
  // Returning from inside for-await closes the generator, which cancels the stream.
  for await (const chunk of ndjsonLines(input.body, limits.maxBodyBytes, limits.maxEventBytes)) {
    if (chunk.kind === "too-large") return chunk.error;
    if (chunk.index >= limits.maxEvents) return tooManyEvents(limits.maxEvents);
    if (chunk.kind === "oversized") {
      rejected.push(eventTooLarge(chunk.index, chunk.bytes, limits.maxEventBytes));
      continue;
    }
    const result = parseEventLine(chunk.line, chunk.index, limits, { bytes: chunk.bytes, depth });
    if ("fatal" in result) return result.fatal;
    if ("item" in result) items.push(result.item);
    else rejected.push(result.rejected);
  }
  if (items.length === 0 && rejected.length === 0) {
    return bodyError(400, "EMPTY_BODY", "request body has no events; send one JSON event per line");
  }
  return { ok: true, items, rejected };
}
