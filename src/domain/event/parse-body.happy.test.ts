import { describe, expect, test } from "bun:test";
import { parseBody } from "./parse-body.ts";

function ok(result: ReturnType<typeof parseBody>) {
  if (!result.ok) throw new Error(`expected success, got ${result.code}: ${result.message}`);
  return result;
}

describe("parseBody: accepted bodies", () => {
  test("a single JSON object is one event at index 0", () => {
    const body = ok(parseBody('{"service":"api"}', "application/json"));
    expect(body.items).toEqual([{ index: 0, value: { service: "api" } }]);
    expect(body.rejected).toEqual([]);
  });

  test("a JSON array gives one item per element, by index", () => {
    const body = ok(parseBody('[{"service":"a"}, {"service":"b"}]', "application/json"));
    expect(body.items).toEqual([
      { index: 0, value: { service: "a" } },
      { index: 1, value: { service: "b" } },
    ]);
  });

  test("an empty JSON array is accepted with no events", () => {
    expect(ok(parseBody("[]", "application/json")).items).toEqual([]);
  });

  test("NDJSON gives one item per line and skips blank lines without an index", () => {
    const body = ok(parseBody('{"service":"a"}\n\n  \r\n{"service":"b"}\r\n', "application/x-ndjson"));
    expect(body.items).toEqual([
      { index: 0, value: { service: "a" } },
      { index: 1, value: { service: "b" } },
    ]);
  });

  test("a bad NDJSON line is rejected by index and the rest are kept", () => {
    const body = ok(parseBody('{"service":"a"}\n{oops\n{"service":"c"}', "application/x-ndjson"));
    expect(body.items.map((i) => i.index)).toEqual([0, 2]);
    expect(body.rejected).toHaveLength(1);
    expect(body.rejected[0]).toMatchObject({ index: 1, code: "INVALID_JSON" });
  });

  test("content type parameters and case are accepted", () => {
    expect(parseBody("{}", "Application/JSON; charset=UTF-8").ok).toBe(true);
    expect(parseBody("{}", "application/x-ndjson;charset=utf-8").ok).toBe(true);
    expect(parseBody("{}", "application/vnd.widegate+json").ok).toBe(true);
  });

  test("a missing content type is read as JSON", () => {
    expect(parseBody("{}", undefined).ok).toBe(true);
    expect(parseBody("{}", null).ok).toBe(true);
  });

  test("a leading byte order mark is ignored", () => {
    expect(ok(parseBody('\uFEFF{"service":"a"}', "application/json")).items).toHaveLength(1);
  });
});
