import { describe, expect, test } from "bun:test";
import { createNormalizeContext, normalizeBody } from "./normalize.ts";
import type { ParsedBody } from "./parse-body.ts";
import { compileRedaction } from "./redaction.ts";
import { VALIDATE_ONLY } from "./scrub.ts";

// ParsedBody.checked is its builder's word that the scrub walk would find nothing. These bodies
// break that word on purpose (a forbidden key, too many fields), so whether the walk ran shows.

const limits = { maxFields: 10, maxDepth: 4 };
const ctx = (redaction = VALIDATE_ONLY, within = limits) => createNormalizeContext({ tenant: "t", limits: within, redaction });

function body(checked?: { maxFields: number; maxDepth: number }): Pick<ParsedBody, "items" | "rejected" | "checked"> {
  const items = [{ index: 0, value: JSON.parse('{"service":"s","attributes":{"constructor":"x","password":"p"}}') }];
  return checked === undefined ? { items, rejected: [] } : { items, rejected: [], checked };
}

const rejectedCodes = (result: ReturnType<typeof normalizeBody>) => (result.ok ? result.rejected.map((r) => r.code) : [result.code]);

describe("normalizeBody with a checked body", () => {
  test("without the flag the walk runs", () => {
    expect(rejectedCodes(normalizeBody(body(), ctx()))).toEqual(["FORBIDDEN_KEY"]);
  });

  test("a flag within the limits skips the validation walk", () => {
    expect(rejectedCodes(normalizeBody(body({ maxFields: 10, maxDepth: 4 }), ctx()))).toEqual([]);
  });

  test("a flag counting more fields than the limit means a walk", () => {
    expect(rejectedCodes(normalizeBody(body({ maxFields: 11, maxDepth: 4 }), ctx()))).toEqual(["FORBIDDEN_KEY"]);
  });

  test("a flag nesting deeper than the limit means a walk", () => {
    expect(rejectedCodes(normalizeBody(body({ maxFields: 10, maxDepth: 5 }), ctx()))).toEqual(["FORBIDDEN_KEY"]);
  });

  test("real redaction walks whatever the flag says", () => {
    expect(rejectedCodes(normalizeBody(body({ maxFields: 1, maxDepth: 1 }), ctx(compileRedaction())))).toEqual(["FORBIDDEN_KEY"]);
  });
});
