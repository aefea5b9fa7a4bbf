import type { MiddlewareHandler } from "hono";
import { keyDigest } from "../../domain/hash/key-digest.ts";
import { constantTimeEqual, sha256 } from "../../domain/hash/sha256.ts";
import { jsonError } from "../errors.ts";

export interface ApiKeyOptions {
  /** key → tenant. Undefined means open dev mode: every caller is tenant `default`. */
  keys?: ReadonlyMap<string, string>;
  /** What the key is for, named in the 401 so a caller knows which key was wrong. */
  scope?: string;
}

export interface TenantVariables {
  tenant: string;
}

/**
 * Finds a presented key's tenant without a timing side channel: the key's SHA-256 digest is
 * compared with every configured key's digest, each in constant time and with no early exit, so
 * neither how much of a key matched nor which entry matched shows in the response time. (A Map
 * lookup compares strings byte by byte and would tell an attacker how long a prefix was right.)
 * An entry given as `sha256:<hex>` is already that digest, so the plain key need not be configured.
 */
export function keyMatcher(keys: ReadonlyMap<string, string>): (presented: string) => KeyMatch | undefined {
  const entries = [...keys].map(([key, tenant]) => ({ digest: keyDigest(key), tenant }));
  return (presented) => {
    const digest = sha256(presented);
    let found: string | undefined;
    for (const entry of entries) {
      if (constantTimeEqual(digest, entry.digest)) found = entry.tenant;
    }
    return found === undefined ? undefined : { tenant: found, digest };
  };
}

/** A configured key's tenant, and the key's SHA-256 (what a rate-limit bucket is named by, never the key). */
export interface KeyMatch {
  tenant: string;
  digest: Uint8Array;
}

/** The key as sent: `Authorization: Bearer <key>`, else `X-API-Key`; undefined when neither holds one. */
export function presentedKey(header: (name: string) => string | undefined): string | undefined {
  const auth = header("authorization");
  const key = auth?.toLowerCase().startsWith("bearer ") ? auth.slice(7).trim() : header("x-api-key")?.trim();
  return key === "" ? undefined : key;
}

/**
 * Resolves the caller's tenant from `Authorization: Bearer <key>` or `X-API-Key: <key>`.
 *
 * @example app.post("/v1/events", apiKeyAuth({ keys: config.INGEST_API_KEYS, scope: "ingest" }), handler)
 */
export const apiKeyAuth = (options: ApiKeyOptions = {}): MiddlewareHandler<{ Variables: TenantVariables }> => {
  const scope = options.scope ?? "api";
  const match = options.keys ? keyMatcher(options.keys) : undefined;
  return async function apiKeyAuthMiddleware(c, next) {
    if (!match) {
      c.set("tenant", "default");
      return next();
    }
    const key = presentedKey((name) => c.req.header(name));
    if (!key) return jsonError(c, 401, "UNAUTHORIZED", `missing ${scope} API key (Authorization: Bearer <key> or X-API-Key)`);
    const found = match(key);
    if (found === undefined) return jsonError(c, 401, "UNAUTHORIZED", `invalid ${scope} API key`);
    c.set("tenant", found.tenant);
    return next();
  };
};
