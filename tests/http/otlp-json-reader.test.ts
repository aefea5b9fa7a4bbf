import { afterAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { makeEvent } from "../../bench/fixtures.ts";
import { otlpLogsRequest } from "../../bench/lib/otlp-bodies.ts";
import { DEFAULT_LIMITS } from "../../src/domain/event/limits.ts";
import { otlpJsonReaderMemoryBytes, readOtlpJsonFast, useOtlpJsonModule } from "../../src/ingest/otlp-json-wasm.ts";
import {
  bothPaths,
  certificateHolds,
  mostFields,
  otlpJsonBodies,
  otlpJsonLimits,
  readerModule,
} from "../../tests/support/otlp-json-differential.ts";

afterAll(() => useOtlpJsonModule(null));

describe("WebAssembly OTLP/JSON reader", () => {
  test("the route's results are the same with the reader and without it, over generated bodies", async () => {
    let fast = 0;
    let runs = 0;
    let events = 0;
    await fc.assert(
      fc.asyncProperty(otlpJsonBodies, otlpJsonLimits, async (bytes, limits) => {
        const both = await bothPaths(bytes, limits);
        runs++;
        if (both.fast) {
          fast++;
          events += (both.wasm.match(/"index":/g) ?? []).length;
        }
        expect(both.wasm).toBe(both.js);
      }),
      { numRuns: 400 },
    );
    console.log(`reader answered for ${fast} of ${runs} generated bodies (${events} events)`);
    // The property means little if the reader fell back for nearly every body.
    expect(fast / runs).toBeGreaterThan(0.15);
  }, 60_000);

  test("the reader's certificate of fields, depth and keys is true of every event it made, over generated bodies", async () => {
    let certified = 0;
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(otlpJsonBodies, otlpJsonLimits, async (bytes, limits) => {
        const both = await bothPaths(bytes, limits);
        if (both.fast) answered++;
        if (both.certificate !== "none") certified++;
        expect(both.certificate).not.toBe("WRONG");
      }),
      { numRuns: 400 },
    );
    console.log(`reader certified ${certified} of the ${answered} bodies it answered for`);
    expect(certified / Math.max(1, answered)).toBeGreaterThan(0.5);
  }, 60_000);

  test("an SDK-shaped body's certificate counts exactly the fields of its largest event", () => {
    const body = new TextEncoder().encode(JSON.stringify(otlpLogsRequest(Array.from({ length: 50 }, (_, i) => makeEvent(i, 5)))));
    useOtlpJsonModule(readerModule());
    const read = readOtlpJsonFast(body, DEFAULT_LIMITS);
    expect(read).not.toBeNull();
    if (read === null) return;
    expect(certificateHolds(read)).toBe(true);
    expect(read.checked?.maxFields).toBe(mostFields(read));
  });

  for (const key of ["__proto__", "constructor", "prototype"]) {
    test(`a body with a "${key}" key in a nested attribute value is read without a certificate`, () => {
      const values = [{ key: "a", value: { kvlistValue: { values: [{ key, value: { stringValue: "x" } }] } } }];
      const attributes = [{ key: "outer", value: { kvlistValue: { values } } }];
      const body = new TextEncoder().encode(JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ attributes }] }] }] }));
      useOtlpJsonModule(readerModule());
      const read = readOtlpJsonFast(body, DEFAULT_LIMITS);
      expect(read).not.toBeNull();
      expect(read?.checked).toBeUndefined();
    });
  }

  test("the memory a large body grew is given back after it, and the next body still takes the reader", () => {
    const sdkBody = (events: number) =>
      new TextEncoder().encode(JSON.stringify(otlpLogsRequest(Array.from({ length: events }, (_, i) => makeEvent(i, 5)))));
    useOtlpJsonModule(readerModule());
    expect(readOtlpJsonFast(sdkBody(20), DEFAULT_LIMITS)).not.toBeNull();
    const small = otlpJsonReaderMemoryBytes();
    expect(small).toBeGreaterThan(0);
    expect(small).toBeLessThanOrEqual(16 << 20);
    const large = sdkBody(3_500); // about 8 MB: the reader needs a few times that
    expect(large.byteLength).toBeGreaterThan(7 << 20);
    expect(readOtlpJsonFast(large, DEFAULT_LIMITS)?.items.length).toBe(3_500);
    expect(otlpJsonReaderMemoryBytes()).toBe(0);
    expect(readOtlpJsonFast(sdkBody(20), DEFAULT_LIMITS)?.items.length).toBe(20);
    expect(otlpJsonReaderMemoryBytes()).toBe(small);
  });

  test("a body as an OpenTelemetry SDK sends it takes the reader and maps as the JS path does", async () => {
    const body = new TextEncoder().encode(JSON.stringify(otlpLogsRequest(Array.from({ length: 50 }, (_, i) => makeEvent(i, 5)))));
    const both = await bothPaths(body, DEFAULT_LIMITS);
    expect(both.routeTookReader).toBe(true);
    expect(both.wasm).toBe(both.js);
  });

  test("a gzip body streamed without Content-Length takes the reader and maps as the JS path does", async () => {
    const body = new TextEncoder().encode(JSON.stringify(otlpLogsRequest(Array.from({ length: 50 }, (_, i) => makeEvent(i, 5)))));
    const both = await bothPaths(body, DEFAULT_LIMITS, "gzip");
    expect(both.routeTookReader).toBe(true);
    expect(both.js).toContain('"index":49');
    expect(both.wasm).toBe(both.js);
  });

  test("gzip bodies give the route's results with the reader and without it, over generated bodies", async () => {
    await fc.assert(
      fc.asyncProperty(otlpJsonBodies, otlpJsonLimits, async (bytes, limits) => {
        const both = await bothPaths(bytes, limits, "gzip");
        expect(both.wasm).toBe(both.js);
      }),
      { numRuns: 100 },
    );
  }, 60_000);

  test("a body that is one large record maps as the JS path does, read or fallen back", async () => {
    const attributes = Array.from({ length: 400 }, (_, i) => ({
      key: `k${i}`,
      value: { kvlistValue: { values: [{ key: "a", value: {} }] } },
    }));
    const body = new TextEncoder().encode(JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ attributes }] }] }] }));
    const both = await bothPaths(body, DEFAULT_LIMITS);
    expect(both.wasm).toBe(both.js);
  });

  test("a record over the event size falls back, so it is rejected by its index as before", async () => {
    const body = new TextEncoder().encode(JSON.stringify(otlpLogsRequest(Array.from({ length: 3 }, (_, i) => makeEvent(i, 5)))));
    const both = await bothPaths(body, { ...DEFAULT_LIMITS, maxEventBytes: 500 });
    expect(both.fast).toBe(false);
    expect(both.js).toContain("EVENT_TOO_LARGE");
    expect(both.wasm).toBe(both.js);
  });
});
