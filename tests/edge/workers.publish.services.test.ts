import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createTopic, deleteTopics, readMessages, startBridge, waitFor } from "../support/kafka-pipeline.ts";
import { describeWithServices, uniqueName } from "../support/services.ts";
import type { RunningServer } from "../support/spawn-server.ts";
import { type RunningWorker, startWorkerd } from "../support/workerd.ts";

/**
 * The shipped wrangler.toml [env.dev] with the secrets of .dev.vars.example, on workerd, publishing
 * through the real bridge into the real Kafka; and the same with a wrong bridge password.
 */

const ROOT = join(import.meta.dir, "../..");
/** .dev.vars.example as `wrangler dev` would read it (KEY=value lines). */
const devVars: Record<string, string> = Object.fromEntries(
  readFileSync(join(ROOT, ".dev.vars.example"), "utf8")
    .split("\n")
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
);
const ingestKey = devVars.INGEST_API_KEYS?.split(":")[0] ?? "";

/** The value of one sample of `name` whose labels include every `labels` pair; 0 when absent. */
async function sample(base: string, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${devVars.METRICS_API_KEY ?? ""}` } })).text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
}

const post = (worker: RunningWorker, requestId: string) =>
  fetch(`${worker.url}/v1/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${ingestKey}`, "content-type": "application/json" },
    body: JSON.stringify({ service: "payment", route: "/api/pay", statusCode: 502, requestId }), // an error: always kept
  });

await describeWithServices(["kafka"], "the Worker publishing through the bridge (wrangler.toml [env.dev])", () => {
  const topic = uniqueName("workers-publish");
  let bridge: RunningServer;
  let dev: RunningWorker;
  let wrongPassword: RunningWorker;

  beforeAll(async () => {
    await createTopic(topic);
    bridge = await startBridge({
      UPSTASH_KAFKA_REST_USERNAME: devVars.UPSTASH_KAFKA_REST_USERNAME ?? "",
      UPSTASH_KAFKA_REST_PASSWORD: devVars.UPSTASH_KAFKA_REST_PASSWORD ?? "",
    });
    // Only the bridge's address differs from the shipped dev env: 8082 may be taken on this machine.
    const env = { ...devVars, UPSTASH_KAFKA_REST_URL: bridge.url, KAFKA_TOPIC: topic };
    [dev, wrongPassword] = await Promise.all([
      startWorkerd(env, 60_000, "dev"),
      startWorkerd({ ...env, UPSTASH_KAFKA_REST_PASSWORD: "not-the-password" }, 60_000, "dev"),
    ]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([dev?.stop(), wrongPassword?.stop(), bridge?.stop("SIGKILL")]);
    await deleteTopics([topic]).catch(() => {});
  });

  test("an event answered 202 is in Kafka", async () => {
    const requestId = uniqueName("dev-env");
    const response = await post(dev, requestId);
    expect(response.status).toBe(202);
    // The request publishes its event and its rollup delta together.
    const messages = await readMessages(topic, 2);
    expect(messages.some((m) => m.key === requestId && JSON.parse(m.value).requestId === requestId)).toBe(true);
  }, 60_000);

  test("with a wrong bridge password the lost events are counted with reason auth after one attempt", async () => {
    expect((await post(wrongPassword, uniqueName("wrong-password"))).status).toBe(202);
    const lost = await waitFor("a lost-events sample", () =>
      sample(wrongPassword.url, "widegate_publish_lost_events_total", { reason: "auth" }),
    );
    expect(lost).toBe(2); // the event and its rollup delta
    // A 401 is not retried: one produce request, one failed attempt.
    expect(await sample(wrongPassword.url, "widegate_publish_failures_total", { publisher: "publisher:upstash-kafka" })).toBe(1);
  }, 60_000);

  test("with a wrong bridge password the loss is logged naming the credentials", async () => {
    await waitFor("the loss line", () => wrongPassword.output().includes("events lost"));
    const line = wrongPassword
      .output()
      .split("\n")
      .find((l) => l.includes("events lost"));
    expect(line).toContain("failed (auth)");
    expect(line).toContain("UPSTASH_KAFKA_REST_PASSWORD");
  }, 60_000);

  test("after an auth loss, ingest answers 503 with Retry-After so the client keeps its events", async () => {
    await waitFor("the circuit", async () => (await sample(wrongPassword.url, "widegate_ingest_circuit_open", {})) === 1);
    const response = await post(wrongPassword, uniqueName("after-loss"));
    expect(response.status).toBe(503);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("PUBLISH_FAILING");
    expect(body.error.message).toContain("401");
  }, 60_000);
});
