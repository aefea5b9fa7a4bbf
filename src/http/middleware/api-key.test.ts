import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { apiKeyAuth, keyMatcher, type TenantVariables } from "./api-key.ts";

const KEYS = new Map([
  ["k-acme-0123456789abcdef", "acme"],
  ["k-globex-fedcba9876543210", "globex"],
]);

function app() {
  const hono = new Hono<{ Variables: TenantVariables }>();
  hono.get("/t", apiKeyAuth({ keys: KEYS, scope: "query" }), (c) => c.json({ tenant: c.get("tenant") }));
  return hono;
}

describe("apiKeyAuth (constant-time key matching)", () => {
  test("the right key is accepted by Bearer and by X-API-Key, each resolving its own tenant", async () => {
    const a = await app().request("/t", { headers: { authorization: "Bearer k-acme-0123456789abcdef" } });
    expect(await a.json()).toEqual({ tenant: "acme" });
    const b = await app().request("/t", { headers: { "x-api-key": "k-globex-fedcba9876543210" } });
    expect(await b.json()).toEqual({ tenant: "globex" });
  });

  test("a prefix, an extension, a one-character change and a case change of a key are all refused with 401", async () => {
    const wrong = [
      "k-acme-0123456789abcde",
      "k-acme-0123456789abcdef0",
      "k-acme-0123456789abcdeF",
      "K-ACME-0123456789ABCDEF",
      "k",
      "k-globex-fedcba9876543210k-acme-0123456789abcdef",
    ];
    for (const key of wrong) {
      const res = await app().request("/t", { headers: { authorization: `Bearer ${key}` } });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe("invalid query API key");
    }
  });

  test("a missing key is refused with 401 naming both headers", async () => {
    const res = await app().request("/t");
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain("X-API-Key");
  });

  test("keyMatcher answers undefined for any key not configured, and the tenant for one that is", () => {
    const match = keyMatcher(KEYS);
    expect(match("k-acme-0123456789abcdef")?.tenant).toBe("acme");
    expect(match("")).toBeUndefined();
    expect(match("k-acme-0123456789abcdef ")).toBeUndefined();
  });
});
