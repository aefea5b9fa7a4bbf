import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileSpool } from "../../src/adapters/file/file-spool.ts";
import { createStringProducer } from "../../src/adapters/kafka/kafka-clients.ts";
import { DLQ_HEADER } from "../../src/consumer/messages.ts";
import { brokers, createTopic, deleteTopics, readMessages } from "../support/kafka-pipeline.ts";
import { describeWithServices, serviceEnv, uniqueName } from "../support/services.ts";
import { cli } from "./run-cli.ts";

// Each command is a real process talking to the real Kafka.
setDefaultTimeout(120_000);

await describeWithServices(["kafka"], "wide-gate dlq and replay against Kafka", () => {
  const dlq = uniqueName("cli-dlq");
  const spooledTopic = uniqueName("cli-spool");
  const source = uniqueName("cli-src");
  const env = {
    KAFKA_BROKERS: serviceEnv.KAFKA_BROKERS,
    KAFKA_DLQ_TOPIC: dlq,
    KAFKA_TOPIC: source,
    WORKER_GROUP_ID: uniqueName("cli-group"),
  };
  afterAll(async () => {
    await deleteTopics([dlq, source, spooledTopic]).catch(() => {});
  });

  test("list shows each dead letter with its reason; replay puts them back once across runs", async () => {
    await createTopic(dlq, 1);
    await createTopic(source, 1);
    const producer = createStringProducer({ brokers, clientId: "cli-dlq-test" });
    try {
      await producer.send({
        messages: ["{not json", "{also not json"].map((value, i) => ({
          topic: dlq,
          key: `poison-${i}`,
          value,
          headers: new Map([
            [DLQ_HEADER.reason, "value is not JSON"],
            [DLQ_HEADER.stage, "decode"],
            [DLQ_HEADER.topic, source],
            [DLQ_HEADER.partition, "0"],
            [DLQ_HEADER.offset, String(i)],
            [DLQ_HEADER.failedAt, new Date().toISOString()],
          ]),
        })),
      });
    } finally {
      await producer.close();
    }

    const listed = await cli(["--json", "dlq", "list"], env);
    expect(listed.code).toBe(0);
    const views = listed.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { key: string; reason: string; stage: string; preview: string });
    expect(views.map((v) => [v.key, v.reason, v.stage, v.preview])).toEqual([
      ["poison-0", "value is not JSON", "decode", "{not json"],
      ["poison-1", "value is not JSON", "decode", "{also not json"],
    ]);
    expect(listed.stderr).toContain(`2 dead letter(s) in ${dlq}`);

    const table = await cli(["dlq", "list", "--limit", "1"], env);
    expect(table.stdout).toContain("key=poison-0  value is not JSON");
    expect(table.stdout).not.toContain("poison-1");

    const replayed = await cli(["dlq", "replay"], env);
    expect(replayed.code).toBe(0);
    expect(replayed.stderr).toContain(`replayed 2 dead letter(s) from ${dlq}`);
    const back = await readMessages(source, 2);
    expect(back.map((m) => [m.key, m.value])).toEqual([
      ["poison-0", "{not json"],
      ["poison-1", "{also not json"],
    ]);
    expect(back[0]?.headers["dlq-replayed-from"]).toBe(`${dlq}/0/0`);

    const again = await cli(["dlq", "replay"], env);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("replayed 0 dead letter(s)");
  });

  test("replay moves the local spool to PUBLISHER=kafka and deletes it", async () => {
    await createTopic(spooledTopic, 1);
    const dataDir = mkdtempSync(join(tmpdir(), "widegate-cli-spool-"));
    const spool = new FileSpool(dataDir);
    await spool.publish(
      [0, 1, 2].map((i) => ({
        eventId: `spooled-${i}`,
        requestId: `r-${i}`,
        service: "payment",
        tenant: "default",
        timestamp: new Date().toISOString(),
      })),
    );
    await spool.close();
    const run = await cli(["--json", "replay"], {
      DATA_DIR: dataDir,
      PUBLISHER: "kafka",
      KAFKA_BROKERS: serviceEnv.KAFKA_BROKERS,
      KAFKA_TOPIC: spooledTopic,
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ events: 3, replayed: 3 });
    expect(readdirSync(join(dataDir, "spool"))).toHaveLength(0);
    const published = await readMessages(spooledTopic, 3);
    expect(published.map((m) => (JSON.parse(m.value) as { eventId: string }).eventId).sort()).toEqual([
      "spooled-0",
      "spooled-1",
      "spooled-2",
    ]);
  });
});
