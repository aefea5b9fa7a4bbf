import { z } from "zod";
import { type PathAction, pathProblem } from "../domain/event/field-paths.ts";
import { isHashedKey, isValidHashedKey } from "../domain/hash/key-digest.ts";
import type { SamplingRule } from "../domain/sampling/types.ts";

/**
 * The whole process configuration, parsed once at start-up (once per isolate on Workers).
 * Every key is the env variable's own name so an error can name it as the user wrote it.
 */

export const PUBLISHERS = ["memory", "upstash-kafka", "kafka", "file", "direct", "discard", "upstash-redis"] as const;
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
    const pairs = s
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean);
    for (const [i, pair] of pairs.entries()) {
      const position = `${i + 1} of ${pairs.length}`;
      const at = pair.lastIndexOf(":");
      if (at <= 0 || at === pair.length - 1) {
        // Never echo the entry: it is (part of) a secret key. Its position is enough to find it.
        ctx.addIssue({ code: "custom", message: `entry ${position} is not a key:tenant pair` });
        return z.NEVER;
      }
      const key = pair.slice(0, at);
      if (isHashedKey(key) && !isValidHashedKey(key)) {
        ctx.addIssue({ code: "custom", message: `entry ${position} starts with sha256: but is not sha256:<64 hex digits>:tenant` });
        return z.NEVER;
      }
      keys.set(key, pair.slice(at + 1));
    }
    return keys;
  })
  .optional();

/** METRICS_API_KEY: a list of keys with no tenant; `sha256:` entries checked like in apiKeys. */
const operatorKeys = z
  .string()
  .transform((s, ctx) => {
    const keys = s
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean);
    for (const [i, key] of keys.entries()) {
      if (isHashedKey(key) && !isValidHashedKey(key)) {
        ctx.addIssue({ code: "custom", message: `entry ${i + 1} of ${keys.length} starts with sha256: but is not sha256:<64 hex digits>` });
        return z.NEVER;
      }
    }
    if (keys.length === 0) {
      ctx.addIssue({ code: "custom", message: "holds no key" });
      return z.NEVER;
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

export const REDACT_VALUE_RULES = ["card", "email", "phone", "iban", "jwt", "bearer"] as const;
/** `none`, or a comma list of value scanners. */
const redactValues = z
  .string()
  .transform((s) =>
    s.trim().toLowerCase() === "none"
      ? []
      : s
          .split(",")
          .map((x) => x.trim().toLowerCase())
          .filter(Boolean),
  )
  .pipe(z.array(z.enum(REDACT_VALUE_RULES)));

/** A comma list of dotted field paths for REDACT_DROP_PATHS / REDACT_HASH_PATHS, each checked. */
const fieldPaths = (action: PathAction) =>
  commaList.transform((paths, ctx) => {
    for (const path of paths) {
      const problem = pathProblem(path, action);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }
    return paths;
  });

/** `N/window`, e.g. `600/1m`: N requests per window (s, m or h) per API key. */
const rateLimit = z.string().transform((s, ctx) => {
  const match = /^\s*(\d{1,9})\s*\/\s*(\d{0,6})\s*(s|m|h)\s*$/.exec(s);
  const limit = Number(match?.[1]);
  const windowMs = Number(match?.[2] || 1) * { s: 1000, m: 60_000, h: 3_600_000 }[(match?.[3] ?? "s") as "s" | "m" | "h"];
  if (!match || limit < 1 || windowMs < 1000) {
    ctx.addIssue({ code: "custom", message: "expected N/window with N ≥ 1 and a window such as 1s, 10s, 1m or 1h (e.g. 600/1m)" });
    return z.NEVER;
  }
  return { limit, windowMs };
});
export const RATE_LIMIT_STORES = ["memory", "redis", "upstash"] as const;

/** The sections of docs/configuration.md, in page order; every variable's meta names one. */
export const CONFIG_GROUPS = [
  "Server",
  "Publishing",
  "Worker",
  "Event store",
  "Rollups",
  "Sessions",
  "Search and LLM",
  "Sampling",
  "Auth",
  "Ingest limits",
  "Redaction",
  "Rate limits",
] as const;
export type ConfigGroup = (typeof CONFIG_GROUPS)[number];

/**
 * What each variable's `.meta()` carries: `description` (what to set and when, shown on the page),
 * `group` (its section), and optionally `values` where the schema alone cannot say what the text
 * may be (comma lists, JSON, patterns).
 */
export interface VariableMeta {
  group: ConfigGroup;
  description: string;
  values?: string;
}

/** Names whose values are never echoed in an error: they are or may hold credentials. */
export const SECRET_NAME = /PASSWORD|TOKEN|KEY|URI|URL/;
export const isSecret = (variable: string): boolean => SECRET_NAME.test(variable);

const configObject = z.object({
  PORT: int(0, 65535)
    .default(8787)
    .meta({
      group: "Server",
      description: "HTTP port of the all-in-one server (`npm start`, Bun). `0` picks any free port (tests). Not used on Workers.",
    } satisfies VariableMeta),
  HOST: z
    .string()
    .min(1)
    .optional()
    .meta({
      group: "Server",
      description:
        "Address the Bun HTTP servers (all-in-one server, worker, bridge) bind to. Unset: the worker and the bridge bind `127.0.0.1`; the all-in-one server binds `0.0.0.0` when both `INGEST_API_KEYS` and `QUERY_API_KEYS` are set and `127.0.0.1` in open dev mode, so an open gateway stays off the network. Set `HOST=0.0.0.0` to expose any of them (in a container, for example). Not used on Workers.",
      values: "IP address or host name",
    } satisfies VariableMeta),
  DATA_DIR: z
    .string()
    .min(1)
    .default(".data")
    .meta({
      group: "Server",
      description:
        "Directory for local state (Bun only): the embedded store's `events.sqlite` (`EVENT_STORE=embedded`), the write-ahead buffer `buffer/` (`BUFFER=disk`) and the NDJSON spool `spool/` of the `file` publisher. One process per directory. Relative paths start at the working directory.",
      values: "directory path",
    } satisfies VariableMeta),
  LOG_LEVEL: z
    .enum(["debug", "info", "warn", "error"])
    .default("info")
    .meta({
      group: "Server",
      description: "Lowest level of the operator log lines (retries, degradations, replays) that are printed; errors are always printed.",
    } satisfies VariableMeta),

  PUBLISHER: z
    .enum(PUBLISHERS)
    .default("memory")
    .meta({
      group: "Publishing",
      description:
        "Where accepted events go. `memory`: the all-in-one server writes accepted events to `EVENT_STORE` itself (from the disk buffer with `BUFFER=disk`; from an in-process queue drained by its embedded pipeline with `BUFFER=memory`). `upstash-kafka`: Kafka over HTTP with @upstash/kafka (Workers and Bun; Upstash or `bun run bridge`). `kafka`: native Kafka over TCP to `KAFKA_BROKERS` (Bun only). `file`: NDJSON spool under `DATA_DIR/spool` (Bun only). `direct`: written straight to `EVENT_STORE` (Bun only). `discard`: acknowledged and forgotten, for trying parsing and sampling (`?explain=1`) without a backend. (`upstash-redis` is a fallback only, see `PUBLISHER_FALLBACK`.) On Workers only `upstash-kafka` and `discard` work: any other choice makes ingest answer `503` with a line naming the variable (see docs/deploy.md).",
    } satisfies VariableMeta),
  BUFFER: z
    .enum(["disk", "memory"])
    .default("disk")
    .meta({
      group: "Publishing",
      description:
        "Bun gateways only. `disk`: kept events and rollup deltas are appended to a write-ahead buffer under `DATA_DIR/buffer` and fsynced before the `202` is sent; the publisher reads from it, and whatever is not yet acknowledged survives SIGTERM, SIGKILL and power loss and is replayed at the next start. `memory`: an in-memory queue, faster, lost on a crash or when the publisher stays down past the shutdown grace period. Workers have no local disk and ignore it.",
    } satisfies VariableMeta),
  BUFFER_MAX_BYTES: int(1024 * 1024)
    .default(1024 * 1024 * 1024)
    .meta({
      group: "Publishing",
      description:
        "Disk the write-ahead buffer may use (`BUFFER=disk`). Once the unpublished part reaches it, ingest answers `429` with `Retry-After` until the publisher catches up; one request may overshoot it by at most its own size.",
      values: "bytes, at least 1048576",
    } satisfies VariableMeta),
  PUBLISHER_FALLBACK: publisherList.default([]).meta({
    group: "Publishing",
    description:
      "Publishers tried in order while the primary's circuit is open (5 s after a failed publish, then the primary is probed again), e.g. `direct,file`. Events spooled by `file` are replayed to the primary once it answers. `upstash-redis` (Workers and Bun) pushes failed batches to a bounded Redis list over HTTP (`UPSTASH_REDIS_REST_URL`, `UPSTASH_REDIS_FALLBACK_KEY`, `UPSTASH_REDIS_FALLBACK_MAX_RECORDS`) that `npm run edge:drain` moves into Kafka; it is the durable fallback of a Worker. Unset: no fallback; failed batches are retried with backoff and a full queue answers `429`.",
  } satisfies VariableMeta),
  UPSTASH_REDIS_FALLBACK_KEY: z
    .string()
    .min(1)
    .default("widegate:publish-fallback")
    .meta({
      group: "Publishing",
      description:
        "Redis list that `PUBLISHER_FALLBACK=upstash-redis` pushes batches to (at `UPSTASH_REDIS_REST_URL`) and that `npm run edge:drain` moves into Kafka. One list per topic: give each deployment its own.",
      values: "Redis key",
    } satisfies VariableMeta),
  UPSTASH_REDIS_FALLBACK_MAX_RECORDS: int(1)
    .default(100_000)
    .meta({
      group: "Publishing",
      description:
        'Most records the `upstash-redis` fallback list holds. Records beyond it are lost, counted in `widegate_publish_lost_events_total{reason="fallback_full"}` and logged.',
    } satisfies VariableMeta),
  EDGE_DRAIN_BATCH: int(1, 10_000)
    .default(500)
    .meta({
      group: "Publishing",
      description: "Records `npm run edge:drain` reads from the fallback list and produces to Kafka per round.",
    } satisfies VariableMeta),
  EDGE_DRAIN_INTERVAL_MS: int(10, 600_000)
    .default(1000)
    .meta({
      group: "Publishing",
      description:
        "How long `npm run edge:drain` waits after finding the fallback list empty (or after a failed produce, doubled up to 30 s).",
    } satisfies VariableMeta),
  QUERY_API_URL: url.optional().meta({
    group: "Server",
    description:
      "Base URL of the query API on Bun (`npm start` next to the store). A Worker serves no reads: with this set it forwards `POST /v1/query`, `GET /v1/events` and `/v1/search*` there with the caller's method, body, query string and API key, and streams the answer back; unset, those routes answer `501 READS_NOT_SERVED`. Ignored on Bun, which serves reads itself.",
  } satisfies VariableMeta),
  WORKER_METRICS_URL: url.optional().meta({
    group: "Server",
    description:
      "The worker's `/metrics` URL (for example `http://worker:8788/metrics`). When set, the gateway reads it server-side (2 s timeout) for the dashboard's pipeline health: consumer lag, dead-lettered messages, commit failures, pauses. Unset, the dashboard shows only what the gateway itself knows and says so.",
  } satisfies VariableMeta),
  QUERY_API_TIMEOUT_MS: int(100, 600_000)
    .default(30_000)
    .meta({
      group: "Server",
      description:
        "How long a Worker waits for `QUERY_API_URL` (until the whole answer has arrived) before answering `504 QUERY_API_TIMEOUT`.",
    } satisfies VariableMeta),
  UPSTASH_KAFKA_REST_URL: url.optional().meta({
    group: "Publishing",
    description: "REST endpoint of Upstash Kafka or of this project's bridge, for `upstash-kafka` as publisher or fallback.",
  } satisfies VariableMeta),
  UPSTASH_KAFKA_REST_USERNAME: z
    .string()
    .min(1)
    .optional()
    .meta({
      group: "Publishing",
      description:
        "Basic-auth user for `UPSTASH_KAFKA_REST_URL`. The bridge (`bun run bridge`) requires it too: it is the user its clients must send.",
    } satisfies VariableMeta),
  UPSTASH_KAFKA_REST_PASSWORD: z
    .string()
    .min(1)
    .optional()
    .meta({
      group: "Publishing",
      description:
        "Basic-auth password for `UPSTASH_KAFKA_REST_URL`; the bridge requires it too. A secret: on Workers set it with `wrangler secret put`.",
    } satisfies VariableMeta),
  KAFKA_BROKERS: commaList
    .pipe(z.array(z.string().regex(/^[^\s:]+:\d+$/, "expected host:port")))
    .default(["127.0.0.1:9092"])
    .meta({
      group: "Publishing",
      description: "Kafka bootstrap brokers over TCP, for `PUBLISHER=kafka`, the worker, the bridge and the DLQ tool (Bun only).",
      values: "comma list of `host:port`",
    } satisfies VariableMeta),
  KAFKA_TOPIC: z
    .string()
    .min(1)
    .default("wide-events")
    .meta({
      group: "Publishing",
      description: "Topic events are published to (`kafka`, `upstash-kafka`) and that the worker consumes.",
      values: "topic name",
    } satisfies VariableMeta),
  KAFKA_DLQ_TOPIC: z
    .string()
    .min(1)
    .default("wide-events-dlq")
    .meta({
      group: "Publishing",
      description:
        "Dead-letter topic: the worker sends undecodable messages and events the store keeps refusing there. `npm run dlq:list` lists it, `npm run dlq:replay` replays it.",
      values: "topic name",
    } satisfies VariableMeta),
  KAFKA_MAX_MESSAGE_BYTES: int(1024)
    .default(1_000_000)
    .meta({
      group: "Publishing",
      description:
        "Largest record and produce request the `kafka` publisher sends; keep it under the broker's `message.max.bytes` (1,048,588 by default). A kept event over it (one near the 1 MiB event limit plus the gateway's fields) is never retried: a stub with its ids, tenant and size goes to `KAFKA_DLQ_TOPIC` with reason `MESSAGE_TOO_LARGE`, one warning is logged, and `widegate_publish_oversized_total` counts it. Rollup deltas are cut to fit it (a flush with many groups travels as several deltas), so counts are never dead-lettered for their size.",
    } satisfies VariableMeta),
  BRIDGE_PORT: int(0, 65535)
    .default(8082)
    .meta({
      group: "Publishing",
      description:
        "HTTP port of the Upstash-Kafka-compatible REST bridge (`bun run bridge`, Bun only), which forwards to `KAFKA_BROKERS`. `0` picks any free port (tests).",
    } satisfies VariableMeta),

  WORKER_PORT: int(0, 65535)
    .default(8788)
    .meta({
      group: "Worker",
      description:
        "HTTP port of the Kafka → event store worker (`bun run worker`, Bun only) for `/healthz`, `/readyz` and `/metrics`. `0` picks any free port.",
    } satisfies VariableMeta),
  WORKER_GROUP_ID: z
    .string()
    .min(1)
    .default("wide-gate-worker")
    .meta({
      group: "Worker",
      description: "Kafka consumer group; every worker of one pipeline shares it. The DLQ replay uses `<WORKER_GROUP_ID>-dlq-replay`.",
      values: "group name",
    } satisfies VariableMeta),
  WORKER_INSTANCE_ID: z
    .string()
    .min(1)
    .optional()
    .meta({
      group: "Worker",
      description:
        "Static group membership: give each replica a stable id (e.g. the pod name) and a restarted worker takes its partitions back at once. Unset: dynamic membership; a restarted worker's partitions move only after `WORKER_SESSION_TIMEOUT_MS` and a rebalance.",
      values: "stable id per replica",
    } satisfies VariableMeta),
  WORKER_BATCH_SIZE: int(1, 100_000)
    .default(1000)
    .meta({ group: "Worker", description: "Events per store write." } satisfies VariableMeta),
  WORKER_BATCH_MS: int(1, 60_000)
    .default(250)
    .meta({
      group: "Worker",
      description:
        "Longest wait, in milliseconds, for a batch to fill before it is written. A longer wait makes fewer, larger store writes (on FerretDB one call's rollups took ~0.36 s to write at 20 M requests a week, docs/stores.md), at the cost of data that reaches the store up to that much later.",
    } satisfies VariableMeta),
  WORKER_SESSION_TIMEOUT_MS: int(6000, 300_000)
    .default(30_000)
    .meta({
      group: "Worker",
      description: "A worker silent this long, in milliseconds, loses its partitions to the others in the group.",
    } satisfies VariableMeta),

  EVENT_STORE: z
    .enum(EVENT_STORES)
    .default("embedded")
    .meta({
      group: "Event store",
      description:
        "Where events are stored and queried. `embedded`: a bun:sqlite file in `DATA_DIR` (Bun only). `mongo`: MongoDB or FerretDB at `MONGODB_URI` (Bun only). `memory`: in process, lost on restart. A Worker serves no reads whatever this says: its read routes answer `501` naming this variable, while ingest keeps working (see docs/deploy.md).",
    } satisfies VariableMeta),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, "expected a mongodb:// or mongodb+srv:// URI")
    .optional()
    .meta({
      group: "Event store",
      description: "Connection string of MongoDB or FerretDB, for `EVENT_STORE=mongo` (Bun only). Usually holds credentials.",
      values: "`mongodb://…` or `mongodb+srv://…`",
    } satisfies VariableMeta),
  MONGODB_DB: z
    .string()
    .min(1)
    .default("widegate")
    .meta({ group: "Event store", description: "Database name, for `EVENT_STORE=mongo`.", values: "database name" } satisfies VariableMeta),
  MONGODB_COLLECTION: z
    .string()
    .min(1)
    .default("events")
    .meta({
      group: "Event store",
      description: "Collection name, for `EVENT_STORE=mongo`.",
      values: "collection name",
    } satisfies VariableMeta),
  RETENTION_DAYS: int(1, 3650)
    .default(30)
    .meta({
      group: "Event store",
      description:
        "Days events are kept with `EVENT_STORE=mongo`: a TTL index on MongoDB; on FerretDB, which refuses TTL indexes, a periodic bounded delete.",
    } satisfies VariableMeta),

  MONGODB_ROLLUP_COLLECTION: z
    .string()
    .min(1)
    .default("rollups")
    .meta({
      group: "Rollups",
      description: "Collection of the rollup versions (minute, hour and day buckets), for `EVENT_STORE=mongo`; `<name>.heads` beside it.",
      values: "collection name",
    } satisfies VariableMeta),
  ROLLUP_FLUSH_MS: int(100, 60_000)
    .default(5000)
    .meta({
      group: "Rollups",
      description:
        "How long a Bun gateway aggregates counts before publishing them as one delta per tenant (and at shutdown). On Workers each request publishes its own.",
    } satisfies VariableMeta),
  ROLLUP_MAX_GROUPS: int(10, 1_000_000)
    .default(10_000)
    .meta({
      group: "Rollups",
      description:
        "Groups per tenant and minute, per gateway instance; further events are counted under `__other__` of the dimension with the most values (totals stay exact).",
    } satisfies VariableMeta),
  ROLLUP_RETENTION_DAYS: int(1, 3650)
    .default(400)
    .meta({
      group: "Rollups",
      description: "Days rollup rows are kept, in every store.",
    } satisfies VariableMeta),

  SESSION_CACHE_TYPE: z
    .enum(SESSION_CACHES)
    .default("memory")
    .meta({
      group: "Sessions",
      description:
        "Where search conversations (sessions) are kept. `memory`: in process. `redis`: Redis over TCP at `REDIS_URL` (Bun only). `upstash`: Upstash Redis over REST (HTTP; query servers can share it). A Worker serves no search, so it ignores this. When Redis fails, sessions degrade to memory and are replayed to it on return.",
    } satisfies VariableMeta),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "expected a redis:// or rediss:// URL")
    .optional()
    .meta({
      group: "Sessions",
      description:
        "Redis over TCP (Bun only) for sessions (`SESSION_CACHE_TYPE=redis`) and shared rate-limit buckets (`RATE_LIMIT_STORE=redis`). May hold a password.",
      values: "`redis://…` or `rediss://…`",
    } satisfies VariableMeta),
  UPSTASH_REDIS_REST_URL: url.optional().meta({
    group: "Sessions",
    description:
      "Upstash Redis REST endpoint, for `SESSION_CACHE_TYPE=upstash`, `RATE_LIMIT_STORE=upstash` and the `upstash-redis` publish fallback (and its drainer).",
  } satisfies VariableMeta),
  UPSTASH_REDIS_REST_TOKEN: z
    .string()
    .min(1)
    .optional()
    .meta({
      group: "Sessions",
      description:
        "Upstash Redis REST token, for `SESSION_CACHE_TYPE=upstash`, `RATE_LIMIT_STORE=upstash` and the `upstash-redis` publish fallback. A secret: on Workers set it with `wrangler secret put`.",
    } satisfies VariableMeta),
  SESSION_TTL_SECONDS: int(60, 30 * 86_400)
    .default(86_400)
    .meta({ group: "Sessions", description: "A session expires this many seconds after its last turn." } satisfies VariableMeta),
  SESSION_MAX_TURNS: int(1, 200)
    .default(20)
    .meta({ group: "Sessions", description: "Most recent turns kept per session; older ones are dropped." } satisfies VariableMeta),

  LLM_PROVIDER: z
    .enum(LLM_PROVIDERS)
    .default("rules")
    .meta({
      group: "Search and LLM",
      description:
        "What turns a search question into a query. `rules`: a deterministic parser, no network. `openai`: any OpenAI-compatible server (see `OPENAI_BASE_URL`); its bad or late answers fall back to the rules parser.",
    } satisfies VariableMeta),
  OPENAI_API_KEY: z
    .string()
    .min(1)
    .optional()
    .meta({
      group: "Search and LLM",
      description: "API key of the model server, for `LLM_PROVIDER=openai`. A secret: on Workers set it with `wrangler secret put`.",
    } satisfies VariableMeta),
  OPENAI_BASE_URL: url.optional().meta({
    group: "Search and LLM",
    description: "Base URL of an OpenAI-compatible server (vLLM, Ollama, a proxy …), for `LLM_PROVIDER=openai`. Unset: the OpenAI API.",
  } satisfies VariableMeta),
  OPENAI_MODEL: z
    .string()
    .min(1)
    .default("gpt-4o-mini")
    .meta({
      group: "Search and LLM",
      description: "Model name sent to the server, for `LLM_PROVIDER=openai`.",
      values: "model name",
    } satisfies VariableMeta),
  LLM_TIMEOUT_MS: int(100, 120_000)
    .default(8000)
    .meta({
      group: "Search and LLM",
      description: "Milliseconds to wait for the model; past it the rules parser answers, with an `LLM_FALLBACK` warning.",
    } satisfies VariableMeta),
  SEARCH_TZ_OFFSET_MINUTES: int(-720, 840)
    .default(0)
    .meta({
      group: "Search and LLM",
      description:
        'Minutes east of UTC where "today", "yesterday" and other calendar words in questions start (`540` = KST, `-300` = EST).',
    } satisfies VariableMeta),

  SAMPLING_NORMAL_RATE: z.coerce
    .number()
    .min(0)
    .max(1)
    .default(0.05)
    .meta({
      group: "Sampling",
      description:
        "Share of normal events kept: those without an error, not slow, not on a critical route and matched by no rule. Decided by a hash of `requestId`, so every instance and runtime keeps the same requests. `0` drops them all, `1` keeps all.",
    } satisfies VariableMeta),
  SAMPLING_SLOW_MS: z.coerce
    .number()
    .min(0)
    .default(2000)
    .meta({
      group: "Sampling",
      description: "Events with `durationMs` above this are always kept (`SLOW_REQUEST`).",
    } satisfies VariableMeta),
  SAMPLING_CRITICAL_ROUTES: commaList.default([]).meta({
    group: "Sampling",
    description: "Routes whose events are always kept (`CRITICAL_ROUTE`), e.g. `/api/pay,/api/checkout/*,/admin/**`. Unset: none.",
    values: "comma list of routes or globs",
  } satisfies VariableMeta),
  SAMPLING_RULES: samplingRules.default([]).meta({
    group: "Sampling",
    description:
      'Rules tried in order after errors, slow requests and critical routes; the first whose conditions all match decides, keeping the event at its `rate` (`0` drops, `1` keeps). Example: `[{"name":"drop-health","rate":0,"when":[{"field":"route","op":"eq","value":"/health"}]}]`. `field` is a dotted path such as `error.code`; ops: `eq neq in exists gt lt prefix regex`. Unset: no rules.',
    values: "JSON array of rules",
  } satisfies VariableMeta),

  INGEST_API_KEYS: apiKeys.meta({
    group: "Auth",
    description:
      "Keys accepted by the ingest endpoints (`Authorization: Bearer <key>` or `X-API-Key: <key>`), each with the tenant stamped on its events. A key may be given as its SHA-256 (`sha256:<64 hex>:tenant`, printed by `wide-gate key hash`) so the plain key is not in the config; a tenant may have several keys at once, which is how a key is rotated (see docs/security.md). Unset: open dev mode, anyone can ingest; announced loudly at start. A secret: on Workers set it with `wrangler secret put`.",
    values: "`key:tenant,sha256:<hex>:tenant2`",
  } satisfies VariableMeta),
  QUERY_API_KEYS: apiKeys.meta({
    group: "Auth",
    description:
      "Keys accepted by the query and search endpoints; a key's tenant scopes the data and sessions it sees. Entries as in `INGEST_API_KEYS`: plain or `sha256:<64 hex>:tenant`, several per tenant. Unset: open dev mode, anyone can read; announced loudly at start. A secret: on Workers set it with `wrangler secret put`.",
    values: "`key:tenant,sha256:<hex>:tenant2`",
  } satisfies VariableMeta),

  METRICS_API_KEY: operatorKeys.meta({
    group: "Auth",
    description:
      "Operator keys for `GET /metrics` and `GET /dashboard/worker-metrics` (`Authorization: Bearer <key>` or `X-API-Key`), plain or `sha256:<64 hex>`, several at once during a rotation. Once `INGEST_API_KEYS` or `QUERY_API_KEYS` is set those routes answer `401` to anyone without one of these keys (an ingest or query key does not open them): their counters are the whole gateway's, so a tenant could read the other tenants' volume off them. Unset with API keys set: `/metrics` is closed to everyone. In open dev mode (no API keys) it is open. A secret: on Workers set it with `wrangler secret put`.",
    values: "`key,sha256:<hex>`",
  } satisfies VariableMeta),

  INGEST_MAX_BODY_BYTES: int(1024)
    .default(10 * 1024 * 1024)
    .meta({
      group: "Ingest limits",
      description: "Largest request body; a bigger one is refused whole with `413` (checked on `Content-Length` and while streaming).",
    } satisfies VariableMeta),
  INGEST_MAX_EVENTS: int(1)
    .default(10_000)
    .meta({
      group: "Ingest limits",
      description: "Most events (or OTLP log records) in one request; more is refused whole with `413`.",
    } satisfies VariableMeta),
  INGEST_MAX_EVENT_BYTES: int(64)
    .default(1024 * 1024)
    .meta({
      group: "Ingest limits",
      description: "Largest single event; a bigger one is rejected by its index, the rest of the batch kept.",
    } satisfies VariableMeta),
  INGEST_MAX_DEPTH: int(1, 1000)
    .default(32)
    .meta({
      group: "Ingest limits",
      description:
        "Deepest container nesting in one event (the event itself is depth 1); deeper anywhere in a body refuses the body whole with `400`.",
    } satisfies VariableMeta),
  INGEST_MAX_FIELDS: int(1)
    .default(1000)
    .meta({
      group: "Ingest limits",
      description: "Most object keys in one event, counted at all depths; more rejects that event by its index.",
    } satisfies VariableMeta),
  INGEST_MAX_EXPANDED_BYTES: int(1024)
    .default(32 * 1024 * 1024)
    .meta({
      group: "Ingest limits",
      description:
        "Most bytes one `POST /v1/logs` request may expand to once its records are mapped to events (each counted as its resource's attributes plus the record as sent); more refuses the request whole with `413 EXPANSION_TOO_LARGE`.",
    } satisfies VariableMeta),

  REDACT_VALUES: redactValues.default([...REDACT_VALUE_RULES]).meta({
    group: "Redaction",
    description:
      "Value scanners run over string values, replacing each match in place with `[REDACTED:<rule>]`: `card` (Luhn-checked card numbers, on every accepted event), `email`, `phone` (with a leading `+`, or `(555) 123-4567` / `555-123-4567`), `iban` (mod-97 checked), `jwt`, `bearer` (the token after `Bearer`), on the events the sampler keeps and on `route`. `none` turns them all off.",
    values: "`none` or a comma list of `card email phone iban jwt bearer` (default: all)",
  } satisfies VariableMeta),
  REDACT_KEYS: commaList.default([]).meta({
    group: "Redaction",
    description:
      "Field names whose values are replaced whole with `[REDACTED]`, added to the built-in list (password, secret, token, authorization, cookie, set-cookie, api keys, …). A name matches a key at any depth, or the last dotted segment of a flat name (`http.request.header.authorization`); a dotted name (`user.email`) matches a flat name exactly. Case-insensitive.",
    values: "comma list of names",
  } satisfies VariableMeta),

  REDACT_DROP_PATHS: fieldPaths("drop")
    .default([])
    .meta({
      group: "Redaction",
      description:
        "Dotted field paths removed from kept events, e.g. `user.email,request.body`. A path matches nested objects, flat dotted keys as OTLP attributes arrive (`user.email` as one key) and any mix, and goes through arrays element by element. `route`, `method` and `error.code` (or `error`) are also dropped from every event before rollups count it, so their rows hold null for them; `service` cannot be dropped (hash it instead). Fields the gateway sets (`tenant`, `receivedAt`, `sampling`, `eventId`, `timestamp`) are refused.",
      values: "comma list of dotted paths",
    } satisfies VariableMeta),
  REDACT_HASH_PATHS: fieldPaths("hash")
    .default([])
    .meta({
      group: "Redaction",
      description:
        "Dotted field paths (matched as for `REDACT_DROP_PATHS`) whose values are replaced on kept events by `hmac:` and the hex HMAC-SHA-256 of the value as sent (strings as they are, anything else as its JSON) under `REDACT_HASH_KEY`: equal values give equal hashes, so a user id can still be grouped and counted without being readable. `service`, `route`, `method` and `error.code` are hashed on every event before rollups count it, so rollup rows and sampling rules see the hash. Needs `REDACT_HASH_KEY`.",
      values: "comma list of dotted paths",
    } satisfies VariableMeta),
  REDACT_HASH_KEY: z
    .string()
    .refine((key) => new TextEncoder().encode(key).length >= 16, "must be at least 16 bytes")
    .optional()
    .meta({
      group: "Redaction",
      description:
        "Key of the HMAC that `REDACT_HASH_PATHS` uses. Keep it stable: a new key gives every value a new hash, so groups split at the change. A secret: on Workers set it with `wrangler secret put`.",
    } satisfies VariableMeta),

  RATE_LIMIT_INGEST: rateLimit.optional().meta({
    group: "Rate limits",
    description:
      "Requests per API key (per tenant in open dev mode) on `POST /v1/events` and `POST /v1/logs`, as a token bucket: bursts up to N, refilled evenly over the window. Over it: `429 RATE_LIMITED` with `Retry-After`. Unset: no limit.",
    values: "`N/window`, e.g. `600/1m`",
  } satisfies VariableMeta),
  RATE_LIMIT_QUERY: rateLimit.optional().meta({
    group: "Rate limits",
    description:
      "Requests per API key on the read routes (`GET /v1/events`, `POST /v1/query`, `POST /v1/search`); text searches (`GET /v1/events?q=`, `POST /v1/search`) also draw from a bucket of the same size per tenant, so many keys of one tenant cannot starve the others. Unset: no limit.",
    values: "`N/window`, e.g. `600/1m`",
  } satisfies VariableMeta),
  RATE_LIMIT_STORE: z
    .enum(RATE_LIMIT_STORES)
    .default("memory")
    .meta({
      group: "Rate limits",
      description:
        "Where the buckets live. `memory`: in the process (Bun) or in each isolate (Workers, so the limit holds per isolate, not across a deployment). `redis`: Redis over TCP at `REDIS_URL` (Bun only), shared by every process using it. `upstash`: Upstash Redis over REST at `UPSTASH_REDIS_REST_URL` (Workers and Bun), shared by every isolate and process. With `redis` or `upstash` each request refills and takes in one atomic script; if the store fails or takes over 1 s, the request goes through unlimited (fail open), counted in `widegate_rate_limit_store_errors_total` with at most one warning line a minute.",
    } satisfies VariableMeta),
  INGEST_MAX_FUTURE_SKEW: z
    .string()
    .regex(/^(0|[1-9]\d{0,5}(s|m|h|d))$/, 'expected a duration like "30s", "10m", "1h" or "1d", or 0 to turn the check off')
    .default("10m")
    .meta({
      group: "Ingest limits",
      description:
        "How far ahead of the gateway's clock an event's `timestamp` may be; a later one is rejected by its index with `FUTURE_TIMESTAMP` (a clock or unit mistake would otherwise sit at the top of `GET /v1/events` for good). `0` turns the check off.",
      values: "duration: `<n>s`, `<n>m`, `<n>h`, `<n>d`, or `0`",
    } satisfies VariableMeta),
});

type Parsed = z.output<typeof configObject>;
type Variable = keyof Parsed & string;

/**
 * The rules between variables, as data: `superRefine` below enforces them and
 * docs/configuration.md lists them, so the two cannot drift. Checked in this order.
 */
export type CrossFieldRule =
  | {
      kind: "requires";
      /** The condition as the error names it: `<variable>: is required when <when>`. */
      when: string;
      /** The condition in full, for the docs (may be wider than `when`). */
      docWhen: string;
      applies: (c: Parsed) => boolean;
      requires: readonly Variable[];
      /** Needed only to serve reads: not checked where reads are not served (Workers), so they never stop ingest. */
      readSide?: true;
    }
  | {
      kind: "forbids";
      variable: Variable;
      /** What is forbidden, for the docs. */
      doc: string;
      violated: (c: Parsed) => boolean;
      message: (c: Parsed) => string;
    };

export const CROSS_FIELD_RULES: readonly CrossFieldRule[] = [
  {
    kind: "requires",
    when: "PUBLISHER=upstash-kafka",
    docWhen: "`PUBLISHER=upstash-kafka`, or `upstash-kafka` is listed in `PUBLISHER_FALLBACK`",
    applies: (c) => c.PUBLISHER === "upstash-kafka" || c.PUBLISHER_FALLBACK.includes("upstash-kafka"),
    requires: ["UPSTASH_KAFKA_REST_URL", "UPSTASH_KAFKA_REST_USERNAME", "UPSTASH_KAFKA_REST_PASSWORD"],
  },
  {
    kind: "requires",
    when: "PUBLISHER_FALLBACK lists upstash-redis",
    docWhen: "`upstash-redis` is listed in `PUBLISHER_FALLBACK`",
    applies: (c) => c.PUBLISHER_FALLBACK.includes("upstash-redis"),
    requires: ["UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"],
  },
  {
    kind: "forbids",
    variable: "PUBLISHER",
    doc: "must not be `upstash-redis`: that list is a fallback, drained into Kafka by `npm run edge:drain`",
    violated: (c) => c.PUBLISHER === "upstash-redis",
    message: () => "upstash-redis is a fallback only: list it in PUBLISHER_FALLBACK behind upstash-kafka",
  },
  {
    kind: "forbids",
    variable: "PUBLISHER_FALLBACK",
    doc: "must not list the primary `PUBLISHER` again",
    violated: (c) => c.PUBLISHER_FALLBACK.includes(c.PUBLISHER),
    message: (c) => `must not repeat the primary PUBLISHER=${c.PUBLISHER}`,
  },
  {
    kind: "requires",
    readSide: true,
    when: "EVENT_STORE=mongo",
    docWhen: "`EVENT_STORE=mongo`",
    applies: (c) => c.EVENT_STORE === "mongo",
    requires: ["MONGODB_URI"],
  },
  {
    kind: "requires",
    readSide: true,
    when: "SESSION_CACHE_TYPE=redis",
    docWhen: "`SESSION_CACHE_TYPE=redis`",
    applies: (c) => c.SESSION_CACHE_TYPE === "redis",
    requires: ["REDIS_URL"],
  },
  {
    kind: "requires",
    readSide: true,
    when: "SESSION_CACHE_TYPE=upstash",
    docWhen: "`SESSION_CACHE_TYPE=upstash`",
    applies: (c) => c.SESSION_CACHE_TYPE === "upstash",
    requires: ["UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"],
  },
  {
    kind: "requires",
    readSide: true,
    when: "LLM_PROVIDER=openai",
    docWhen: "`LLM_PROVIDER=openai`",
    applies: (c) => c.LLM_PROVIDER === "openai",
    requires: ["OPENAI_API_KEY"],
  },
  {
    kind: "requires",
    when: "REDACT_HASH_PATHS is set",
    docWhen: "`REDACT_HASH_PATHS` is set",
    applies: (c) => c.REDACT_HASH_PATHS.length > 0,
    requires: ["REDACT_HASH_KEY"],
  },
  {
    kind: "requires",
    when: "RATE_LIMIT_STORE=redis",
    docWhen: "`RATE_LIMIT_STORE=redis`",
    applies: (c) => c.RATE_LIMIT_STORE === "redis",
    requires: ["REDIS_URL"],
  },
  {
    kind: "requires",
    when: "RATE_LIMIT_STORE=upstash",
    docWhen: "`RATE_LIMIT_STORE=upstash`",
    applies: (c) => c.RATE_LIMIT_STORE === "upstash",
    requires: ["UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"],
  },
];

const crossFieldChecks = (servesReads: boolean) => (c: Parsed, ctx: z.RefinementCtx) => {
  for (const rule of CROSS_FIELD_RULES) {
    if (rule.kind === "requires") {
      if (!rule.applies(c) || (rule.readSide && !servesReads)) continue;
      for (const variable of rule.requires) {
        if (c[variable] === undefined) ctx.addIssue({ code: "custom", path: [variable], message: `is required when ${rule.when}` });
      }
    } else if (rule.violated(c)) {
      ctx.addIssue({ code: "custom", path: [rule.variable], message: rule.message(c) });
    }
  }
};

export const configSchema = configObject.superRefine(crossFieldChecks(true));
/** For a process that serves no reads (a Worker): read-side requirements are not checked. */
const ingestOnlySchema = configObject.superRefine(crossFieldChecks(false));

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

export interface ParseOptions {
  /** False on Workers: they serve no reads, so a read-side requirement (MONGODB_URI, …) must not stop ingest. */
  servesReads?: boolean;
}

export function parseConfig(env: Record<string, unknown>, options: ParseOptions = {}): Config {
  const result = (options.servesReads === false ? ingestOnlySchema : configSchema).safeParse(clean(env));
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const variable = String(issue.path[0] ?? "config");
    const given = clean(env)[variable];
    const secret = isSecret(variable);
    const shown = given === undefined || secret ? "" : `=${given.length > 60 ? `${given.slice(0, 60)}…` : given}`;
    return `${variable}${shown}: ${issue.message}`;
  });
  throw new ConfigError(`invalid configuration: ${lines.join("; ")}`);
}
