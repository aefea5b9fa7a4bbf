import { afterAll, beforeAll, expect, test } from "bun:test";
import {
  committedOffsets,
  createTopic,
  deleteTopics,
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
import { type PrivateFerretDb, startPrivateFerretDb } from "../support/private-ferretdb.ts";
import { describeWithServices } from "../support/services.ts";
import type { RunningServer } from "../support/spawn-server.ts";

// FerretDB is needed for its binary (installed by services:up); the outage is staged on a private instance.
await describeWithServices(["kafka", "ferretdb"], "worker: a 10 s store outage", () => {
  let ferret: PrivateFerretDb;
  let worker: RunningServer | undefined;
  const names = pipelineNames("w-outage");

  beforeAll(async () => {
    ferret = await startPrivateFerretDb();
    await createTopic(names.topic);
  });
  afterAll(async () => {
    await worker?.stop("SIGKILL");
    await ferret?.dispose();
    await deleteTopics([names.topic, names.dlq]);
  });

  test("pauses without committing while FerretDB is down, and everything arrives once it is back", async () => {
    worker = await startWorker(names, { MONGODB_URI: ferret.uri });
    const first = makeEvents(500);
    const second = makeEvents(1500);
    await produceEvents(names.topic, first);
    let events = await openEvents(names.db, ferret.uri);
    await waitFor("the first 500 stored", async () => (await events.count()) === 500);
    await events.close();
    await waitFor("first commits", async () => sum(await committedOffsets(names.group, names.topic)) === 500n);

    await ferret.stop();
    const downAt = Date.now();
    await produceEvents(names.topic, second);
    const url = worker.url;
    // Down for 10 s: the worker pauses, and nothing is committed meanwhile.
    let paused = false;
    while (Date.now() - downAt < 10_000) {
      expect(sum(await committedOffsets(names.group, names.topic))).toBe(500n);
      paused ||= (await metric(url, "widegate_worker_paused")) === 1;
      await Bun.sleep(250);
    }
    expect(paused).toBe(true);
    await waitFor("lag to show the waiting events", async () => (await metric(url, "widegate_worker_consumer_lag_sum")) === 1500, 15_000);
    expect(await metric(url, 'widegate_worker_store_retries_total{kind="outage"}')).toBeGreaterThan(0);

    await ferret.start();
    events = await openEvents(names.db, ferret.uri);
    try {
      await waitFor("all 2000 stored", async () => (await events.count()) === 2000, 60_000);
      await waitFor(
        "commits to the end",
        async () => sum(await committedOffsets(names.group, names.topic)) === sum(await endOffsets(names.topic)),
      );
      expect(await metric(url, "widegate_worker_paused")).toBe(0);
      const ids = await events.collection.distinct("eventId");
      expect(ids.length).toBe(2000);
    } finally {
      await events.close();
    }
  }, 120_000);
});
