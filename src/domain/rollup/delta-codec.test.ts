import { describe, expect, test } from "bun:test";
import { checkRollupDelta } from "./delta-codec.ts";
import { isRollupDelta } from "./rollup.ts";

const row = {
  minute: Date.parse("2026-11-26T03:04:00Z"),
  service: "payment",
  route: "/pay",
  method: "POST",
  statusCode: 200,
  errorCode: null,
  error: 0,
  count: 3,
  durationCount: 2,
  durationSum: 30,
  durationMin: 10,
  durationMax: 20,
  bins: { "116": 1, "151": 1 },
  exemplars: ["e1"],
};
const delta = (rowPatch: Record<string, unknown> = {}, patch: Record<string, unknown> = {}) => ({
  kind: "rollup",
  id: "d1",
  tenant: "t1",
  rows: [{ ...row, ...rowPatch }],
  ...patch,
});

describe("checkRollupDelta", () => {
  test("a well-formed delta passes", () => {
    expect(checkRollupDelta(delta()).ok).toBe(true);
  });

  test.each([
    ["a minute not on a whole minute", { minute: row.minute + 1 }],
    ["a zero count", { count: 0 }],
    ["a negative duration sum", { durationSum: -1 }],
    ["more durations than events", { durationCount: 4 }],
    ["bins that do not add up to durationCount", { bins: { "116": 1 } }],
    ["a non-integer bin key", { bins: { abc: 2 } }],
    ["an error flag other than 0 or 1", { error: 2 }],
    ["a statusCode out of range", { statusCode: 42 }],
    ["a missing service", { service: "" }],
    ["min and max without durations", { durationCount: 0, bins: {}, durationSum: 0 }],
  ])("refuses %s, naming the row", (_, patch) => {
    const result = checkRollupDelta(delta(patch));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toStartWith("rollup rows[0]: ");
  });

  test("refuses a delta without an id, a tenant or rows", () => {
    expect(checkRollupDelta(delta({}, { id: "" })).ok).toBe(false);
    expect(checkRollupDelta(delta({}, { tenant: "a:b" })).ok).toBe(false);
    expect(checkRollupDelta(delta({}, { rows: [] })).ok).toBe(false);
  });
});

describe("isRollupDelta", () => {
  test("an event carrying its own kind: rollup field is still an event (it has an eventId)", () => {
    expect(isRollupDelta({ kind: "rollup", eventId: "e1", requestId: "r" })).toBe(false);
    expect(isRollupDelta(delta())).toBe(true);
  });
});
