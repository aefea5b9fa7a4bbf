import { describe, expect, test } from "bun:test";
import { CliError } from "./errors.ts";
import { parseFilters, queryFromFlags } from "./stat-query-flags.ts";

describe("parseFilters", () => {
  test("key=value is equality, with numbers for statusCode and durationMs", () => {
    expect(parseFilters(["service=payment", "statusCode=502", "durationMs=12.5"])).toEqual({
      service: "payment",
      statusCode: 502,
      durationMs: 12.5,
    });
  });

  test("comparison operators, and the longest operator wins (>= over >)", () => {
    expect(parseFilters(["statusCode>=500", "durationMs<100", "service!=health"])).toEqual({
      statusCode: { gte: 500 },
      durationMs: { lt: 100 },
      service: { neq: "health" },
    });
  });

  test("a comma list is in / nin", () => {
    expect(parseFilters(["route=/a,/b", "method!=GET,HEAD"])).toEqual({ route: { in: ["/a", "/b"] }, method: { nin: ["GET", "HEAD"] } });
  });

  test("two conditions on one key are merged", () => {
    expect(parseFilters(["statusCode>=500", "statusCode<600"])).toEqual({ statusCode: { gte: 500, lt: 600 } });
  });

  test("attr.<path> goes under attr, numbers and booleans typed", () => {
    expect(parseFilters(["attr.user.plan=pro", "attr.cart.total>100", "attr.beta=true"])).toEqual({
      attr: { "user.plan": "pro", "cart.total": { gt: 100 }, beta: true },
    });
  });

  test("hasError takes true or false only", () => {
    expect(parseFilters(["hasError=true"])).toEqual({ hasError: true });
    expect(() => parseFilters(["hasError=yes"])).toThrow(CliError);
  });

  test("no operator, an empty value or a repeated operator is a usage error", () => {
    for (const bad of [["service"], ["service="], ["statusCode>=500", "statusCode>=400"]]) {
      expect(() => parseFilters(bad)).toThrow(CliError);
    }
  });
});

describe("queryFromFlags", () => {
  test("builds a StatQuery from flags", () => {
    expect(
      queryFromFlags({ metric: "p95", groupBy: "service, route", last: "1h", bucket: "5m", limit: 10, filter: ["service=payment"] }),
    ).toEqual({
      metric: "p95",
      filter: { service: "payment" },
      timeRange: { last: "1h" },
      groupBy: ["service", "route"],
      bucket: "5m",
      limit: 10,
    });
  });

  test("--from with --to, and --last with --from refused", () => {
    expect(queryFromFlags({ metric: "count", from: "2026-11-26T00:00:00Z", to: "2026-11-27T00:00:00Z" }).timeRange).toEqual({
      from: "2026-11-26T00:00:00Z",
      to: "2026-11-27T00:00:00Z",
    });
    expect(() => queryFromFlags({ metric: "count", last: "1h", from: "2026-11-26T00:00:00Z" })).toThrow("--last cannot be combined");
  });

  test("no metric is a usage error with exit code 2", () => {
    try {
      queryFromFlags({});
      throw new Error("expected a usage error");
    } catch (error) {
      expect((error as CliError).exitCode).toBe(2);
    }
  });
});
