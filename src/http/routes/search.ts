import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import type { Config } from "../../config/schema.ts";
import type { MetricsRegistry } from "../../metrics/registry.ts";
import type { Adapters } from "../../ports/adapters.ts";
import { SearchService } from "../../search/search-service.ts";
import { jsonError } from "../errors.ts";
import { apiKeyAuth, type TenantVariables } from "../middleware/api-key.ts";

export interface SearchRouteDeps {
  config: Config;
  adapters: Pick<Adapters, "eventStore" | "sessionCache" | "llm">;
  metrics: MetricsRegistry;
  /** Epoch ms; injectable so tests can pin "today". */
  clock?: () => number;
}

export const MAX_SEARCH_BODY_BYTES = 16 * 1024;
export const MAX_QUESTION_CHARS = 2000;
const SESSION_ID = /^[A-Za-z0-9_-]{8,64}$/;

const bodySchema = z.strictObject({
  question: z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(MAX_QUESTION_CHARS, `must be at most ${MAX_QUESTION_CHARS} characters`)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    .refine((q) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(q), "must not contain control characters"),
  sessionId: z.string().regex(SESSION_ID, "must be 8 to 64 letters, digits, - or _").optional(),
});

function registerMetrics(metrics: MetricsRegistry, service: SearchService, adapters: SearchRouteDeps["adapters"]): void {
  metrics.define("widegate_search_questions_total", "counter", "Questions answered by POST /v1/search");
  metrics.define(
    "widegate_search_llm_fallbacks_total",
    "counter",
    "Questions the rules parser answered because the LLM reply was unusable",
  );
  const cache = adapters.sessionCache;
  const failover = cache.failoverStats?.bind(cache);
  if (failover) {
    metrics.define(
      "widegate_session_cache_degraded",
      "gauge",
      "1 while sessions are served from memory because the session store is unreachable",
    );
    metrics.define("widegate_session_cache_failovers_total", "counter", "Times the session store was given up on");
    metrics.define("widegate_session_cache_recoveries_total", "counter", "Times the session store came back");
    metrics.define("widegate_session_cache_fallback_calls_total", "counter", "Session calls answered by the memory fallback");
  }
  metrics.collect((m) => {
    m.set("widegate_search_questions_total", {}, service.counters.questions);
    m.set("widegate_search_llm_fallbacks_total", {}, service.counters.llmFallbacks);
    if (!failover) return;
    const stats = failover();
    const labels = { cache: cache.name };
    m.set("widegate_session_cache_degraded", labels, stats.degraded ? 1 : 0);
    m.set("widegate_session_cache_failovers_total", labels, stats.failovers);
    m.set("widegate_session_cache_recoveries_total", labels, stats.recoveries);
    m.set("widegate_session_cache_fallback_calls_total", labels, stats.fallbackCalls);
  });
}

/**
 * POST /v1/search `{question, sessionId?}` → `{sessionId, intent, query?, answer, data?, warnings?}`,
 * and the caller's sessions: GET /v1/search/sessions, GET /v1/search/sessions/:sessionId.
 * The API key's tenant is the user: it scopes the store and the sessions.
 */
export function searchRoutes(deps: SearchRouteDeps) {
  const service = new SearchService({
    store: deps.adapters.eventStore,
    sessions: deps.adapters.sessionCache,
    llm: deps.adapters.llm,
    llmTimeoutMs: deps.config.LLM_TIMEOUT_MS,
    tzOffsetMinutes: deps.config.SEARCH_TZ_OFFSET_MINUTES,
    clock: deps.clock,
  });
  registerMetrics(deps.metrics, service, deps.adapters);
  const auth = apiKeyAuth({ keys: deps.config.QUERY_API_KEYS, scope: "query" });
  const sessions = deps.adapters.sessionCache;

  return new Hono<{ Variables: TenantVariables }>()
    .post(
      "/v1/search",
      auth,
      bodyLimit({
        maxSize: MAX_SEARCH_BODY_BYTES,
        onError: (c) => jsonError(c, 413, "PAYLOAD_TOO_LARGE", `a search body is at most ${MAX_SEARCH_BODY_BYTES} bytes`),
      }),
      async (c) => {
        if (!/^application\/json\s*(;|$)/i.test(c.req.header("content-type") ?? "")) {
          return jsonError(c, 415, "UNSUPPORTED_MEDIA_TYPE", 'send {"question": "…"} as application/json');
        }
        let body: unknown;
        try {
          body = JSON.parse(await c.req.text());
        } catch {
          return jsonError(c, 400, "INVALID_JSON", "the body is not valid JSON");
        }
        const parsed = bodySchema.safeParse(body);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          return jsonError(c, 400, "INVALID_REQUEST", `${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`);
        }
        const sessionId = parsed.data.sessionId ?? crypto.randomUUID();
        return c.json(await service.ask(parsed.data.question, { userId: c.var.tenant, sessionId }));
      },
    )
    .get("/v1/search/sessions", auth, async (c) => {
      const raw = c.req.query("limit");
      const limit = raw === undefined ? 50 : Number(raw);
      if (!Number.isInteger(limit) || limit < 1 || limit > 200)
        return jsonError(c, 400, "INVALID_PARAMETER", "limit: must be an integer from 1 to 200");
      return c.json({ sessions: await sessions.listSessions(c.var.tenant, limit) });
    })
    .get("/v1/search/sessions/:sessionId", auth, async (c) => {
      const sessionId = c.req.param("sessionId");
      if (!SESSION_ID.test(sessionId)) return jsonError(c, 400, "INVALID_PARAMETER", "sessionId: must be 8 to 64 letters, digits, - or _");
      const turns = await sessions.history({ userId: c.var.tenant, sessionId });
      if (turns.length === 0) return jsonError(c, 404, "NOT_FOUND", "no such session (or it expired)");
      return c.json({ sessionId, turns });
    });
}
