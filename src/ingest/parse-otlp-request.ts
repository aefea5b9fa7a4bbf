import { bodyFormat, isProtobuf } from "../domain/event/content-type.ts";
import type { BodyError } from "../domain/event/errors.ts";
import { DEFAULT_LIMITS, type IngestLimits } from "../domain/event/limits.ts";
import { isPlainDecodedJson, mapOtlpBody, type OtlpMapResult, otlpBodyLimits } from "../domain/event/otlp.ts";
import { parseJsonBody } from "../domain/event/parse-body.ts";
import { readOtlpJsonFast } from "./otlp-json-wasm.ts";
import { decodeOtlpLogsProtobuf } from "./otlp-protobuf.ts";
import { type ParseRequestOptions, parseRequestBody, type RequestBodyInput } from "./parse-request.ts";
import {
  type ContentCoding,
  checkContentLength,
  contentCoding,
  decompressBody,
  encodingError,
  framedByContentLength,
  InvalidEncoding,
  readBodyBytes,
} from "./read-body.ts";

/**
 * POST /v1/logs: an OTLP ExportLogsServiceRequest as protobuf (application/x-protobuf) or JSON, plain
 * or gzip/deflate, → the mapped records. Both encodings map through the same `otlpRecordEvent` and
 * `OtlpCollector`, so the per-record size, INGEST_MAX_EVENTS and INGEST_MAX_EXPANDED_BYTES bounds are the same; the body cap
 * (INGEST_MAX_BODY_BYTES) counts the decompressed bytes, so a gzip bomb stops at the cap.
 * `options.lightKeys`: the body may come back as light events (see ParsedBody.light), from the
 * protobuf decoder or, for OTLP/JSON, from the events skimmer over the reader's output.
 */
export async function parseOtlpRequestBody(
  input: RequestBodyInput,
  limits: IngestLimits = DEFAULT_LIMITS,
  options: ParseRequestOptions = {},
): Promise<OtlpMapResult | BodyError> {
  const format = isProtobuf(input.contentType) ? "protobuf" : bodyFormat(input.contentType);
  if (format !== "protobuf" && format !== "json") {
    // NDJSON or an unsupported media type: answered as /v1/events answers them.
    const parsed = await parseRequestBody(input, otlpBodyLimits(limits), "walk");
    return parsed.ok ? mapOtlpBody(parsed, limits) : parsed;
  }
  const coding = contentCoding(input.contentEncoding);
  if (coding !== null && typeof coding === "object") return refuse(input, coding);
  const tooLarge = checkContentLength(input.contentLength, limits.maxBodyBytes);
  if (tooLarge !== null) return refuse(input, tooLarge);
  const read = await readWhole(input, coding, limits);
  if (!read.ok) return read;
  const mapped =
    format === "json" ? mapJson(read.bytes, limits, options.lightKeys) : decodeOtlpLogsProtobuf(read.bytes, limits, options.lightKeys);
  if (mapped.ok && mapped.reader === undefined) mapped.reader = format === "json" ? "js" : "protobuf";
  return mapped;
}

/**
 * The body's bytes, both encodings: at once when Content-Length frames it (HTTP framing makes it
 * exactly that many bytes, at most the cap, checked before), else the stream under the cap,
 * inflated as it arrives.
 */
async function readWhole(
  input: RequestBodyInput,
  coding: ContentCoding | null,
  limits: IngestLimits,
): Promise<{ ok: true; bytes: Uint8Array } | BodyError> {
  try {
    if (coding === null && input.readBytes && framedByContentLength(input.contentLength)) {
      return { ok: true, bytes: new Uint8Array(await input.readBytes()) };
    }
    return await readBodyBytes(coding === null ? input.body : decompressBody(input.body, coding), limits.maxBodyBytes);
  } catch (error) {
    if (error instanceof InvalidEncoding) return encodingError(error);
    throw error;
  }
}

const utf8 = new TextDecoder();

/**
 * An OTLP/JSON body's bytes, parsed, then mapped. The WebAssembly reader, when installed, answers
 * for the plain bodies it maps exactly, compressed or not; any other body (and every error) takes
 * the JS path. Whether the body is plain (all ASCII, no backslash: each string's size is then its
 * length) is told from the bytes and the text's length, a fraction of what a regex costs.
 */
function mapJson(body: Uint8Array, limits: IngestLimits, lightKeys: readonly string[] | undefined): OtlpMapResult | BodyError {
  const fast = readOtlpJsonFast(body, limits, lightKeys);
  if (fast !== null) {
    fast.reader = "wasm";
    return fast;
  }
  // As Request.text() decodes: UTF-8, a leading BOM dropped, invalid bytes as U+FFFD.
  const text = utf8.decode(body);
  const plain = isPlainDecodedJson(body, text);
  const bytes = body.byteLength;
  // One OTLP document may be as large as the body limit; the event limit applies to each mapped
  // record. No depth pre-scan of the text ("walk"): JSON.parse does not recurse, the mapping reads
  // attribute values to a fixed depth and bounds the depth of what it keeps as sent, and each
  // mapped event then meets the depth limit in normalizeBody.
  const parsed = parseJsonBody(text, otlpBodyLimits(limits), { depth: "walk", bytes });
  return parsed.ok ? mapOtlpBody(parsed, limits, plain) : parsed;
}

/** Refused before reading: the body is cancelled so nothing more is received. */
function refuse(input: RequestBodyInput, error: BodyError): BodyError {
  input.body?.cancel().catch(() => {});
  return error;
}
