import { describe, expect, test } from "bun:test";
import { HttpTransport, parseRetryAfter, type TransportError, type WideEvent } from "../../src/sdk/index.ts";
import { deadUrl, INGEST_KEY, inProcessGateway, localServer } from "./gateway.ts";

const event = (n: number, extra: Record<string, unknown> = {}): WideEvent => ({
  requestId: `t-${n}`,
  timestamp: new Date().toISOString(),
  service: "payment",
  route: "/api/payments",
  method: "POST",
  statusCode: 201,
  durationMs: 12,
  ...extra,
});

/** Records the waits the transport asks for instead of sleeping: retry timing without the wall clock. */
const recordedSleep = () => {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
};

/** The server has read the body already (localServer records it). */
const accepted = (_request: Request) => Response.json({ accepted: 0, kept: 0, dropped: 0, rejected: [] }, { status: 202 });

describe("HttpTransport", () => {
  test("a 429 is retried after the Retry-After the server gave, then the batch is delivered", async () => {
    const server = localServer((_request, i) =>
      i === 0
        ? Response.json({ error: { code: "BACKPRESSURE" } }, { status: 429, headers: { "retry-after": "3" } })
        : Response.json({ accepted: 2, kept: 2, dropped: 0, rejected: [] }, { status: 202 }),
    );
    try {
      const { waits, sleep } = recordedSleep();
      const transport = new HttpTransport({ url: server.url, flushIntervalMs: 0, sleep });
      transport.send(event(1));
      transport.send(event(2));
      await transport.flush();
      expect(waits).toEqual([3000]);
      expect(server.bodies).toHaveLength(2);
      expect(server.bodies[1]?.text).toBe(server.bodies[0]?.text as string);
      expect(transport.stats()).toMatchObject({ delivered: 2, keptByGateway: 2, retries: 1, requests: 2, dropped: { total: 0 } });
    } finally {
      server.stop();
    }
  });

  test("a 5xx without Retry-After backs off exponentially, within the jitter bounds", async () => {
    const server = localServer((request, i) => (i < 3 ? new Response("down", { status: 503 }) : accepted(request)));
    try {
      const { waits, sleep } = recordedSleep();
      const transport = new HttpTransport({ url: server.url, flushIntervalMs: 0, retryBaseMs: 100, sleep });
      transport.send(event(1));
      await transport.flush();
      expect(waits).toHaveLength(3);
      waits.forEach((ms, attempt) => {
        expect(ms).toBeGreaterThanOrEqual(50 * 2 ** attempt);
        expect(ms).toBeLessThanOrEqual(100 * 2 ** attempt);
      });
      expect(transport.stats().dropped.total).toBe(0);
    } finally {
      server.stop();
    }
  });

  test("when retries run out the batch is counted as failed and reported", async () => {
    const server = localServer(() => new Response("overloaded", { status: 503 }));
    try {
      const errors: TransportError[] = [];
      const { sleep } = recordedSleep();
      const transport = new HttpTransport({ url: server.url, flushIntervalMs: 0, maxRetries: 2, sleep, onError: (e) => errors.push(e) });
      for (let i = 0; i < 5; i++) transport.send(event(i));
      await transport.flush();
      expect(server.bodies).toHaveLength(3);
      expect(transport.stats().dropped).toEqual({ bufferFull: 0, refused: 0, failed: 5, tooLarge: 0, closed: 0, total: 5 });
      expect(errors.at(-1)).toMatchObject({ kind: "exhausted", events: 5 });
    } finally {
      server.stop();
    }
  });

  test("a full buffer drops new events and counts them", async () => {
    const gateway = await inProcessGateway();
    const transport = new HttpTransport({ url: gateway.url, apiKey: INGEST_KEY, fetch: gateway.fetch, flushIntervalMs: 0, maxBuffer: 3 });
    for (let i = 0; i < 5; i++) transport.send(event(i));
    expect(transport.stats()).toMatchObject({ buffered: 3, dropped: { bufferFull: 2, total: 2 } });
    await transport.flush();
    expect((await gateway.events()).map((e) => e.requestId).sort()).toEqual(["t-0", "t-1", "t-2"]);
    expect(transport.stats()).toMatchObject({ enqueued: 5, delivered: 3, buffered: 0 });
  });

  test("batches are cut at batchSize", async () => {
    const gateway = await inProcessGateway();
    const transport = new HttpTransport({ url: gateway.url, apiKey: INGEST_KEY, fetch: gateway.fetch, flushIntervalMs: 0, batchSize: 4 });
    for (let i = 0; i < 10; i++) transport.send(event(i));
    await transport.flush();
    const sizes = await Promise.all(gateway.requests.map(async (r) => ((await r.json()) as unknown[]).length));
    expect(sizes).toEqual([4, 4, 2]);
    expect(transport.stats().delivered).toBe(10);
  });

  test("the API key goes in the Authorization header the gateway expects", async () => {
    const gateway = await inProcessGateway();
    const transport = new HttpTransport({ url: gateway.url, apiKey: INGEST_KEY, fetch: gateway.fetch, flushIntervalMs: 0 });
    transport.send(event(1));
    await transport.flush();
    expect(gateway.requests[0]?.headers.get("authorization")).toBe(`Bearer ${INGEST_KEY}`);
    expect(transport.stats().delivered).toBe(1);
  });

  test("a wrong API key is a refusal: counted, not retried", async () => {
    const gateway = await inProcessGateway();
    const errors: TransportError[] = [];
    const transport = new HttpTransport({
      url: gateway.url,
      apiKey: "wrong",
      fetch: gateway.fetch,
      flushIntervalMs: 0,
      onError: (e) => errors.push(e),
    });
    transport.send(event(1));
    await transport.flush();
    expect(gateway.requests).toHaveLength(1);
    expect(transport.stats().dropped).toMatchObject({ refused: 1, total: 1 });
    expect(errors[0]).toMatchObject({ kind: "status", status: 401 });
  });

  test("events the gateway rejects by index are counted as refused", async () => {
    const gateway = await inProcessGateway();
    const transport = new HttpTransport({ url: gateway.url, apiKey: INGEST_KEY, fetch: gateway.fetch, flushIntervalMs: 0 });
    transport.send(event(1));
    transport.send(event(2, { statusCode: 9999 }));
    await transport.flush();
    expect(transport.stats()).toMatchObject({ delivered: 1, dropped: { refused: 1, total: 1 } });
  });

  test("a batch over the gateway's body limit (413) is sent again in halves until every event is delivered", async () => {
    const gateway = await inProcessGateway({ INGEST_MAX_BODY_BYTES: "1024" });
    const transport = new HttpTransport({ url: gateway.url, apiKey: INGEST_KEY, fetch: gateway.fetch, flushIntervalMs: 0 });
    for (let i = 0; i < 20; i++) transport.send(event(i, { note: "x".repeat(100) }));
    await transport.flush();
    const sizes = await Promise.all(gateway.requests.map(async (r) => ((await r.json()) as unknown[]).length));
    expect(sizes[0]).toBe(20);
    expect(Math.max(...sizes.slice(1))).toBeLessThan(20);
    expect((await gateway.events()).map((e) => e.requestId).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `t-${i}`).sort());
    expect(transport.stats()).toMatchObject({ delivered: 20, retries: 0, dropped: { total: 0 } });
  });

  test("one event larger than the gateway takes is dropped and counted as tooLarge; the rest of its batch arrives", async () => {
    const gateway = await inProcessGateway({ INGEST_MAX_BODY_BYTES: "1024" });
    const errors: TransportError[] = [];
    const transport = new HttpTransport({
      url: gateway.url,
      apiKey: INGEST_KEY,
      fetch: gateway.fetch,
      flushIntervalMs: 0,
      onError: (e) => errors.push(e),
    });
    for (let i = 0; i < 5; i++) transport.send(event(i, i === 2 ? { note: "x".repeat(2000) } : {}));
    await transport.flush();
    expect((await gateway.events()).map((e) => e.requestId).sort()).toEqual(["t-0", "t-1", "t-3", "t-4"]);
    expect(transport.stats()).toMatchObject({ delivered: 4, dropped: { tooLarge: 1, refused: 0, failed: 0, total: 1 } });
    expect(errors).toEqual([expect.objectContaining({ kind: "status", status: 413, events: 1 })]);
    expect(errors[0]?.message).toContain("event too large for the gateway");
  });

  test("a large batch is gzipped and arrives intact", async () => {
    const server = localServer((request) => accepted(request));
    try {
      const transport = new HttpTransport({ url: server.url, flushIntervalMs: 0, gzipMinBytes: 1024 });
      for (let i = 0; i < 20; i++) transport.send(event(i, { note: "x".repeat(100) }));
      await transport.flush();
      expect(server.bodies[0]?.encoding).toBe("gzip");
      expect((JSON.parse(server.bodies[0]?.text ?? "[]") as WideEvent[]).map((e) => e.requestId)).toHaveLength(20);
    } finally {
      server.stop();
    }
  });

  test("a small batch is sent plain", async () => {
    const server = localServer((request) => accepted(request));
    try {
      const transport = new HttpTransport({ url: server.url, flushIntervalMs: 0, gzipMinBytes: 1024 });
      transport.send(event(1));
      await transport.flush();
      expect(server.bodies[0]?.encoding).toBeNull();
    } finally {
      server.stop();
    }
  });

  test("a gateway that refuses gzip with 415 gets the batch again uncompressed, and plain from then on", async () => {
    const server = localServer((request) =>
      request.headers.get("content-encoding") === "gzip" ? new Response("no gzip", { status: 415 }) : accepted(request),
    );
    try {
      const transport = new HttpTransport({ url: server.url, flushIntervalMs: 0, gzipMinBytes: 0 });
      transport.send(event(1));
      await transport.flush();
      transport.send(event(2));
      await transport.flush();
      expect(server.bodies.map((b) => b.encoding)).toEqual(["gzip", null, null]);
      expect(transport.stats()).toMatchObject({ gzipFallbacks: 1, retries: 0, dropped: { total: 0 } });
    } finally {
      server.stop();
    }
  });

  test("a gateway that cannot read gzip and answers 400 gets the batch again uncompressed, and plain from then on", async () => {
    const server = localServer((request) =>
      request.headers.get("content-encoding") === "gzip"
        ? Response.json({ error: { code: "INVALID_JSON" } }, { status: 400 })
        : accepted(request),
    );
    try {
      const transport = new HttpTransport({ url: server.url, flushIntervalMs: 0, gzipMinBytes: 0 });
      transport.send(event(1));
      await transport.flush();
      transport.send(event(2));
      await transport.flush();
      expect(server.bodies.map((b) => b.encoding)).toEqual(["gzip", null, null]);
      expect(transport.stats()).toMatchObject({ gzipFallbacks: 1, retries: 0, dropped: { total: 0 } });
    } finally {
      server.stop();
    }
  });

  test("by default a batch of 32 KiB or more is gzipped and a smaller one is not", async () => {
    const server = localServer((request) => accepted(request));
    try {
      const transport = new HttpTransport({ url: server.url, flushIntervalMs: 0 });
      for (let i = 0; i < 40; i++) transport.send(event(i, { note: "x".repeat(1000) }));
      await transport.flush();
      transport.send(event(99));
      await transport.flush();
      expect(server.bodies.map((b) => [b.encoding, b.text.length >= 32 * 1024])).toEqual([
        ["gzip", true],
        [null, false],
      ]);
    } finally {
      server.stop();
    }
  });

  test("gzipped batches reach the real gateway, compressed or (where it does not take gzip) resent plain", async () => {
    const gateway = await inProcessGateway();
    const transport = new HttpTransport({
      url: gateway.url,
      apiKey: INGEST_KEY,
      fetch: gateway.fetch,
      flushIntervalMs: 0,
      gzipMinBytes: 0,
    });
    for (let i = 0; i < 3; i++) transport.send(event(i));
    await transport.flush();
    expect(gateway.requests[0]?.headers.get("content-encoding")).toBe("gzip");
    expect((await gateway.events()).map((e) => e.requestId).sort()).toEqual(["t-0", "t-1", "t-2"]);
    expect(transport.stats()).toMatchObject({ delivered: 3, dropped: { total: 0 } });
  });

  test("with the gateway down, events are counted as failed once retries run out", async () => {
    const { sleep } = recordedSleep();
    const transport = new HttpTransport({ url: await deadUrl(), flushIntervalMs: 0, maxRetries: 1, sleep });
    transport.send(event(1));
    transport.send(event(2));
    await transport.flush();
    expect(transport.stats()).toMatchObject({ requests: 2, dropped: { failed: 2, total: 2 } });
    expect(transport.stats().lastError).toContain("gave up after 2 attempts");
  });

  test("close() sends what is buffered and counts later events as dropped", async () => {
    const gateway = await inProcessGateway();
    const transport = new HttpTransport({ url: gateway.url, apiKey: INGEST_KEY, fetch: gateway.fetch, flushIntervalMs: 50 });
    transport.send(event(1));
    await transport.close();
    transport.send(event(2));
    expect((await gateway.events()).map((e) => e.requestId)).toEqual(["t-1"]);
    expect(transport.stats().dropped).toMatchObject({ closed: 1, total: 1 });
  });

  test("with waitUntil, the send schedules its own flush on the runtime's promise", async () => {
    const gateway = await inProcessGateway();
    const transport = new HttpTransport({ url: gateway.url, apiKey: INGEST_KEY, fetch: gateway.fetch });
    const pending: Promise<unknown>[] = [];
    transport.send(event(1), { waitUntil: (p) => pending.push(p) });
    expect(pending).toHaveLength(1);
    await Promise.all(pending);
    expect(transport.stats()).toMatchObject({ delivered: 1, buffered: 0 });
  });
});

describe("parseRetryAfter", () => {
  test("delay-seconds", () => {
    expect(parseRetryAfter("7", 0)).toBe(7000);
  });
  test("an HTTP date, relative to now", () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(parseRetryAfter("Thu, 01 Jan 2026 12:00:05 GMT", now)).toBe(5000);
  });
  test("absent or unreadable is undefined", () => {
    expect(parseRetryAfter(null, 0)).toBeUndefined();
    expect(parseRetryAfter("soon", 0)).toBeUndefined();
  });
});
