// The worker and Kafka chaos scenarios, with the gateway producing rollups: after a worker killed
// mid-stream, a rewound group, a Kafka outage, a spool replay, or two workers with one killed,
// /v1/query counts exactly the accepted events (never double, never short) and every kept event
// is stored once.
import { afterAll, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  BRIDGE_PASSWORD,
  BRIDGE_USER,
  brokers,
  committedOffsets,
  createTopic,
  deleteTopics,
  endOffsets,
  metric,
  openEvents,
  type PipelineNames,
  pipelineNames,
  rewindGroup,
  startBridge,
  startWorker,
  sum,
  waitFor,
} from "../support/kafka-pipeline.ts";
import { type PrivateKafka, startPrivateKafka } from "../support/private-kafka.ts";
import {
  checkRollupTruth,
  coreQueries,
  countedTotal,
  MINUTE_MS,
  mongoExemplarLookup,
  type PostReport,
  postTraffic,
  RollupTraffic,
  waitForCount,
} from "../support/rollup-truth.ts";
import { describeWithServices, serviceEnv, uniqueName } from "../support/services.ts";
import { type RunningServer, spawnServer } from "../support/spawn-server.ts";
import { freePort } from "../support/workerd.ts";

const EVENTS = Number(process.env.ROLLUP_CHAOS_EVENTS ?? 20_000);
const TENANT = "chaos";
const ROLLUP_DUPLICATE = 'widegate_rollup_deltas_total{path="worker",result="duplicate"}';
const EVENT_DUPLICATE = 'widegate_worker_messages_total{result="duplicate"}';

/** A metric summed over all its label sets (0 when absent). */
async function metricTotal(baseUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`, { headers: { authorization: "Bearer metrics-key" } })).text();
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    .reduce((n, line) => n + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

await describeWithServices(["kafka", "ferretdb"], "rollup chaos: exact totals through worker kills, redelivery and outages", () => {
  const stops: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  }, 180_000);

  interface Pipeline {
    names: PipelineNames;
    via: string[];
    events: Awaited<ReturnType<typeof openEvents>>;
    traffic: RollupTraffic;
    /** Every worker started on this pipeline, for the diagnosis of a stall. */
    workers: RunningServer[];
    /** Starts a worker on this pipeline (killed at the end of the suite). */
    worker: (env?: Record<string, string>) => Promise<RunningServer>;
    /** Starts a Bun gateway publishing to this pipeline and reading its database. */
    gateway: (env: Record<string, string>) => Promise<RunningServer>;
    stored: () => Promise<number>;
    /** The topic holds at least `atLeast` messages and the worker group has committed all of them. */
    settled: (atLeast: number) => Promise<boolean>;
  }

  /** A fresh topic and database, and traffic spread over 20 minutes in batches of `batchSize`. */
  async function pipeline(prefix: string, options: { via?: string[]; batchSize?: number } = {}): Promise<Pipeline> {
    const names = pipelineNames(prefix);
    const via = options.via ?? brokers;
    await createTopic(names.topic, 3, via);
    const events = await openEvents(names.db);
    stops.push(
      () => events.drop(),
      () => (via === brokers ? deleteTopics([names.topic, names.dlq]) : Promise.resolve()),
    );
    const traffic = new RollupTraffic({
      count: EVENTS,
      now: Date.now(),
      runId: uniqueName(prefix),
      spanMs: 20 * MINUTE_MS,
      batchSize: options.batchSize ?? 1000,
    });
    const kafkaEnv = { KAFKA_BROKERS: via.join(",") };
    const workers: RunningServer[] = [];
    return {
      names,
      via,
      events,
      traffic,
      workers,
      worker: async (env = {}) => {
        const worker = await startWorker(names, { ...kafkaEnv, ...env });
        workers.push(worker);
        stops.push(() => worker.stop("SIGKILL"));
        return worker;
      },
      gateway: async (env) => {
        const server = await spawnServer("edge/bun-server.ts", {
          KAFKA_TOPIC: names.topic,
          ...kafkaEnv,
          EVENT_STORE: "mongo",
          MONGODB_URI: serviceEnv.MONGODB_URI,
          MONGODB_DB: names.db,
          INGEST_API_KEYS: `ingest-key:${TENANT}`,
          QUERY_API_KEYS: `query-key:${TENANT}`,
          METRICS_API_KEY: "metrics-key",
          ROLLUP_FLUSH_MS: "200",
          ...env,
        });
        stops.push(() => server.stop("SIGKILL"));
        return server;
      },
      stored: () => events.collection.countDocuments({ tenant: TENANT }),
      settled: async (atLeast) => {
        const end = sum(await endOffsets(names.topic, via));
        return end >= BigInt(atLeast) && sum(await committedOffsets(names.group, names.topic, 3, via)) === end;
      },
    };
  }

  /** Waits for exact rollups and every kept event, then checks both: nothing short, nothing double. */
  async function assertExact(p: Pipeline, queryUrl: string, posted: Pick<PostReport, "accepted" | "kept">, label: string): Promise<void> {
    expect(posted.accepted).toBe(p.traffic.truth.count);
    // Kafka first (cheap): the worker commits only what is durable. Then the counts, polled a while
    // longer for records still on their way to Kafka.
    // Every kept event is a message: once the group has committed that many, the rest are deltas.
    await waitFor(
      "every kept event on the topic and the worker group committed to its end",
      () => p.settled(posted.kept),
      480_000,
      1000,
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await diagnosis(p)}`);
    });
    await waitForCount(queryUrl, "query-key", p.traffic.truth, { timeoutMs: 300_000, everyMs: 1000 });
    await waitFor(`${posted.kept} kept events stored`, async () => (await p.stored()) >= posted.kept, 180_000, 1000);
    await waitFor("the worker group committed to the end of the topic", () => p.settled(posted.kept), 120_000, 1000);
    expect(await p.stored()).toBe(posted.kept);
    expect((await p.events.collection.distinct("eventId", { tenant: TENANT })).length).toBe(posted.kept);
    // Still exact once everything is consumed: no late duplicate added anything.
    expect(await countedTotal(queryUrl, "query-key", p.traffic.truth)).toBe(p.traffic.truth.count);
    const { rows } = await checkRollupTruth(queryUrl, "query-key", p.traffic, {
      queries: coreQueries(p.traffic.truth),
      lookupExemplars: mongoExemplarLookup(p.events.collection, TENANT),
    });
    console.log(`${label}: exact (${p.traffic.truth.count} events, ${posted.kept} kept, ${rows} rows checked)`);
  }

  /** Offsets per partition and each live worker's view, for a stalled group. */
  async function diagnosis(p: Pipeline): Promise<string> {
    const lines = [
      `committed ${(await committedOffsets(p.names.group, p.names.topic, 3, p.via)).join(",")}, end ${(await endOffsets(p.names.topic, p.via)).join(",")}`,
    ];
    for (const worker of p.workers.filter((w) => w.proc.exitCode === null && w.proc.signalCode === null)) {
      const text = await fetch(`${worker.url}/metrics`).then(
        (r) => r.text(),
        (e: Error) => e.message,
      );
      lines.push(
        `${worker.url}: ${text
          .split("\n")
          .filter((l) => /^widegate_(worker_(assigned|batches|consumer_lag|messages|paused)|rollup_deltas|store_write_retries)/.test(l))
          .join(" ")}`,
      );
      lines.push(worker.output().slice(-1500));
    }
    return lines.join("\n");
  }

  const add = (a: PostReport, b: PostReport): PostReport => ({
    accepted: a.accepted + b.accepted,
    kept: a.kept + b.kept,
    dropped: a.dropped + b.dropped,
    refusals: a.refusals + b.refusals,
    reposts: a.reposts + b.reposts,
    elapsedMs: a.elapsedMs + b.elapsedMs,
  });

  test("a worker killed with SIGKILL mid-stream and restarted: rollup totals exact, no event stored twice", async () => {
    const p = await pipeline("rc-kill");
    // Static membership: the restarted worker takes the partitions back at once.
    const env = { WORKER_INSTANCE_ID: "worker-a", WORKER_BATCH_SIZE: "100" };
    let worker = await p.worker(env);
    const gateway = await p.gateway({ PUBLISHER: "kafka" });
    const posting = postTraffic(gateway.url, "ingest-key", p.traffic, { concurrency: 1, pauseMs: 150 });
    posting.catch(() => {});
    await waitFor(
      "the stream partly consumed",
      async () => (await countedTotal(gateway.url, "query-key", p.traffic.truth)) > 0 && (await p.stored()) >= 300,
      120_000,
      50,
    );
    worker.proc.kill("SIGKILL");
    await worker.proc.exited;
    const atKill = await countedTotal(gateway.url, "query-key", p.traffic.truth);
    expect(atKill).toBeLessThan(p.traffic.truth.count);
    worker = await p.worker(env);
    await assertExact(p, gateway.url, await posting, "worker SIGKILL");
    console.log(
      `worker SIGKILL: the restarted worker found ${await metricTotal(worker.url, EVENT_DUPLICATE)} events and ${await metricTotal(worker.url, ROLLUP_DUPLICATE)} deltas already written`,
    );
  }, 900_000);

  test("the group rewound and every message re-consumed: rollup totals stay exact, nothing stored twice", async () => {
    const p = await pipeline("rc-rewind");
    let worker = await p.worker();
    const gateway = await p.gateway({ PUBLISHER: "kafka" });
    const posted = await postTraffic(gateway.url, "ingest-key", p.traffic, { concurrency: 4 });
    await assertExact(p, gateway.url, posted, "before the rewind");
    expect(await worker.stop("SIGTERM")).toBe(0);
    await rewindGroup(p.names.group, p.names.topic);
    worker = await p.worker();
    const onTopic = Number(sum(await endOffsets(p.names.topic)));
    // Every message comes back: each event is a duplicate, each delta an already-applied one.
    await waitFor(
      "every redelivered message seen as a duplicate",
      async () => (await metricTotal(worker.url, EVENT_DUPLICATE)) + (await metricTotal(worker.url, ROLLUP_DUPLICATE)) === onTopic,
      180_000,
      500,
    );
    expect(await metricTotal(worker.url, ROLLUP_DUPLICATE)).toBeGreaterThan(0);
    await assertExact(p, gateway.url, posted, "after the rewind");
  }, 900_000);

  test("Kafka down while the gateway accepts: held events and rollups arrive once it is back, totals exact", async () => {
    const kafka: PrivateKafka = await startPrivateKafka();
    stops.push(() => kafka.dispose());
    const p = await pipeline("rc-kafka-down", { via: [kafka.brokers] });
    await p.worker();
    const gateway = await p.gateway({ PUBLISHER: "kafka" });
    const half = Math.floor(p.traffic.batches / 2);
    const before = await postTraffic(gateway.url, "ingest-key", p.traffic, { toBatch: half, concurrency: 2 });
    await waitForCount(gateway.url, "query-key", p.traffic.truth, { expected: before.accepted, timeoutMs: 120_000 });

    await kafka.stop();
    const during = await postTraffic(gateway.url, "ingest-key", p.traffic, { fromBatch: half, concurrency: 2 });
    // The outage's events and rollups wait in the gateway's publish queue (the native producer
    // waits for the broker rather than failing), and nothing new reaches the store.
    await waitFor(
      "the outage's records queued in the gateway",
      async () => (await metricTotal(gateway.url, "widegate_publish_queue_depth")) > 0,
      30_000,
      250,
    );
    expect(await countedTotal(gateway.url, "query-key", p.traffic.truth)).toBe(before.accepted);
    await Bun.sleep(5_000); // the outage goes on a little longer
    expect(await metricTotal(gateway.url, "widegate_publish_queue_depth")).toBeGreaterThan(0);
    await kafka.start();
    await assertExact(p, gateway.url, add(before, during), "Kafka outage");
  }, 900_000);

  test("the bridge down with PUBLISHER_FALLBACK=file: spooled rollups replay once, totals exact", async () => {
    const p = await pipeline("rc-spool", { batchSize: 500 });
    await p.worker();
    const port = String(await freePort());
    let bridge = await startBridge({ BRIDGE_PORT: port });
    stops.push(() => bridge.stop("SIGKILL"));
    const gateway = await p.gateway({
      PUBLISHER: "upstash-kafka",
      UPSTASH_KAFKA_REST_URL: `http://127.0.0.1:${port}`,
      UPSTASH_KAFKA_REST_USERNAME: BRIDGE_USER,
      UPSTASH_KAFKA_REST_PASSWORD: BRIDGE_PASSWORD,
      PUBLISHER_FALLBACK: "file",
    });
    const spooled = () => {
      const dir = join(gateway.dataDir, "spool");
      return readdirSync(dir).reduce((n, f) => n + readFileSync(join(dir, f), "utf8").split("\n").filter(Boolean).length, 0);
    };
    const batches = p.traffic.batches;
    const [a, b] = [Math.floor(batches / 4), Math.floor(batches / 2)];
    let posted = await postTraffic(gateway.url, "ingest-key", p.traffic, { toBatch: a, concurrency: 2 });
    await waitForCount(gateway.url, "query-key", p.traffic.truth, { expected: posted.accepted, timeoutMs: 120_000 });

    await bridge.stop("SIGKILL"); // Kafka over HTTP is gone
    posted = add(posted, await postTraffic(gateway.url, "ingest-key", p.traffic, { fromBatch: a, toBatch: b, concurrency: 2 }));
    // @upstash/kafka retries for ~15 s before the circuit opens; then events and deltas go to disk.
    await waitFor(
      "the outage's events and rollups spooled",
      async () => spooled() > 0 && (await metricTotal(gateway.url, "widegate_publish_queue_depth")) === 0,
      90_000,
      250,
    );
    const inSpool = spooled();
    expect(await countedTotal(gateway.url, "query-key", p.traffic.truth)).toBe(p.traffic.eventsIn(0, a));

    bridge = await startBridge({ BRIDGE_PORT: port });
    // After the cooldown the next publish probes the primary and its success replays the spool:
    // the rest of the traffic, one batch a second, is the probe.
    let next = b;
    await waitFor(
      "the spool replayed",
      async () => {
        if (next < batches) {
          posted = add(posted, await postTraffic(gateway.url, "ingest-key", p.traffic, { fromBatch: next, toBatch: next + 1 }));
          next++;
        }
        return spooled() === 0;
      },
      90_000,
      1000,
    );
    if (next < batches) posted = add(posted, await postTraffic(gateway.url, "ingest-key", p.traffic, { fromBatch: next, concurrency: 2 }));
    expect(await metricTotal(gateway.url, "widegate_spool_replayed_events_total")).toBeGreaterThanOrEqual(inSpool);
    await assertExact(p, gateway.url, posted, "spool replay");
  }, 900_000);

  test("two workers share the partitions and one is killed mid-stream: rollup totals exact", async () => {
    const p = await pipeline("rc-pair");
    const env = { WORKER_BATCH_SIZE: "100" };
    const [a, b] = [await p.worker(env), await p.worker(env)];
    await waitFor(
      "3 partitions split between both workers",
      async () => {
        const [pa, pb] = [
          await metric(a.url, "widegate_worker_assigned_partitions"),
          await metric(b.url, "widegate_worker_assigned_partitions"),
        ];
        return pa > 0 && pb > 0 && pa + pb === 3;
      },
      60_000,
    );
    const gateway = await p.gateway({ PUBLISHER: "kafka" });
    const posting = postTraffic(gateway.url, "ingest-key", p.traffic, { concurrency: 1, pauseMs: 150 });
    posting.catch(() => {});
    await waitFor(
      "both workers storing",
      async () =>
        (await metric(a.url, 'widegate_worker_messages_total{result="stored"}')) > 0 &&
        (await metric(b.url, 'widegate_worker_messages_total{result="stored"}')) > 0,
      120_000,
      50,
    );
    a.proc.kill("SIGKILL");
    await a.proc.exited;
    expect(await countedTotal(gateway.url, "query-key", p.traffic.truth)).toBeLessThan(p.traffic.truth.count);
    // b takes over a's partitions once a's session times out, and re-reads what a did not commit.
    await assertExact(p, gateway.url, await posting, "two workers, one killed");
    console.log(
      `two workers: the survivor found ${await metricTotal(b.url, EVENT_DUPLICATE)} events and ${await metricTotal(b.url, ROLLUP_DUPLICATE)} deltas already written`,
    );
  }, 900_000);
});
