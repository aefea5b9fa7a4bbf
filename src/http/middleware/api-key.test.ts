import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { hashedKeyEntry } from "../../domain/hash/key-digest.ts";
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

  test("a key configured as sha256:<hex> is accepted when presented in plain, for its tenant", () => {
    const match = keyMatcher(new Map([[hashedKeyEntry("k-hashed-0123456789abcdef"), "acme"]]));
    expect(match("k-hashed-0123456789abcdef")?.tenant).toBe("acme");
  });

  test("a key configured as sha256:<hex> refuses its own hash presented as the key", () => {
    const entry = hashedKeyEntry("k-hashed-0123456789abcdef");
    const match = keyMatcher(new Map([[entry, "acme"]]));
    expect(match(entry)).toBeUndefined();
    expect(match(entry.slice("sha256:".length))).toBeUndefined();
  });

  test("an uppercase sha256 hex entry matches like a lowercase one", () => {
    const entry = hashedKeyEntry("k-upper");
    const match = keyMatcher(new Map([[`sha256:${entry.slice(7).toUpperCase()}`, "acme"]]));
    expect(match("k-upper")?.tenant).toBe("acme");
  });

  test("during a rotation the old and the new key of a tenant are both accepted, plain and hashed side by side", async () => {
    const keys = new Map([
      ["k-old-0123456789abcdef", "acme"],
      [hashedKeyEntry("k-new-fedcba9876543210"), "acme"],
    ]);
    const hono = new Hono<{ Variables: TenantVariables }>();
    hono.get("/t", apiKeyAuth({ keys, scope: "query" }), (c) => c.json({ tenant: c.get("tenant") }));
    for (const key of ["k-old-0123456789abcdef", "k-new-fedcba9876543210"]) {
      const res = await hono.request("/t", { headers: { authorization: `Bearer ${key}` } });
      expect(await res.json()).toEqual({ tenant: "acme" });
    }
  });
});
