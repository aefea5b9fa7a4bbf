// Reading request bodies from web streams under the ingest limits; parsing is in src/domain/event.
export { type NdjsonChunk, ndjsonLines } from "./ndjson-lines.ts";
export { parseOtlpRequestBody } from "./parse-otlp-request.ts";
export { type ParseRequestOptions, parseRequestBody, type RequestBodyInput } from "./parse-request.ts";
export { type BodyTooLarge, checkContentLength, type ReadBodyResult, readBodyText } from "./read-body.ts";
