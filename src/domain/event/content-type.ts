import { type BodyError, bodyError } from "./errors.ts";

export type BodyFormat = "json" | "ndjson";

const NDJSON = new Set(["application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines"]);
const PROTOBUF = new Set(["application/x-protobuf", "application/protobuf"]);
const CHARSETS = new Set(["utf-8", "utf8", "us-ascii"]);

/**
 * Which parser a Content-Type selects. No header means JSON, so `curl --data-binary` without -H
 * and minimal clients work; JSON is UTF-8 by RFC 8259, so another declared charset is refused
 * rather than decoded wrongly. Anything else, text/plain and form encodings included, is 415.
 */
export function bodyFormat(contentType: string | null | undefined): BodyFormat | BodyError {
  if (contentType === null || contentType === undefined || contentType.trim() === "") return "json";
  const [mediaPart = "", ...params] = contentType.split(";");
  const media = mediaPart.trim().toLowerCase();
  for (const param of params) {
    const eq = param.indexOf("=");
    if (eq === -1 || param.slice(0, eq).trim().toLowerCase() !== "charset") continue;
    const charset = param
      .slice(eq + 1)
      .trim()
      .replace(/^"|"$/g, "")
      .toLowerCase();
    if (!CHARSETS.has(charset)) {
      return bodyError(415, "UNSUPPORTED_MEDIA_TYPE", `charset "${charset.slice(0, 40)}" is not supported; send UTF-8`);
    }
  }
  if (media === "application/json" || (media.startsWith("application/") && media.endsWith("+json"))) return "json";
  if (NDJSON.has(media)) return "ndjson";
  if (PROTOBUF.has(media)) {
    return bodyError(
      415,
      "UNSUPPORTED_MEDIA_TYPE",
      "protobuf bodies are accepted only on POST /v1/logs (OTLP logs); send other events as application/json or application/x-ndjson",
    );
  }
  return bodyError(
    415,
    "UNSUPPORTED_MEDIA_TYPE",
    `Content-Type "${media.slice(0, 80)}" is not supported; send application/json (an event or an array of events) or application/x-ndjson (one event per line)`,
  );
}

/** Whether a Content-Type is OTLP/HTTP protobuf, which POST /v1/logs reads as an ExportLogsServiceRequest. */
export function isProtobuf(contentType: string | null | undefined): boolean {
  const media = (contentType ?? "").split(";", 1)[0] ?? "";
  return PROTOBUF.has(media.trim().toLowerCase());
}
