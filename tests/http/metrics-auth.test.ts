import { describe, expect, test } from "bun:test";
import { parseConfig } from "../../src/config/schema.ts";
import { WaitUntilSink } from "../../src/delivery/wait-until-sink.ts";
import { hashedKeyEntry } from "../../src/domain/hash/key-digest.ts";
import { createAdapters } from "../../src/factory/create-adapters.ts";
import { createApp } from "../../src/http/create-app.ts";
import { capturingLogger } from "../../src/log/logger.ts";
import { MetricsRegistry } from "../../src/metrics/registry.ts";
import { spawnServer } from "../support/spawn-server.ts";

/** The one app over the memory store with `env`; /metrics asked with `key` (none: no header). */
async function metricsWith(
  env: Record<string, string>,
  key?: string,
  header: "authorization" | "x-api-key" = "authorization",
  method: "GET" | "HEAD" = "GET",
) {
  const config = parseConfig({ EVENT_STORE: "memory", PUBLISHER: "direct", ...env });
  const metrics = new MetricsRegistry();
  const adapters = await createAdapters(config, { runtime: "bun" }, { metrics });
  const app = createApp({ config, adapters, sink: new WaitUntilSink(adapters.publisher, metrics, 1, capturingLogger()), metrics });
  const headers: Record<string, string> = key === undefined ? {} : { [header]: header === "authorization" ? `Bearer ${key}` : key };
  const response = await app.request("http://gateway.test/metrics", { method, headers });
  return { status: response.status, text: await response.text() };
}

const KEYED = { INGEST_API_KEYS: "ik:acme", QUERY_API_KEYS: "qk:acme" };
const error = (text: string) => (JSON.parse(text) as { error: { code: string; message: string } }).error;

describe("GET /metrics and METRICS_API_KEY", () => {
  test("in open dev mode (no API keys anywhere) anyone reads /metrics", async () => {
    const { status, text } = await metricsWith({});
    expect(status).toBe(200);
    expect(text).toContain("# TYPE");
  });

  test("with API keys and no METRICS_API_KEY, /metrics is 401 naming METRICS_API_KEY", async () => {
    const { status, text } = await metricsWith(KEYED, "qk");
    expect(status).toBe(401);
    expect(error(text)).toEqual({ code: "UNAUTHORIZED", message: expect.stringContaining("METRICS_API_KEY") });
  });

  test("a query key is refused with 401 when METRICS_API_KEY is set", async () => {
    const { status, text } = await metricsWith({ ...KEYED, METRICS_API_KEY: "op-key" }, "qk");
    expect(status).toBe(401);
    expect(error(text).message).toContain("invalid metrics API key");
  });

  test("an ingest key is refused with 401 when METRICS_API_KEY is set", async () => {
    expect((await metricsWith({ ...KEYED, METRICS_API_KEY: "op-key" }, "ik")).status).toBe(401);
  });

  test("HEAD /metrics without the operator key is refused with 401 like GET", async () => {
    expect((await metricsWith({ ...KEYED, METRICS_API_KEY: "op-key" }, "qk", "authorization", "HEAD")).status).toBe(401);
  });

  test("no key is refused with 401 naming the header to send", async () => {
    const { status, text } = await metricsWith({ ...KEYED, METRICS_API_KEY: "op-key" });
    expect(status).toBe(401);
    expect(error(text).message).toContain("Authorization: Bearer <METRICS_API_KEY>");
  });

  test("the operator key opens /metrics as a bearer token", async () => {
    const { status, text } = await metricsWith({ ...KEYED, METRICS_API_KEY: "op-key" }, "op-key");
    expect(status).toBe(200);
    expect(text).toContain("# TYPE");
  });

  test("the operator key opens /metrics in X-API-Key", async () => {
    expect((await metricsWith({ ...KEYED, METRICS_API_KEY: "op-key" }, "op-key", "x-api-key")).status).toBe(200);
  });

  test("METRICS_API_KEY alone (no tenant keys) still closes /metrics to others", async () => {
    expect((await metricsWith({ METRICS_API_KEY: "op-key" })).status).toBe(401);
    expect((await metricsWith({ METRICS_API_KEY: "op-key" }, "op-key")).status).toBe(200);
  });

  test("during a rotation an old plain key and a new sha256: key both open /metrics", async () => {
    const env = { ...KEYED, METRICS_API_KEY: `old-op-key,${hashedKeyEntry("new-op-key")}` };
    expect((await metricsWith(env, "old-op-key")).status).toBe(200);
    expect((await metricsWith(env, "new-op-key")).status).toBe(200);
    expect((await metricsWith(env, hashedKeyEntry("new-op-key"))).status).toBe(401);
  });

  test("a malformed sha256: METRICS_API_KEY entry stops start-up by position, never echoed", () => {
    expect(() => parseConfig({ METRICS_API_KEY: "ok,sha256:abc123" })).toThrow(
      "METRICS_API_KEY: entry 2 of 2 starts with sha256: but is not sha256:<64 hex digits>",
    );
  });

  test("a server with API keys and no METRICS_API_KEY says at start that /metrics answers 401", async () => {
    const server = await spawnServer("edge/bun-server.ts", KEYED);
    await server.stop("SIGKILL");
    expect(server.output()).toContain("METRICS_API_KEY is not: GET /metrics answers 401 to everyone");
  });

  test("a server with METRICS_API_KEY set prints no such line", async () => {
    const server = await spawnServer("edge/bun-server.ts", { ...KEYED, METRICS_API_KEY: "op-key" });
    await server.stop("SIGKILL");
    expect(server.output()).not.toContain("METRICS_API_KEY");
  });
});
