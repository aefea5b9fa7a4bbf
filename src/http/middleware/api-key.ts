import type { MiddlewareHandler } from "hono";
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
 * Resolves the caller's tenant from `Authorization: Bearer <key>` or `X-API-Key: <key>`.
 *
 * @example app.post("/v1/events", apiKeyAuth({ keys: config.INGEST_API_KEYS, scope: "ingest" }), handler)
 */
export const apiKeyAuth = (options: ApiKeyOptions = {}): MiddlewareHandler<{ Variables: TenantVariables }> => {
  const scope = options.scope ?? "api";
  return async function apiKeyAuthMiddleware(c, next) {
    if (!options.keys) {
      c.set("tenant", "default");
      return next();
    }
    const header = c.req.header("authorization");
    const key = header?.toLowerCase().startsWith("bearer ") ? header.slice(7).trim() : c.req.header("x-api-key")?.trim();
    if (!key) return jsonError(c, 401, "UNAUTHORIZED", `missing ${scope} API key (Authorization: Bearer <key> or X-API-Key)`);
    const tenant = options.keys.get(key);
    if (tenant === undefined) return jsonError(c, 401, "UNAUTHORIZED", `invalid ${scope} API key`);
    c.set("tenant", tenant);
    return next();
  };
};
