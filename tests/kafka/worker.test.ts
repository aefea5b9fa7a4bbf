import { afterAll, expect, test } from "bun:test";
import {
  committedOffsets,
  createTopic,
  deleteTopics,
  endOffsets,
  makeEvents,
  metric,
  openEvents,
  type PipelineNames,
  pipelineNames,
  produceBytes,
  produceEvents,
  produceRaw,
  readMessages,
  rewindGroup,
  startWorker,
  sum,
  waitFor,
} from "../support/kafka-pipeline.ts";
import { describeWithServices, serviceEnv } from "../support/services.ts";
import { cleanEnv } from "../support/spawn-server.ts";

const STORED = 'widegate_worker_messages_total{result="stored"}';
const DUPLICATE = 'widegate_worker_messages_total{result="duplicate"}';
const DEAD = 'widegate_worker_messages_total{result="dead_lettered"}';

await describeWithServices(["kafka", "ferretdb"], "worker: Kafka → MongoDB (FerretDB)", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
  });

  async function setup(prefix: string) {
    const names = pipelineNames(prefix);
    await createTopic(names.topic);
    const events = await openEvents(names.db);
    cleanups.push(
      () => events.drop(),
      () => deleteTopics([names.topic, names.dlq]),
    );
    return { names, events };
  }

  const settled = async (names: PipelineNames) =>
    waitFor(
      "offsets committed to the end",
      async () => sum(await committedOffsets(names.group, names.topic)) === sum(await endOffsets(names.topic)),
    );

  test("events reach MongoDB exactly once with their sampling field; re-published and redelivered batches add nothing", async () => {
    const { names, events } = await setup("w-once");
    const sent = makeEvents(300);
    await produceEvents(names.topic, sent);
    let worker = await startWorker(names);
    try {
      await waitFor("300 events stored", async () => (await events.count()) === 300);
      const docs = await events.collection.find({}).toArray();
      const byId = new Map(docs.map((d) => [d.eventId, d]));
      for (const event of sent) expect(byId.get(event.eventId)?.sampling).toEqual(event.sampling);
      // Set up by the worker at start: query indexes, and retention (FerretDB refuses TTL: one warning, then a periodic delete).
      const indexes = (await events.collection.indexes()).map((i) => i.name);
      expect(indexes).toContain("tenant_ts");
      expect(indexes.includes("ttl_q_ts") || indexes.includes("q_ts")).toBe(true);
      if (indexes.includes("q_ts")) expect(worker.output().match(/event-store:mongo: the server refused a TTL index/g)).toHaveLength(1);

      // The same events published again (a producer retry): all duplicates.
      await produceEvents(names.topic, sent);
      await waitFor("300 duplicates counted", async () => (await metric(worker.url, DUPLICATE)) === 300);
      expect(await events.count()).toBe(300);
      await settled(names);
      await waitFor("lag measured as 0", async () => (await metric(worker.url, "widegate_worker_consumer_lag_sum")) === 0, 15_000);

      // Kafka redelivers everything (offsets rewound): still nothing new.
      expect(await worker.stop("SIGTERM")).toBe(0);
      await rewindGroup(names.group, names.topic);
      worker = await startWorker(names);
      const onTopic = Number(sum(await endOffsets(names.topic)));
      expect(onTopic).toBe(600);
      await waitFor("every redelivered message seen as a duplicate", async () => (await metric(worker.url, DUPLICATE)) === onTopic);
      expect(await metric(worker.url, STORED)).toBe(0);
      expect(await events.count()).toBe(300);
    } finally {
      await worker.stop("SIGKILL");
    }
  }, 90_000);

  test("poison lands in the DLQ with its reason and original bytes, and the stream moves on", async () => {
    const { names, events } = await setup("w-dlq");
    const before = makeEvents(50);
    const after = makeEvents(50);
    const invalidUtf8 = new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    await produceEvents(names.topic, before);
    await produceRaw(names.topic, [
      { key: "poison-1", value: "{not json" },
      { key: "poison-2", value: JSON.stringify({ ...makeEvents(1)[0], eventId: "" }) },
    ]);
    await produceBytes(names.topic, [{ key: "poison-3", value: invalidUtf8 }]);
    await produceEvents(names.topic, after);
    const worker = await startWorker(names);
    try {
      await waitFor("100 good events stored", async () => (await events.count()) === 100);
      await waitFor("3 dead letters counted", async () => (await metric(worker.url, DEAD)) === 3);
      await settled(names);
      const letters = await readMessages(names.dlq, 3);
      const byKey = new Map(letters.map((l) => [l.key, l]));
      expect(byKey.get("poison-1")?.value).toBe("{not json");
      expect(byKey.get("poison-1")?.headers["dlq-reason"]).toContain("not JSON");
      expect(byKey.get("poison-2")?.headers["dlq-reason"]).toContain("eventId");
      expect(byKey.get("poison-3")?.headers["dlq-reason"]).toContain("UTF-8");
      for (const letter of letters) {
        expect(letter.headers).toMatchObject({ "dlq-stage": "decode", "dlq-source-topic": names.topic });
        expect(Number(letter.headers["dlq-source-offset"])).toBeGreaterThanOrEqual(0);
      }

      // The operator's view: `bun run dlq:list -- --json` shows each with its reason and exact bytes.
      const listed = Bun.spawn([process.execPath, "worker/dlq.ts", "list", "--json"], {
        env: cleanEnv({ KAFKA_BROKERS: serviceEnv.KAFKA_BROKERS, KAFKA_DLQ_TOPIC: names.dlq }),
        stdout: "pipe",
        stderr: "pipe",
      });
      expect(await listed.exited).toBe(0);
      const lines = (await new Response(listed.stdout).text()).trim().split("\n");
      const views = lines.map((line) => JSON.parse(line) as { key: string; reason: string; base64: string });
      expect(views).toHaveLength(3);
      const utf8View = views.find((v) => v.key === "poison-3");
      expect(Buffer.from(utf8View?.base64 ?? "", "base64")).toEqual(Buffer.from(invalidUtf8));
    } finally {
      await worker.stop("SIGKILL");
    }
  }, 90_000);

  test("killed with SIGKILL mid-stream and restarted: nothing lost, nothing duplicated", async () => {
    const { names, events } = await setup("w-kill");
    const total = 6000;
    const sent = makeEvents(total);
    // Static membership: the restarted worker takes the partitions back without waiting for the dead one's session to expire.
    const env = { WORKER_INSTANCE_ID: "worker-a", WORKER_BATCH_SIZE: "250" };
    let worker = await startWorker(names, env);
    const producing = (async () => {
      for (let i = 0; i < total; i += 500) {
        await produceEvents(names.topic, sent.slice(i, i + 500));
        await Bun.sleep(100);
      }
    })();
    try {
      await waitFor("the stream half-way stored", async () => (await events.count()) >= 1500, 60_000, 20);
      worker.proc.kill("SIGKILL");
      await worker.proc.exited;
      const atKill = await events.count();
      expect(atKill).toBeLessThan(total);
      worker = await startWorker(names, env);
      await producing;
      await waitFor(`${total} events stored`, async () => (await events.count()) === total, 60_000);
      await settled(names);
      expect(await events.count()).toBe(total);
      const ids = await events.collection.distinct("eventId");
      expect(ids.length).toBe(total);
      expect(new Set(ids)).toEqual(new Set(sent.map((e) => e.eventId)));
    } finally {
      await producing.catch(() => {});
      await worker.stop("SIGKILL");
    }
  }, 120_000);

  test("SIGTERM finishes and commits the batch in hand: the next worker re-reads nothing", async () => {
    const { names, events } = await setup("w-term");
    const total = 4000;
    await produceEvents(names.topic, makeEvents(total));
    const env = { WORKER_BATCH_SIZE: "200" };
    let worker = await startWorker(names, env);
    try {
      await waitFor("some events stored", async () => (await events.count()) >= 400, 60_000, 10);
      expect(await worker.stop("SIGTERM")).toBe(0);
      expect(worker.output()).toContain("stopped cleanly");
      const stored = await events.count();
      expect(sum(await committedOffsets(names.group, names.topic))).toBe(BigInt(stored));
      worker = await startWorker(names, env);
      await waitFor(`${total} events stored`, async () => (await events.count()) === total, 60_000);
      expect(await metric(worker.url, DUPLICATE)).toBe(0);
    } finally {
      await worker.stop("SIGKILL");
    }
  }, 120_000);

  test("two workers share the partitions and store every event once", async () => {
    const { names, events } = await setup("w-pair");
    const [a, b] = await Promise.all([startWorker(names), startWorker(names)]);
    try {
      await waitFor("3 partitions split between both", async () => {
        const [pa, pb] = await Promise.all([
          metric(a.url, "widegate_worker_assigned_partitions"),
          metric(b.url, "widegate_worker_assigned_partitions"),
        ]);
        return pa > 0 && pb > 0 && pa + pb === 3;
      });
      await produceEvents(names.topic, makeEvents(1200));
      await waitFor("1200 events stored", async () => (await events.count()) === 1200, 60_000);
      const [sa, sb] = await Promise.all([metric(a.url, STORED), metric(b.url, STORED)]);
      expect(sa).toBeGreaterThan(0);
      expect(sb).toBeGreaterThan(0);
      expect(sa + sb).toBe(1200);
    } finally {
      await Promise.all([a.stop("SIGKILL"), b.stop("SIGKILL")]);
    }
  }, 90_000);
});
