import { describe, expect, test } from "bun:test";
import { compileRouteMatcher, globSource } from "./glob.ts";

const matches = (pattern: string, route: string): boolean => compileRouteMatcher([pattern])(route);

describe("route globs", () => {
  test("an exact route matches only itself", () => {
    expect(matches("/api/payments", "/api/payments")).toBe(true);
    expect(matches("/api/payments", "/api/payments/1")).toBe(false);
    expect(matches("/api/payments", "/api/payment")).toBe(false);
  });

  test("`*` matches exactly one non-empty segment", () => {
    expect(matches("/api/*/pay", "/api/v2/pay")).toBe(true);
    expect(matches("/api/*/pay", "/api/pay")).toBe(false);
    expect(matches("/api/*/pay", "/api//pay")).toBe(false);
    expect(matches("/api/*/pay", "/api/a/b/pay")).toBe(false);
  });

  test("`*` inside a segment matches characters within that segment only", () => {
    expect(matches("/api/v*/pay", "/api/v2/pay")).toBe(true);
    expect(matches("/api/v*/pay", "/api/v/pay")).toBe(true);
    expect(matches("/api/v*/pay", "/api/v2/x/pay")).toBe(false);
  });

  test("trailing `**` matches zero or more segments", () => {
    for (const route of ["/api", "/api/", "/api/pay", "/api/a/b/c"]) expect(matches("/api/**", route)).toBe(true);
    expect(matches("/api/**", "/apix")).toBe(false);
    expect(matches("/api/**", "/other/api")).toBe(false);
  });

  test("`**` in the middle matches zero or more segments between fixed ones", () => {
    for (const route of ["/api/pay", "/api/v2/pay", "/api/a/b/pay"]) expect(matches("/api/**/pay", route)).toBe(true);
    expect(matches("/api/**/pay", "/api/v2/payx")).toBe(false);
    expect(matches("/api/**/pay", "/apix/pay")).toBe(false);
  });

  test("`/api/*/pay` and `/api/**` differ on deeper and shallower routes", () => {
    const one = compileRouteMatcher(["/api/*/pay"]);
    const any = compileRouteMatcher(["/api/**"]);
    expect([one("/api/x/pay"), any("/api/x/pay")]).toEqual([true, true]);
    expect([one("/api/x/y/pay"), any("/api/x/y/pay")]).toEqual([false, true]);
    expect([one("/api"), any("/api")]).toEqual([false, true]);
  });

  test("a leading `**/` matches any prefix", () => {
    expect(matches("**/health", "/v1/internal/health")).toBe(true);
    expect(matches("**/health", "/healthz")).toBe(false);
  });

  test("regex metacharacters in patterns are literal", () => {
    expect(matches("/api/v1.0/(pay)+", "/api/v1.0/(pay)+")).toBe(true);
    expect(matches("/api/v1.0/*", "/api/v1x0/pay")).toBe(false);
    expect(matches("/a+b/[x]/*", "/a+b/[x]/1")).toBe(true);
    expect(matches("/a+b/*", "/aab/1")).toBe(false);
    expect(matches("/$^|?/*", "/$^|?/x")).toBe(true);
  });

  test("globs match the whole route, not a substring", () => {
    expect(matches("/api/*", "/v1/api/x")).toBe(false);
    expect(matches("/api/*", "/api/x/")).toBe(false);
  });

  test("exact routes and globs combine in one matcher", () => {
    const critical = compileRouteMatcher(["/checkout", "/api/*/pay", "/admin/**"]);
    expect(critical("/checkout")).toBe(true);
    expect(critical("/api/v2/pay")).toBe(true);
    expect(critical("/admin/users/1")).toBe(true);
    expect(critical("/checkout/x")).toBe(false);
    expect(critical("/api/v2/refund")).toBe(false);
  });

  test("no patterns match nothing", () => {
    expect(compileRouteMatcher([])("/")).toBe(false);
  });

  test("a non-string pattern is rejected at compile time", () => {
    expect(() => compileRouteMatcher([42 as unknown as string])).toThrow("critical route 42 is not a string");
  });

  test("the compiled source escapes literals and expands wildcards", () => {
    expect(globSource("/a.b/*/**")).toBe("/a\\.b/[^/]+(?:/[^/]*)*");
  });
});
