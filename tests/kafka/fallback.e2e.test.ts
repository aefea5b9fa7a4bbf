import { afterAll, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BRIDGE_PASSWORD, BRIDGE_USER, createTopic, deleteTopics, readMessages, startBridge, waitFor } from "../support/kafka-pipeline.ts";
import { describeWithServices, uniqueName } from "../support/services.ts";
import { type RunningServer, spawnServer } from "../support/spawn-server.ts";
import { freePort } from "../support/workerd.ts";

/** Events that are always kept (errors), so every one must reach Kafka. */
const batch = (tag: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    service: "payment",
    requestId: `${tag}-${i}`,
    timestamp: "2026-11-26T03:00:00.000Z",
    statusCode: 503,
  }));

await describeWithServices(["kafka"], "a broken Kafka path never stops ingestion and never loses an event", () => {
  const topic = uniqueName("fallback");
  let bridge: RunningServer | undefined;
  let gateway: RunningServer | undefined;

  afterAll(async () => {
    await gateway?.stop("SIGKILL");
    await bridge?.stop("SIGKILL");
    await deleteTopics([topic]);
  });

  test("with the bridge down, events are spooled to disk, then replayed to Kafka once it is back", async () => {
    await createTopic(topic);
    const port = String(await freePort());
    bridge = await startBridge({ BRIDGE_PORT: port });
    gateway = await spawnServer("edge/bun-server.ts", {
      PUBLISHER: "upstash-kafka",
      UPSTASH_KAFKA_REST_URL: `http://127.0.0.1:${port}`,
      UPSTASH_KAFKA_REST_USERNAME: BRIDGE_USER,
      UPSTASH_KAFKA_REST_PASSWORD: BRIDGE_PASSWORD,
      KAFKA_TOPIC: topic,
      PUBLISHER_FALLBACK: "file",
      EVENT_STORE: "memory",
      // This suite counts events on the topic and in the spool; rollup deltas take the same road
      // (tests/kafka/rollup-chaos.e2e.test.ts follows them) and are flushed after it ends.
      ROLLUP_FLUSH_MS: "60000",
    });
    const post = async (tag: string, n: number) => {
      const response = await fetch(`${gateway?.url}/v1/events`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(batch(tag, n)),
      });
      expect(response.status).toBe(202);
    };
    const spooled = () => {
      const dir = join(gateway?.dataDir ?? "", "spool");
      const lines = readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), "utf8").split("\n").filter(Boolean));
      return lines.filter((line) => "eventId" in (JSON.parse(line) as object)).length;
    };

    await post("before", 50);
    expect((await readMessages(topic, 50)).length).toBe(50);

    await bridge.stop("SIGKILL"); // Kafka over HTTP is gone
    await post("outage", 50);
    await post("outage-more", 50);
    // @upstash/kafka retries for ~15 s before the circuit opens; then the batches go to disk.
    await waitFor("outage events in the spool", () => spooled() === 100, 40_000, 250);
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200); // degraded, still accepting

    bridge = await startBridge({ BRIDGE_PORT: port });
    // After the cooldown the next batch probes the primary; success replays the spool.
    await waitFor(
      "spool replayed",
      async () => {
        await post(uniqueName("probe"), 1);
        return spooled() === 0;
      },
      30_000,
      1000,
    );
    const messages = await readMessages(topic, 10_000, 8000);
    const ids = new Set(messages.map((m) => (JSON.parse(m.value) as { requestId: string }).requestId));
    for (const tag of ["before", "outage", "outage-more"]) {
      for (let i = 0; i < 50; i++) expect(ids.has(`${tag}-${i}`)).toBe(true);
    }
  }, 120_000);
});
