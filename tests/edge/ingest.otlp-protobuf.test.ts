import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { context, trace } from "@opentelemetry/api";
import { SeverityNumber } from "@opentelemetry/api-logs";
import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { CompressionAlgorithm } from "@opentelemetry/otlp-exporter-base";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs";
import { type RunningServer, spawnServer } from "../support/spawn-server.ts";

// Each test runs a real subprocess; on a loaded machine one start can take seconds.
setDefaultTimeout(60_000);

// OTLP/HTTP protobuf as OpenTelemetry SDKs send it: the official exporter posts to a real Bun
// gateway, and GET /v1/events finds the events mapped as the OTLP/JSON path maps them.
let server: RunningServer;

beforeAll(async () => {
  server = await spawnServer("edge/bun-server.ts", { INGEST_MAX_BODY_BYTES: "1048576" });
});
afterAll(async () => {
  await server?.stop("SIGKILL");
});

interface StoredEvent {
  service: string;
  requestId: string;
  route?: string;
  method?: string;
  statusCode?: number;
  traceId?: string;
  spanId?: string;
  severity?: string;
  message?: unknown;
  scope?: string;
  error?: { message?: string; type?: string };
  attributes?: Record<string, unknown>;
}

async function stored(service: string, expected: number): Promise<StoredEvent[]> {
  for (let i = 0; i < 200; i++) {
    const response = await fetch(`${server.url}/v1/events?service=${service}`);
    const page = (await response.json()) as { events: StoredEvent[] };
    if (page.events.length >= expected) return page.events;
    await Bun.sleep(50);
  }
  return [];
}

/** A LoggerProvider exporting through the official OTLP/HTTP protobuf exporter to the gateway. */
function sdk(service: string, compression?: "gzip") {
  const exporter = new OTLPLogExporter({
    url: `${server.url}/v1/logs`,
    ...(compression ? { compression: CompressionAlgorithm.GZIP } : {}),
  });
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ "service.name": service, "deployment.environment": "test" }),
    processors: [new BatchLogRecordProcessor({ exporter })],
  });
  return { provider, logger: provider.getLogger("payment-api", "2.0.0") };
}

const TRACE_ID = "5b8efff798038103d269b633813fc60c";
const SPAN_ID = "eee19b7ec3c1b174";

describe("POST /v1/logs with OTLP protobuf", () => {
  test("logs sent by the OpenTelemetry SDK's protobuf exporter are stored, mapped as OTLP/JSON maps them", async () => {
    const { provider, logger } = sdk("otlp-proto");
    const withSpan = trace.setSpanContext(context.active(), { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 });
    logger.emit({
      context: withSpan,
      severityNumber: SeverityNumber.ERROR,
      severityText: "ERROR",
      body: "card declined",
      attributes: {
        "http.route": "/api/pay",
        "http.request.method": "POST",
        "http.response.status_code": 502,
        "exception.type": "CardError",
        "user.plan": "pro",
        attempts: 3,
      },
    });
    logger.emit({ severityNumber: SeverityNumber.FATAL, body: "second", attributes: { "request.id": "otlp-proto-2" } });
    await provider.forceFlush();
    await provider.shutdown();

    const events = await stored("otlp-proto", 2);
    expect(events).toHaveLength(2);
    const first = events.find((e) => e.traceId === TRACE_ID);
    expect(first).toMatchObject({
      service: "otlp-proto",
      requestId: TRACE_ID, // no request.id attribute: the trace id stands in, as on the JSON path
      route: "/api/pay",
      method: "POST",
      statusCode: 502,
      spanId: SPAN_ID,
      severity: "ERROR",
      message: "card declined",
      scope: "payment-api",
      error: { message: "card declined", type: "CardError" },
      attributes: { "deployment.environment": "test", "user.plan": "pro", attempts: 3 },
    });
    expect(events.find((e) => e.requestId === "otlp-proto-2")).toMatchObject({ message: "second" });
  });

  test("a gzip-compressed protobuf export from the SDK is stored", async () => {
    const { provider, logger } = sdk("otlp-proto-gz", "gzip");
    logger.emit({ severityNumber: SeverityNumber.ERROR, body: "zipped", attributes: { "request.id": "gz-1" } });
    await provider.forceFlush();
    await provider.shutdown();
    const events = await stored("otlp-proto-gz", 1);
    expect(events[0]).toMatchObject({ requestId: "gz-1", message: "zipped" });
  });

  test("a malformed protobuf body is 400 INVALID_OTLP naming the problem", async () => {
    // resource_logs (field 1, length-delimited) claiming 100 bytes, with 2 sent.
    const response = await fetch(`${server.url}/v1/logs`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: new Uint8Array([0x0a, 0x64, 0x0a, 0x00]),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("INVALID_OTLP");
    expect(body.error.message).toContain("runs past the end of the body");
  });

  test("a gzip bomb sent as protobuf is refused whole with 413", async () => {
    const bomb = gzipSync(new Uint8Array(16 * 1024 * 1024));
    const response = await fetch(`${server.url}/v1/logs`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf", "content-encoding": "gzip", connection: "close" },
      body: new Uint8Array(bomb),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("BODY_TOO_LARGE");
  });

  test("protobuf on POST /v1/events is 415 pointing to /v1/logs", async () => {
    const response = await fetch(`${server.url}/v1/events`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: new Uint8Array([0x0a, 0x00]),
    });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain("/v1/logs");
  });
});
