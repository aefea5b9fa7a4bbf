import { describe, expect, test } from "bun:test";
import type { RollupDelta } from "../domain/rollup/rollup.ts";
import { decodeEvent } from "./decode.ts";

const bytes = (value: unknown) => new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));
const good = {
  eventId: "e1",
  requestId: "r1",
  service: "payment",
  timestamp: "2026-11-26T03:00:00.000Z",
  tenant: "t1",
  sampling: { reason: "HAS_ERROR", rate: 1 },
};

describe("decodeEvent", () => {
  test("a gateway event decodes with every field kept", () => {
    const result = decodeEvent(bytes({ ...good, user: { id: "u1" }, extra: [1, 2] }));
    expect(result).toEqual({ ok: true, event: { ...good, user: { id: "u1" }, extra: [1, 2] } });
  });

  test.each([
    ["empty", new Uint8Array(0), "empty message"],
    ["invalid UTF-8", new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), "not valid UTF-8"],
    ["not JSON", bytes("{not json"), "not JSON"],
    ["an array", bytes([good]), "not a JSON object"],
    ["null", bytes("null"), "not a JSON object"],
  ])("%s is refused with a reason", (_, value, reason) => {
    const result = decodeEvent(value);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });

  test("a missing message value is refused", () => {
    expect(decodeEvent(undefined)).toEqual({ ok: false, reason: "empty message" });
  });

  test.each([
    ["eventId", { eventId: undefined }],
    ["eventId", { eventId: "" }],
    ["eventId", { eventId: "x".repeat(257) }],
    ["requestId", { requestId: 42 }],
    ["service", { service: "" }],
    ["timestamp", { timestamp: "yesterday" }],
    ["tenant", { tenant: "a:b" }],
    ["sampling.rate", { sampling: { reason: "SAMPLED_NORMAL", rate: 0 } }],
    ["sampling.rate", { sampling: { reason: "SAMPLED_NORMAL", rate: 2 } }],
    ["sampling.rate", { sampling: "yes" }],
  ])("an event with a bad %s is refused, naming the field", (field, patch) => {
    const result = decodeEvent(bytes({ ...good, ...patch }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toStartWith(field);
  });

  test("an event without sampling is accepted (weight 1)", () => {
    const { sampling, ...rest } = good;
    expect(decodeEvent(bytes(rest)).ok).toBe(true);
  });
});

describe("decodeEvent: rollup deltas", () => {
  const delta = {
    kind: "rollup",
    id: "d1",
    tenant: "t1",
    rows: [
      {
        minute: Date.parse("2026-11-26T03:00:00Z"),
        service: "payment",
        route: null,
        method: null,
        statusCode: null,
        errorCode: null,
        error: 0,
        count: 2,
        durationCount: 0,
        durationSum: 0,
        durationMin: null,
        durationMax: null,
        bins: {},
        exemplars: [],
      },
    ],
  };

  test("a record without an eventId and with kind rollup decodes as a delta", () => {
    expect(decodeEvent(bytes(delta))).toEqual({ ok: true, event: delta as unknown as RollupDelta });
  });

  test("a malformed delta is refused with the row's problem, so it is dead-lettered", () => {
    const result = decodeEvent(bytes({ ...delta, rows: [{ ...delta.rows[0], count: -1 }] }));
    expect(result).toEqual({ ok: false, reason: "rollup rows[0]: count must be a positive integer" });
  });

  test("an event whose producer set kind: rollup stays an event", () => {
    const result = decodeEvent(bytes({ ...good, kind: "rollup" }));
    expect(result).toEqual({ ok: true, event: { ...good, kind: "rollup" } });
  });
});
