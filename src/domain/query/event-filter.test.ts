import { describe, expect, test } from "bun:test";
import { decodeCursor, encodeCursor, parseEventFilter } from "./event-filter.ts";

const parse = (query: string) => parseEventFilter(new URLSearchParams(query));

test("valid parameters become typed values", () => {
  const result = parse(
    "service=payment&route=/api/payments/:id&statusCode=502&errorCode=GATEWAY_TIMEOUT&from=2026-11-26T00:00:00Z&to=1795700000000&q=time out&limit=20",
  );
  expect(result).toEqual({
    ok: true,
    search: {
      service: "payment",
      route: "/api/payments/:id",
      statusCode: 502,
      errorCode: "GATEWAY_TIMEOUT",
      from: Date.parse("2026-11-26T00:00:00Z"),
      to: 1795700000000,
      q: "time out",
      limit: 20,
    },
  });
  expect(parse("")).toEqual({ ok: true, search: { limit: 50 } });
});

test.each([
  ["service=a&service=b", "more than once"],
  ["service[$ne]=x", "unknown parameter"],
  ["$where=1", "unknown parameter"],
  ["service=$ne", "operator"],
  ['service={"$ne":null}', "operator"],
  ["route=[1]", "operator"],
  ["statusCode=abc", "statusCode"],
  ["statusCode=5e2", "statusCode"],
  ["statusCode=700", "statusCode"],
  ["limit=0", "limit"],
  ["limit=201", "limit"],
  ["from=yesterday", "from"],
  ["from=2026-11-26T00:00:00Z&to=2026-11-25T00:00:00Z", "before"],
  [`service=${"s".repeat(129)}`, "1 to 128"],
  [`q=${"q".repeat(201)}`, "1 to 200"],
  ["q=(a%2B)%2B$", "regex"],
  ["q=.*.*.*x", "regex"],
  ["errorCode=E%00", "control"],
  ["cursor=not-a-cursor", "cursor"],
  ["service=", "1 to 128"],
])("%s is refused (%s)", (query, fragment) => {
  const result = parse(query);
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.error).toContain(fragment);
});

test("cursors round-trip and refuse anything else", () => {
  const cursor = encodeCursor({ ts: 1795700000123, id: "ev-1/ü" });
  expect(decodeCursor(cursor)).toEqual({ ts: 1795700000123, id: "ev-1/ü" });
  expect(decodeCursor(btoa(JSON.stringify([1, { $gt: "" }])))).toBeNull();
  expect(decodeCursor(btoa(JSON.stringify(["1", "a"])))).toBeNull();
  expect(decodeCursor("%%%")).toBeNull();
});

describe("parseEventFilter: hasError and method", () => {
  test("hasError=true|false and a known method are accepted, the method upper-cased", () => {
    expect(parseEventFilter(new URLSearchParams("hasError=true&method=post"))).toEqual({
      ok: true,
      search: { limit: 50, hasError: true, method: "POST" },
    });
    expect(parseEventFilter(new URLSearchParams("hasError=false"))).toMatchObject({ ok: true, search: { hasError: false } });
  });

  test("anything else is refused with the parameter named", () => {
    expect(parseEventFilter(new URLSearchParams("hasError=1"))).toEqual({ ok: false, error: "hasError: must be true or false" });
    expect(parseEventFilter(new URLSearchParams("method=TRACE"))).toMatchObject({
      ok: false,
      error: expect.stringContaining("method: must be one of"),
    });
    expect(parseEventFilter(new URLSearchParams("method=%24where"))).toMatchObject({ ok: false });
  });
});
