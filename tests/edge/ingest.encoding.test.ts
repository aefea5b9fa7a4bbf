import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { deflateSync, gzipSync } from "node:zlib";
import { type RunningServer, spawnServer } from "../support/spawn-server.ts";

// Each test runs real subprocesses; on a loaded machine one start can take seconds.
setDefaultTimeout(60_000);

// Compressed bodies as OpenTelemetry Collector and Vector send them, end to end on the Bun server:
// what was sent gzip is found by GET /v1/events. (The parity suite checks workerd answers the same.)
let server: RunningServer;
const now = () => new Date(Date.now() - 1000).toISOString();

beforeAll(async () => {
  server = await spawnServer("edge/bun-server.ts", { INGEST_MAX_BODY_BYTES: "1048576" });
});
afterAll(async () => {
  await server?.stop("SIGKILL");
});

const post = (path: string, body: Uint8Array, headers: Record<string, string>) =>
  fetch(`${server.url}${path}`, { method: "POST", headers, body: new Uint8Array(body) });

async function storedFor(service: string, expected: number): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const page = (await (await fetch(`${server.url}/v1/events?service=${service}`)).json()) as { events: unknown[] };
    if (page.events.length >= expected) return page.events.length;
    await Bun.sleep(50);
  }
  return 0;
}

const errorEvent = (service: string, i: number) => ({ service, requestId: `${service}-${i}`, timestamp: now(), statusCode: 500 });

describe("Content-Encoding on POST /v1/events and /v1/logs", () => {
  test("a gzip JSON array is accepted and its events are stored", async () => {
    const body = gzipSync(JSON.stringify([0, 1, 2].map((i) => errorEvent("gz-json", i))));
    const response = await post("/v1/events", body, { "content-type": "application/json", "content-encoding": "gzip" });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ accepted: 3, kept: 3 });
    expect(await storedFor("gz-json", 3)).toBe(3);
  });

  test("gzip NDJSON is accepted and its events are stored", async () => {
    const body = gzipSync([0, 1].map((i) => JSON.stringify(errorEvent("gz-ndjson", i))).join("\n"));
    const response = await post("/v1/events", body, { "content-type": "application/x-ndjson", "content-encoding": "gzip" });
    expect(response.status).toBe(202);
    expect(await storedFor("gz-ndjson", 2)).toBe(2);
  });

  test("deflate (zlib) JSON is accepted", async () => {
    const body = deflateSync(JSON.stringify(errorEvent("deflated", 0)));
    const response = await post("/v1/events", body, { "content-type": "application/json", "content-encoding": "deflate" });
    expect(response.status).toBe(202);
    expect(await storedFor("deflated", 1)).toBe(1);
  });

  test("gzip OTLP/HTTP JSON logs are accepted and stored", async () => {
    const kv = (key: string, stringValue: string) => ({ key, value: { stringValue } });
    const otlp = {
      resourceLogs: [
        {
          resource: { attributes: [kv("service.name", "gz-otlp")] },
          scopeLogs: [{ logRecords: [{ timeUnixNano: `${Date.now() - 1000}000000`, severityNumber: 17, body: { stringValue: "boom" } }] }],
        },
      ],
    };
    const response = await post("/v1/logs", gzipSync(JSON.stringify(otlp)), {
      "content-type": "application/json",
      "content-encoding": "gzip",
    });
    expect(response.status).toBe(202);
    expect(await storedFor("gz-otlp", 1)).toBe(1);
  });

  test("a gzip bomb is refused whole with 413 naming the limit, and the server stays up", async () => {
    const bomb = gzipSync(`[${" ".repeat(32 * 1024 * 1024)}]`);
    expect(bomb.length).toBeLessThan(1024 * 1024); // small on the wire: only the inflated size is over the cap
    const response = await post("/v1/events", bomb, {
      "content-type": "application/json",
      "content-encoding": "gzip",
      connection: "close",
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      error: { code: "BODY_TOO_LARGE", message: "request body is over the limit of 1 MiB (1048576 bytes) (INGEST_MAX_BODY_BYTES)" },
    });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  test("malformed gzip is a 400 naming the encoding", async () => {
    const response = await post("/v1/events", new TextEncoder().encode('{"service":"x"}'), {
      "content-type": "application/json",
      "content-encoding": "gzip",
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        code: "INVALID_ENCODING",
        message: "Content-Encoding gzip: the body is not valid gzip data: it is corrupt, cut short or not compressed",
      },
    });
  });

  test("an unsupported Content-Encoding is a 415 listing the supported ones", async () => {
    const response = await post("/v1/events", new Uint8Array([1, 2, 3]), { "content-type": "application/json", "content-encoding": "br" });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
      "send gzip, deflate or an uncompressed body",
    );
  });
});
