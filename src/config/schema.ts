import { z } from "zod";
import type { SamplingRule } from "../domain/sampling/types.ts";

/**
 * The whole process configuration, parsed once at start-up (once per isolate on Workers).
 * Every key is the env variable's own name so an error can name it as the user wrote it.
 */

export const PUBLISHERS = ["memory", "upstash-kafka", "kafka", "file", "direct"] as const;
export const EVENT_STORES = ["embedded", "mongo", "memory"] as const;
export const SESSION_CACHES = ["memory", "redis", "upstash"] as const;
export const LLM_PROVIDERS = ["rules", "openai"] as const;

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

const commaList = z.string().transform((s) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean),
);

/** `key:tenant,key2:tenant2` → Map(key → tenant). */
const apiKeys = z
  .string()
  .transform((s, ctx) => {
    const keys = new Map<string, string>();
    for (const pair of s
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean)) {
      const at = pair.lastIndexOf(":");
      if (at <= 0 || at === pair.length - 1) {
        ctx.addIssue({ code: "custom", message: `expected key:tenant pairs, got "${pair.slice(0, 40)}"` });
        return z.NEVER;
      }
      keys.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return keys;
  })
  .optional();

const url = z.url();

const ruleValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const ruleSchema = z
  .object({
    name: z.string().min(1).max(64),
    rate: z.number().min(0).max(1),
    when: z
      .array(
        z.object({
          field: z.string().min(1).max(128),
          op: z.enum(["eq", "neq", "in", "exists", "gt", "lt", "prefix", "regex"]),
          value: z.union([ruleValue, z.array(ruleValue)]).optional(),
        }),
      )
      .min(1),
  })
  .strict();

const samplingRules = z.string().transform((s, ctx): SamplingRule[] => {
  let raw: unknown;
  try {
    raw = JSON.parse(s);
  } catch {
    ctx.addIssue({ code: "custom", message: "is not valid JSON (expected a JSON array of rules)" });
    return z.NEVER;
  }
  const parsed = z.array(ruleSchema).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    ctx.addIssue({ code: "custom", message: `rule ${issue?.path.join(".")}: ${issue?.message}` });
    return z.NEVER;
  }
  return parsed.data as SamplingRule[];
});

const publisherList = commaList.pipe(z.array(z.enum(PUBLISHERS)));

export const configSchema = z
  .object({
    PORT: int(0, 65535).default(8787), // 0 = any free port (tests),
    DATA_DIR: z.string().min(1).default(".data"),
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),

    PUBLISHER: z.enum(PUBLISHERS).default("memory"),
    PUBLISHER_FALLBACK: publisherList.default([]),
    UPSTASH_KAFKA_REST_URL: url.optional(),
    UPSTASH_KAFKA_REST_USERNAME: z.string().min(1).optional(),
    UPSTASH_KAFKA_REST_PASSWORD: z.string().min(1).optional(),
    KAFKA_BROKERS: commaList.pipe(z.array(z.string().regex(/^[^\s:]+:\d+$/, "expected host:port"))).default(["127.0.0.1:9092"]),
    KAFKA_TOPIC: z.string().min(1).default("wide-events"),
    KAFKA_DLQ_TOPIC: z.string().min(1).default("wide-events-dlq"),
    BRIDGE_PORT: int(0, 65535).default(8082), // 0 = any free port (tests)
    WORKER_PORT: int(0, 65535).default(8788), // the worker's /metrics and /healthz
    WORKER_GROUP_ID: z.string().min(1).default("wide-gate-worker"),
    // Static group membership: a restarted worker with the same id takes its partitions back at once.
    WORKER_INSTANCE_ID: z.string().min(1).optional(),
    WORKER_BATCH_SIZE: int(1, 100_000).default(1000),
    WORKER_BATCH_MS: int(1, 60_000).default(250),
    WORKER_SESSION_TIMEOUT_MS: int(6000, 300_000).default(30_000),

    EVENT_STORE: z.enum(EVENT_STORES).default("embedded"),
    MONGODB_URI: z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, "expected a mongodb:// or mongodb+srv:// URI")
      .optional(),
    MONGODB_DB: z.string().min(1).default("widegate"),
    MONGODB_COLLECTION: z.string().min(1).default("events"),
    RETENTION_DAYS: int(1, 3650).default(30),

    SESSION_CACHE_TYPE: z.enum(SESSION_CACHES).default("memory"),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, "expected a redis:// or rediss:// URL")
      .optional(),
    UPSTASH_REDIS_REST_URL: url.optional(),
    UPSTASH_REDIS_REST_TOKEN: z.string().min(1).optional(),
    SESSION_TTL_SECONDS: int(60, 30 * 86_400).default(86_400),
    SESSION_MAX_TURNS: int(1, 200).default(20),

    LLM_PROVIDER: z.enum(LLM_PROVIDERS).default("rules"),
    OPENAI_API_KEY: z.string().min(1).optional(),
    OPENAI_BASE_URL: url.optional(),
    OPENAI_MODEL: z.string().min(1).default("gpt-4o-mini"),
    LLM_TIMEOUT_MS: int(100, 120_000).default(8000), // past it, the rules parser answers
    SEARCH_TZ_OFFSET_MINUTES: int(-720, 840).default(0), // where "today" starts (540 = KST)

    SAMPLING_NORMAL_RATE: z.coerce.number().min(0).max(1).default(0.05),
    SAMPLING_SLOW_MS: z.coerce.number().min(0).default(2000),
    SAMPLING_CRITICAL_ROUTES: commaList.default([]),
    SAMPLING_RULES: samplingRules.default([]),

    INGEST_API_KEYS: apiKeys,
    QUERY_API_KEYS: apiKeys,

    INGEST_MAX_BODY_BYTES: int(1024).default(10 * 1024 * 1024),
    INGEST_MAX_EVENTS: int(1).default(10_000),
    INGEST_MAX_EVENT_BYTES: int(64).default(1024 * 1024),
    INGEST_MAX_DEPTH: int(1, 1000).default(32),
    INGEST_MAX_FIELDS: int(1).default(1000),
  })
  .superRefine((c, ctx) => {
    const need = (variable: keyof typeof c, when: string) => {
      if (c[variable] === undefined) ctx.addIssue({ code: "custom", path: [variable], message: `is required when ${when}` });
    };
    const kafkaHttp = c.PUBLISHER === "upstash-kafka" || c.PUBLISHER_FALLBACK.includes("upstash-kafka");
    if (kafkaHttp) {
      need("UPSTASH_KAFKA_REST_URL", "PUBLISHER=upstash-kafka");
      need("UPSTASH_KAFKA_REST_USERNAME", "PUBLISHER=upstash-kafka");
      need("UPSTASH_KAFKA_REST_PASSWORD", "PUBLISHER=upstash-kafka");
    }
    if (c.PUBLISHER_FALLBACK.includes(c.PUBLISHER)) {
      ctx.addIssue({ code: "custom", path: ["PUBLISHER_FALLBACK"], message: `must not repeat the primary PUBLISHER=${c.PUBLISHER}` });
    }
    if (c.EVENT_STORE === "mongo") need("MONGODB_URI", "EVENT_STORE=mongo");
    if (c.SESSION_CACHE_TYPE === "redis") need("REDIS_URL", "SESSION_CACHE_TYPE=redis");
    if (c.SESSION_CACHE_TYPE === "upstash") {
      need("UPSTASH_REDIS_REST_URL", "SESSION_CACHE_TYPE=upstash");
      need("UPSTASH_REDIS_REST_TOKEN", "SESSION_CACHE_TYPE=upstash");
    }
    if (c.LLM_PROVIDER === "openai") need("OPENAI_API_KEY", "LLM_PROVIDER=openai");
  });

export type Config = z.infer<typeof configSchema>;
export type PublisherName = (typeof PUBLISHERS)[number];

/** A configuration problem, with one line that names the variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Empty strings count as unset, as shells and wrangler vars often pass them. */
function clean(env: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (typeof value === "string" && value.trim() !== "") out[key] = value;
  }
  return out;
}

export function parseConfig(env: Record<string, unknown>): Config {
  const result = configSchema.safeParse(clean(env));
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const variable = String(issue.path[0] ?? "config");
    const given = clean(env)[variable];
    const secret = /PASSWORD|TOKEN|KEY|URI|URL/.test(variable);
    const shown = given === undefined || secret ? "" : `=${given.length > 60 ? `${given.slice(0, 60)}…` : given}`;
    return `${variable}${shown}: ${issue.message}`;
  });
  throw new ConfigError(`invalid configuration: ${lines.join("; ")}`);
}
