import { describe, expect, test } from "bun:test";
import { decodeFrame, encodeFrame, HEADER_BYTES, readHeader } from "../../../src/delivery/wal/frame.ts";
import type { OutboundRecord } from "../../../src/ports/publisher.ts";

const records: OutboundRecord[] = [
  {
    eventId: "e1",
    requestId: "r1",
    service: "cart",
    message: 'crème brûlée 🍮 \u2028 "quoted" \\ back',
    nested: { a: [1, 2.5, null, true] },
  },
  { kind: "rollup", id: "d1", tenant: "t", rows: [] },
  { eventId: "e2", requestId: "r2", service: "pay", empty: {}, list: [] },
];

describe("disk buffer frame", () => {
  test("the payload is byte for byte the JSON of the records as one array", () => {
    const frame = encodeFrame(records);
    const payload = frame.bytes.subarray(HEADER_BYTES);
    expect(new TextDecoder().decode(payload)).toBe(JSON.stringify(records));
    expect(payload).toEqual(new TextEncoder().encode(JSON.stringify(records)));
  });

  test("each record's text is its JSON, and the frame decodes back to the records", () => {
    const frame = encodeFrame(records);
    expect(frame.texts).toEqual(records.map((r) => JSON.stringify(r)));
    expect({ events: frame.events, deltas: frame.deltas }).toEqual({ events: 2, deltas: 1 });
    const header = readHeader(frame.bytes);
    expect(header).toBeDefined();
    expect(decodeFrame(frame.bytes, header as NonNullable<typeof header>)).toEqual(JSON.parse(JSON.stringify(records)));
  });
});
