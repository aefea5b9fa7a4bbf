// Wide events as the OTLP log records an OpenTelemetry SDK would send for them, in both OTLP/HTTP
// encodings, for the benchmarks that compare POST /v1/logs with POST /v1/events (bench:otlp,
// bench:ingest format=otlp|otlp-proto).
import protobuf from "protobufjs";
import { OTLP_LOGS_PROTO } from "../../src/ingest/otlp-protobuf.ts";

type Json = Record<string, unknown>;

const kv = (key: string, value: unknown) => ({ key, value: anyValue(value) });

/** A JSON value as an OTLP AnyValue (OTLP/JSON encoding: int64 as a string). */
function anyValue(value: unknown): Json {
  if (typeof value === "string") return { stringValue: value };
  if (typeof value === "boolean") return { boolValue: value };
  if (typeof value === "number") return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  if (value !== null && typeof value === "object") {
    return { kvlistValue: { values: Object.entries(value).map(([k, v]) => kv(k, v)) } };
  }
  return {};
}

/** A wide event as a log record, its fields under the semantic-convention names /v1/logs maps back. */
function logRecord(event: Json): Json {
  const { requestId, timestamp, service: _service, route, method, statusCode, durationMs, error, ...rest } = event;
  const failed = error as { code: string; message: string; type: string } | undefined;
  const attributes = [
    kv("request.id", requestId),
    kv("http.route", route),
    kv("http.request.method", method),
    kv("http.response.status_code", statusCode),
    kv("duration_ms", durationMs),
    ...(failed ? [kv("error.code", failed.code), kv("exception.type", failed.type), kv("exception.message", failed.message)] : []),
    ...Object.entries(rest).map(([k, v]) => kv(k, v)),
  ];
  return {
    timeUnixNano: `${Date.parse(String(timestamp))}000000`,
    severityNumber: failed ? 17 : 9,
    severityText: failed ? "ERROR" : "INFO",
    body: { stringValue: `${method} ${route} ${statusCode}` },
    attributes,
  };
}

/** One ExportLogsServiceRequest (OTLP/JSON object) of the events: a resource per service, as an SDK or Collector batches them. */
export function otlpLogsRequest(events: Json[]): Json {
  const byService = new Map<string, Json[]>();
  for (const event of events) {
    const service = String(event.service);
    const records = byService.get(service) ?? [];
    records.push(logRecord(event));
    byService.set(service, records);
  }
  return {
    resourceLogs: [...byService].map(([service, logRecords]) => ({
      resource: { attributes: [kv("service.name", service), kv("deployment.environment", "prod")] },
      scopeLogs: [{ scope: { name: "wide-gate-bench" }, logRecords }],
    })),
  };
}

const Request = protobuf.parse(OTLP_LOGS_PROTO).root.lookupType("opentelemetry.proto.ExportLogsServiceRequest");

/** The same request as OTLP/HTTP protobuf bytes (protobufjs' full build, which the gateway does not load). */
export function otlpProtobuf(request: Json): Uint8Array {
  return Request.encode(Request.fromObject(request)).finish();
}
