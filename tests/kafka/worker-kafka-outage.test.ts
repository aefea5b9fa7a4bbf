import { afterAll, beforeAll, expect, test } from "bun:test";
import {
  committedOffsets,
  createTopic,
  endOffsets,
  makeEvents,
  metric,
  openEvents,
  pipelineNames,
  produceEvents,
  startWorker,
  sum,
  waitFor,
} from "../support/kafka-pipeline.ts";
import { type PrivateKafka, startPrivateKafka } from "../support/private-kafka.ts";
import { describeWithServices } from "../support/services.ts";
import type { RunningServer } from "../support/spawn-server.ts";

// The shared broker's jars run a private one here, so it can be stopped; the events go to the shared FerretDB.
await describeWithServices(["kafka", "ferretdb"], "worker: a 10 s Kafka outage", () => {
  let kafka: PrivateKafka;
  let worker: RunningServer | undefined;
  const names = pipelineNames("w-kafka-down");
  let events: Awaited<ReturnType<typeof openEvents>>;

  beforeAll(async () => {
    kafka = await startPrivateKafka();
    await createTopic(names.topic, 3, [kafka.brokers]);
    events = await openEvents(names.db);
  }, 120_000);
  afterAll(async () => {
    await worker?.stop("SIGKILL");
    await kafka?.dispose();
    await events?.drop();
  });

  test("the worker survives the broker going away and stores everything, once, when it is back", async () => {
    const via = [kafka.brokers];
    worker = await startWorker(names, { KAFKA_BROKERS: kafka.brokers });
    await produceEvents(names.topic, makeEvents(300), via);
    await waitFor("the first 300 stored", async () => (await events.count()) === 300);

    await kafka.stop();
    await Bun.sleep(10_000);
    expect(worker.proc.exitCode).toBeNull();
    expect(await (await fetch(`${worker.url}/healthz`)).json()).toEqual({ status: "ok" });

    await kafka.start();
    await produceEvents(names.topic, makeEvents(700), via);
    await waitFor("all 1000 stored", async () => (await events.count()) === 1000, 90_000);
    await waitFor(
      "commits to the end",
      async () => sum(await committedOffsets(names.group, names.topic, 3, via)) === sum(await endOffsets(names.topic, via)),
      30_000,
    );
    expect(worker.proc.exitCode).toBeNull();
    expect((await events.collection.distinct("eventId")).length).toBe(1000);
    expect(await metric(worker.url, 'widegate_worker_messages_total{result="stored"}')).toBe(1000);
  }, 180_000);
});
