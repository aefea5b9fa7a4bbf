import { type Context, Hono } from "hono";
import { basicAuth } from "hono/basic-auth";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { defaultLogger, type Logger } from "../log/logger.ts";
import type { MetricsRegistry } from "../metrics/registry.ts";
import { type BridgeBackend, BridgeError } from "./backend.ts";
import { HealthProbe, withDeadline } from "./health-probe.ts";
import { type ProduceMetadata, type ProduceRecord, parseProduceBody } from "./produce-request.ts";

export interface BridgeOptions {
  /** The Basic credentials clients send (UPSTASH_KAFKA_REST_USERNAME / _PASSWORD). */
  username: string;
  password: string;
  backend: BridgeBackend;
  /** Largest request body (default 10 MiB). */
  maxBodyBytes?: number;
  metrics?: MetricsRegistry;
  log?: Logger;
  /** `/readyz` and the check before each produce give up on Kafka after this long (default 1500 ms). */
  probeTimeoutMs?: number;
  /** A produce not acknowledged by then is answered 503 (default 10000 ms); the client retries, the store dedupes. */
  produceTimeoutMs?: number;
}

// Upstash's error shape; @upstash/kafka turns it into an UpstashError.
const fail = (c: Context, status: ContentfulStatusCode, error: string) => c.json({ error, status }, status);

const CONSUMER_ROUTES = ["/consume/*", "/commit/*", "/committed/*", "/fetch", "/offsets/*", "/consumers", "/delete-consumer/*"];

/**
 * An Upstash-Kafka-compatible REST server: the produce endpoints and GET /topics, with the same
 * Basic auth and response shapes, so `@upstash/kafka` (and the edge gateway) publish to any Kafka.
 *
 * @example
 * Bun.serve({ port: 8082, fetch: createBridge({ username, password, backend }).fetch })
 */
export function createBridge(options: BridgeOptions) {
  const { backend, metrics } = options;
  const app = new Hono();
  const probe = new HealthProbe(() => backend.health(), options.probeTimeoutMs === undefined ? {} : { timeoutMs: options.probeTimeoutMs });
  const produceTimeoutMs = options.produceTimeoutMs ?? 10_000;

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    const status = await probe.status();
    return c.json({ status: status.ok ? "ready" : "unavailable", checks: { [backend.name]: status } }, status.ok ? 200 : 503);
  });
  if (metrics) app.get("/metrics", (c) => c.text(metrics.render(), 200, { "content-type": "text/plain; version=0.0.4" }));

  app.use(
    "*",
    basicAuth({ username: options.username, password: options.password, invalidUserMessage: { error: "Unauthorized", status: 401 } }),
  );
  app.use(
    "*",
    bodyLimit({
      maxSize: options.maxBodyBytes ?? 10 * 1024 * 1024,
      onError: (c) => fail(c, 413, `request body larger than ${options.maxBodyBytes ?? 10 * 1024 * 1024} bytes`),
    }),
  );

  const produce = async (records: ProduceRecord[]): Promise<ProduceMetadata[]> => {
    const started = performance.now();
    try {
      // Kafka down: answer 503 within the probe's bound instead of waiting on the client's retries.
      const kafka = records.length === 0 ? { ok: true } : await probe.status();
      if (!kafka.ok) throw new BridgeError(`kafka unavailable: ${kafka.detail ?? "not reachable"}`, 503);
      const acks =
        records.length === 0
          ? []
          : await withDeadline(
              backend.produce(records),
              produceTimeoutMs,
              () => new BridgeError(`kafka did not acknowledge within ${produceTimeoutMs} ms`, 503),
            );
      metrics?.inc("widegate_bridge_messages_total", { result: "ok" }, records.length, "Messages produced through the bridge");
      return acks;
    } catch (error) {
      metrics?.inc("widegate_bridge_messages_total", { result: "error" }, records.length);
      throw error;
    } finally {
      metrics?.inc("widegate_bridge_produce_seconds_total", {}, (performance.now() - started) / 1000, "Time spent producing");
    }
  };

  const readJson = async (c: Context): Promise<{ ok: true; body: unknown } | { ok: false }> => {
    try {
      return { ok: true, body: await c.req.json() };
    } catch {
      return { ok: false };
    }
  };

  // Variant 3: topic inside each message. Always an array, which is what @upstash/kafka reads (it takes [0] for produce()).
  app.on(["GET", "POST"], "/produce", async (c) => {
    const json = await readJson(c);
    if (!json.ok) return fail(c, 400, "body is not valid JSON");
    const parsed = parseProduceBody(json.body);
    if (!parsed.ok) return fail(c, 400, parsed.error);
    return c.json(await produce(parsed.records));
  });

  // Variant 2: topic in the path; one message answers one metadata object, an array answers an array.
  app.on(["GET", "POST"], "/produce/:topic", async (c) => {
    const json = await readJson(c);
    if (!json.ok) return fail(c, 400, "body is not valid JSON");
    const parsed = parseProduceBody(json.body, c.req.param("topic"));
    if (!parsed.ok) return fail(c, 400, parsed.error);
    const acks = await produce(parsed.records);
    return c.json(parsed.single ? acks[0] : acks);
  });

  // Variant 1: the message in the path, the key in ?key=.
  app.on(["GET", "POST"], "/produce/:topic/:message", async (c) => {
    const key = c.req.query("key");
    const parsed = parseProduceBody({ value: c.req.param("message"), ...(key === undefined ? {} : { key }) }, c.req.param("topic"));
    if (!parsed.ok) return fail(c, 400, parsed.error);
    return c.json((await produce(parsed.records))[0]);
  });

  app.get("/topics", async (c) => c.json(await backend.topics()));

  for (const path of CONSUMER_ROUTES) {
    app.all(path, (c) => fail(c, 501, "this bridge implements the producer API and GET /topics only; consume with a Kafka client"));
  }
  app.notFound((c) => fail(c, 404, `no route for ${c.req.method} ${new URL(c.req.url).pathname}`));
  app.onError((error, c) => {
    if (error instanceof BridgeError) return fail(c, error.status, error.message);
    if (error instanceof HTTPException) return error.getResponse(); // 401 from basicAuth
    (options.log ?? defaultLogger).error(`bridge: ${c.req.method} ${c.req.path} failed: ${error.message}${causes(error)}`);
    return fail(c, 500, `kafka: ${error.message}`);
  });
  return app;
}

/** The Kafka client wraps the broker's answers in `errors` (and a `cause`): the log should say which. */
function causes(error: Error): string {
  const inner = [...((error as { errors?: unknown[] }).errors ?? []), (error as { cause?: unknown }).cause].filter(
    (e): e is Error => e instanceof Error,
  );
  return inner.length === 0 ? "" : ` (${inner.map((e) => `${e.message}${causes(e)}`).join("; ")})`;
}
