import { describe, expect, test } from "bun:test";
import { DEFAULT_LIMITS } from "./limits.ts";
import { parseBody } from "./parse-body.ts";

const JSON_TYPE = "application/json";

describe("parseBody: refused bodies", () => {
  test("an empty body is 400 EMPTY_BODY", () => {
    expect(parseBody("", JSON_TYPE)).toMatchObject({ ok: false, status: 400, code: "EMPTY_BODY" });
    expect(parseBody("  \n ", JSON_TYPE)).toMatchObject({ ok: false, status: 400, code: "EMPTY_BODY" });
  });

  test("NDJSON with only blank lines is 400 EMPTY_BODY", () => {
    expect(parseBody("\n\n \n", "application/x-ndjson")).toMatchObject({ status: 400, code: "EMPTY_BODY" });
  });

  test("invalid JSON is 400 INVALID_JSON for the whole body", () => {
    expect(parseBody('[{"service":"a"}, {oops}]', JSON_TYPE)).toMatchObject({ status: 400, code: "INVALID_JSON" });
  });

  test("unbalanced JSON is 400 INVALID_JSON", () => {
    expect(parseBody('{"a":[1,2}', JSON_TYPE)).toMatchObject({ status: 400, code: "INVALID_JSON" });
    expect(parseBody('{"a":"unterminated', JSON_TYPE)).toMatchObject({ status: 400, code: "INVALID_JSON" });
  });

  test("several JSON values sent as application/json hint at NDJSON", () => {
    const result = parseBody('{"a":1}\n{"a":2}', JSON_TYPE);
    expect(result).toMatchObject({ status: 400, code: "INVALID_JSON" });
    if (!result.ok) expect(result.message).toContain("application/x-ndjson");
  });

  test("an unsupported content type is 415", () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml"]) {
      expect(parseBody("{}", type)).toMatchObject({ ok: false, status: 415, code: "UNSUPPORTED_MEDIA_TYPE" });
    }
  });

  test("a non-UTF-8 charset is 415", () => {
    expect(parseBody("{}", "application/json; charset=iso-8859-1")).toMatchObject({ status: 415, code: "UNSUPPORTED_MEDIA_TYPE" });
  });

  test("a top-level number, string, boolean or null is 400 INVALID_TOP_LEVEL", () => {
    for (const text of ["42", '"event"', "true", "null"]) {
      expect(parseBody(text, JSON_TYPE)).toMatchObject({ ok: false, status: 400, code: "INVALID_TOP_LEVEL" });
    }
  });

  test("a bare word is 400 INVALID_JSON, not a top-level error", () => {
    expect(parseBody("hello", JSON_TYPE)).toMatchObject({ status: 400, code: "INVALID_JSON" });
  });

  test("non-object array elements are passed on for validation to reject by index", () => {
    const result = parseBody('[1, "x", {"service":"a"}]', JSON_TYPE);
    expect(result.ok && result.items.map((i) => i.value)).toEqual([1, "x", { service: "a" }]);
  });

  test("a body over maxBodyBytes is 413 BODY_TOO_LARGE naming the limit", () => {
    const limits = { ...DEFAULT_LIMITS, maxBodyBytes: 1024 };
    const result = parseBody(`[${'{"s":"x"},'.repeat(200)}{}]`, JSON_TYPE, limits);
    expect(result).toMatchObject({ ok: false, status: 413, code: "BODY_TOO_LARGE" });
    if (!result.ok) expect(result.message).toContain("1 KiB (1024 bytes)");
  });
});
