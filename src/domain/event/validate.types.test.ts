import { describe, expect, test } from "bun:test";
import { createNormalizeContext, normalizeEvent } from "./normalize.ts";

const ctx = createNormalizeContext({ tenant: "t1", now: () => Date.UTC(2026, 10, 26, 3), newId: () => "generated-id" });

function errorFor(event: Record<string, unknown>): string {
  const result = normalizeEvent({ service: "api", ...event }, ctx);
  if (result.ok) throw new Error(`expected a rejection for ${JSON.stringify(event)}`);
  expect(result.code).toBe("INVALID_EVENT");
  return result.error;
}

describe("validation: event shape", () => {
  test("an array, null, string or number is not an event", () => {
    for (const value of [[], null, "x", 1]) {
      const result = normalizeEvent(value, ctx);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toContain("must be a JSON object");
    }
  });

  test("service is required", () => {
    const result = normalizeEvent({ route: "/x" }, ctx);
    expect(!result.ok && result.error).toContain("service is required");
  });

  test("service must be a non-empty string of at most 128 characters", () => {
    expect(errorFor({ service: "" })).toContain("service");
    expect(errorFor({ service: 42 })).toContain("number 42");
    expect(errorFor({ service: "s".repeat(129) })).toContain("129 characters");
    expect(normalizeEvent({ service: "s".repeat(128) }, ctx).ok).toBe(true);
  });
});

describe("validation: typed fields name the field and the expected type", () => {
  test("requestId must be a string of at most 256 characters", () => {
    expect(errorFor({ requestId: 123 })).toMatch(/^requestId must be a string.*number 123/);
    expect(errorFor({ requestId: "r".repeat(257) })).toContain("requestId");
  });

  test("route must be a string of at most 512 characters", () => {
    expect(errorFor({ route: ["/a"] })).toMatch(/^route must be a string.*array/);
    expect(errorFor({ route: `/${"r".repeat(512)}` })).toContain("route");
  });

  test("method must be a short non-empty string", () => {
    expect(errorFor({ method: 1 })).toMatch(/^method must be/);
    expect(errorFor({ method: "" })).toMatch(/^method must be/);
    expect(errorFor({ method: "M".repeat(17) })).toMatch(/^method must be/);
  });

  test("statusCode must be an integer from 100 to 599", () => {
    expect(errorFor({ statusCode: "200" })).toMatch(/^statusCode must be an integer.*string "200"/);
    expect(errorFor({ statusCode: 200.5 })).toContain("statusCode");
    expect(errorFor({ statusCode: 99 })).toContain("statusCode");
    expect(errorFor({ statusCode: 600 })).toContain("statusCode");
  });

  test("durationMs must be a finite number at least 0", () => {
    expect(errorFor({ durationMs: "12" })).toMatch(/^durationMs must be/);
    expect(errorFor({ durationMs: -1 })).toMatch(/^durationMs must be/);
  });

  test("durationMs past one year (1e308, which would overflow sums and percentiles) is rejected", () => {
    expect(errorFor({ durationMs: 1e308 })).toMatch(/^durationMs must be a number from 0 to 31536000000/);
    expect(errorFor({ durationMs: 31_536_000_001 })).toMatch(/^durationMs must be/);
    expect(normalizeEvent({ service: "api", durationMs: 31_536_000_000 }, ctx).ok).toBe(true);
  });

  test("error must be an object or a string", () => {
    expect(errorFor({ error: 500 })).toMatch(/^error must be an object/);
    expect(errorFor({ error: true })).toMatch(/^error must be an object/);
    expect(errorFor({ error: ["x"] })).toMatch(/^error must be an object/);
  });

  test("error.code, error.message and error.type must be strings", () => {
    expect(errorFor({ error: { code: 502 } })).toMatch(/^error\.code must be a string/);
    expect(errorFor({ error: { message: {} } })).toMatch(/^error\.message must be a string/);
    expect(errorFor({ error: { type: false } })).toMatch(/^error\.type must be a string/);
  });

  test("eventId must be a string of at most 128 characters", () => {
    expect(errorFor({ eventId: 7 })).toMatch(/^eventId must be a string/);
    expect(errorFor({ eventId: "e".repeat(129) })).toMatch(/^eventId must be a string/);
  });
});

describe("normalisation of typed fields", () => {
  test("method is upper-cased", () => {
    const result = normalizeEvent({ service: "api", method: "post" }, ctx);
    expect(result.ok && result.event.method).toBe("POST");
  });

  test("a string error becomes {message}", () => {
    const result = normalizeEvent({ service: "api", error: "boom" }, ctx);
    expect(result.ok && result.event.error).toEqual({ message: "boom" });
  });

  test("an error object keeps its extra keys", () => {
    const error = { code: "GATEWAY_TIMEOUT", message: "upstream", type: "UpstreamError", retries: 3 };
    const result = normalizeEvent({ service: "api", error }, ctx);
    expect(result.ok && result.event.error).toEqual(error);
  });

  test("null optional fields are treated as absent and removed", () => {
    const result = normalizeEvent({ service: "api", error: null, statusCode: null, route: null }, ctx);
    if (!result.ok) throw new Error(result.error);
    expect("error" in result.event || "statusCode" in result.event || "route" in result.event).toBe(false);
  });

  test("other fields and _metadata are kept as sent", () => {
    const value = { service: "api", user: { id: "u_1", plan: "pro" }, tags: ["a", 1], _metadata: { sdk: "js@1" } };
    const result = normalizeEvent(structuredClone(value), ctx);
    expect(result.ok && result.event).toMatchObject(value);
  });
});
