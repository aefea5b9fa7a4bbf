import { describe, expect, test } from "bun:test";
import { DEFAULT_LIMITS } from "../domain/event/limits.ts";
import { isPlainJsonText } from "../domain/event/otlp.ts";
import { parseOtlpRequestBody } from "./parse-otlp-request.ts";

// A JSON body as the route passes it (read whole as bytes: Content-Length frames it), and as a
// stream (no Content-Length, or compressed): both reads must map alike.
const whole = (bytes: Uint8Array) => ({
  body: new Blob([new Uint8Array(bytes)]).stream(),
  contentType: "application/json",
  contentLength: String(bytes.length),
  readText: async () => new TextDecoder().decode(bytes),
  readBytes: async () => new Uint8Array(bytes).buffer,
});
const streamed = (bytes: Uint8Array) => ({ body: new Blob([new Uint8Array(bytes)]).stream(), contentType: "application/json" });

describe.each([
  ["read whole", whole],
  ["streamed", streamed],
])("parseOtlpRequestBody, OTLP/JSON %s", (_, json) => {
  test("an invalid byte read as U+FFFD is measured as the three bytes it is stored as, not as one", async () => {
    // {"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"<10 × 0x80>"}}]}]}]}: as many
    // UTF-16 units as bytes, yet not ASCII. Measured as stored, the record is 57 bytes, plus 2 for the
    // (empty) resource attributes; as one byte per unit it would be 39, within the limit.
    const head = new TextEncoder().encode('{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"');
    const tail = new TextEncoder().encode('"}}]}]}]}');
    const bytes = new Uint8Array([...head, ...new Array(10).fill(0x80), ...tail]);
    const mapped = await parseOtlpRequestBody(json(bytes), { ...DEFAULT_LIMITS, maxEventBytes: 40 });
    if (!mapped.ok) throw new Error(mapped.message);
    expect(mapped.rejected).toEqual([
      expect.objectContaining({ index: 0, code: "EVENT_TOO_LARGE", error: expect.stringContaining("(59 bytes)") }),
    ]);
  });

  test("a plain ASCII body is mapped with the same sizes as when every string is measured", async () => {
    const text = JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: "hello" } }] }] }] });
    const mapped = await parseOtlpRequestBody(json(new TextEncoder().encode(text)), { ...DEFAULT_LIMITS, maxEventBytes: 30 });
    if (!mapped.ok) throw new Error(mapped.message);
    // {"body":{"stringValue":"hello"}} is 32 bytes, plus 2 for the (empty) resource attributes.
    expect(mapped.rejected).toEqual([expect.objectContaining({ index: 0, error: expect.stringContaining("(34 bytes)") })]);
  });

  test("escapes and text past ASCII are measured as JSON.stringify writes them", async () => {
    // {"body":{"stringValue":"é\"x"}} is 32 bytes (é two in UTF-8, the escaped quote two), plus 2 for
    // the (empty) resource attributes.
    const text = '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"é\\"x"}}]}]}]}';
    const mapped = await parseOtlpRequestBody(json(new TextEncoder().encode(text)), { ...DEFAULT_LIMITS, maxEventBytes: 30 });
    if (!mapped.ok) throw new Error(mapped.message);
    expect(mapped.rejected).toEqual([expect.objectContaining({ index: 0, error: expect.stringContaining("(34 bytes)") })]);
  });

  test("a body that is not JSON is refused as INVALID_JSON", async () => {
    const mapped = await parseOtlpRequestBody(json(new TextEncoder().encode('{"resourceLogs": [')));
    expect(mapped).toMatchObject({ ok: false, status: 400, code: "INVALID_JSON" });
  });
});

describe("isPlainJsonText", () => {
  test("is true only for ASCII text without a backslash", () => {
    expect(isPlainJsonText('{"a":"b c"}')).toBe(true);
    expect(isPlainJsonText('{"a":"b\\"c"}')).toBe(false);
    expect(isPlainJsonText('{"a":"é"}')).toBe(false);
    expect(isPlainJsonText('{"a":"\ufffd"}')).toBe(false);
  });
});
