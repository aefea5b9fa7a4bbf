// Rollups of known truth through the Kafka pipeline into FerretDB, from both gateways: every
// rollup answer of /v1/query is exact, and every kept event is stored once.
import { afterAll, expect, test } from "bun:test";
import {
  BRIDGE_PASSWORD,
  BRIDGE_USER,
  committedOffsets,
  createTopic,
  deleteTopics,
  endOffsets,
  openEvents,
  type PipelineNames,
  pipelineNames,
  startBridge,
  startWorker,
  sum,
  waitFor,
} from "../support/kafka-pipeline.ts";
import { checkRollupTruth, mongoExemplarLookup, postTraffic, RollupTraffic, waitForCount } from "../support/rollup-truth.ts";
import { describeWithServices, serviceEnv, uniqueName } from "../support/services.ts";
import { type RunningServer, spawnServer } from "../support/spawn-server.ts";
import { startWorkerd } from "../support/workerd.ts";

// Each flush spreads over two hours of timestamps (~120 minutes); the worker writes a batch's minutes
// of one 10-minute partition together, so a batch costs a few dozen FerretDB scans whatever it holds.
// Both paths run the 100,000 unless ROLLUP_TRUTH_KAFKA_EVENTS says otherwise. On workerd the
// batches are keyed: the isolate remembers which groups already have an exemplar across keyed
// requests, and answers 429 while too many records are still publishing, which paces this test.
const EVENTS = Number(process.env.ROLLUP_TRUTH_KAFKA_EVENTS ?? 100_000);
const WORKERD_EVENTS = EVENTS;
const TIMEOUT_MS = Math.max(900_000, EVENTS * 40);

await describeWithServices(["kafka", "ferretdb"], "rollup truth: gateway → Kafka → worker → FerretDB", () => {
  const stops: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  }, 180_000);

  /** A fresh topic and database, the worker on them, and the events collection (dropped at the end). */
  async function pipeline(prefix: string) {
    const names: PipelineNames = pipelineNames(prefix);
    await createTopic(names.topic);
    const events = await openEvents(names.db);
    stops.push(
      () => deleteTopics([names.topic, names.dlq]),
      () => events.drop(),
    );
    const worker = await startWorker(names);
    stops.push(() => worker.stop("SIGKILL"));
    return { names, events, worker };
  }

  /** On a timeout, what each process said last and where the topic and the group stand. */
  async function explain<T>(wait: Promise<T>, names: PipelineNames, processes: Record<string, { output: () => string }>): Promise<T> {
    try {
      return await wait;
    } catch (error) {
      const end = await endOffsets(names.topic).catch(() => []);
      const committed = await committedOffsets(names.group, names.topic).catch(() => []);
      console.error(`topic end offsets ${String(end)}; committed ${String(committed)}`);
      for (const [name, proc] of Object.entries(processes)) console.error(`--- ${name} output (tail)\n${proc.output().slice(-6000)}`);
      throw error;
    }
  }

  /** A Bun server reading (and, with `extra`, publishing for) one tenant of one test database. */
  async function bunServer(names: PipelineNames, tenant: string, extra: Record<string, string> = {}): Promise<RunningServer> {
    const server = await spawnServer("edge/bun-server.ts", {
      EVENT_STORE: "mongo",
      MONGODB_URI: serviceEnv.MONGODB_URI,
      MONGODB_DB: names.db,
      QUERY_API_KEYS: `query-key:${tenant}`,
      INGEST_API_KEYS: `ingest-key:${tenant}`,
      ROLLUP_FLUSH_MS: "200",
      ...extra,
    });
    stops.push(() => server.stop("SIGKILL"));
    return server;
  }

  /** The topic holds at least `atLeast` messages and the worker group has committed all of them. */
  const settled = async (names: PipelineNames, atLeast: number) => {
    const end = sum(await endOffsets(names.topic));
    return end >= BigInt(atLeast) && sum(await committedOffsets(names.group, names.topic)) === end;
  };

  /** Posts the traffic, waits for exact rollups and every kept event, then runs the whole check. */
  async function roundTrip(
    label: string,
    ingestUrl: string,
    queryUrl: string,
    names: PipelineNames,
    events: Awaited<ReturnType<typeof openEvents>>,
    tenant: string,
    processes: Record<string, { output: () => string }>,
    idempotent = false,
    count = EVENTS,
    /** The gateway's log, when it can lose a publish (Workers): a loss fails the test at once, naming it. */
    gatewayLog?: () => string,
  ) {
    const traffic = new RollupTraffic({ count, now: Date.now(), runId: uniqueName(label) });
    const posted = await explain(postTraffic(ingestUrl, "ingest-key", traffic, { concurrency: 6, idempotent }), names, processes);
    console.log(
      `${label}: posted ${posted.accepted} events (run ${traffic.truth.runId}) in ${posted.elapsedMs} ms, kept ${posted.kept}, ${posted.refusals} × 429, ${posted.reposts} reposts`,
    );
    expect(posted.accepted).toBe(count);
    const started = Date.now();
    // The worker commits only what is durable: once its group reached the end of the topic, the
    // counts must be complete (polled a while longer for records still on their way to Kafka).
    // Waiting on Kafka first spares FerretDB the reads while the worker writes.
    await explain(
      waitFor(
        "every kept event on the topic and the worker group committed to its end",
        () => {
          const lost = (gatewayLog?.() ?? "").split("\n").filter((line) => line.includes("events lost"));
          if (lost.length > 0) throw new Error(`the gateway lost ${lost.length} publish(es):\n${lost.slice(0, 5).join("\n")}`);
          return settled(names, posted.kept);
        },
        600_000,
        1000,
      ),
      names,
      processes,
    );
    await waitForCount(queryUrl, "query-key", traffic.truth, { timeoutMs: 300_000, everyMs: 1000 });
    const stored = () => events.collection.countDocuments({ tenant });
    await waitFor(`${posted.kept} kept events in FerretDB`, async () => (await stored()) >= posted.kept, 300_000, 1000);
    console.log(`${label}: rollups and events complete ${Date.now() - started} ms after the last 202`);
    expect(await stored()).toBe(posted.kept);
    expect((await events.collection.distinct("eventId", { tenant })).length).toBe(posted.kept);
    const checked = Date.now();
    const { queries, rows } = await checkRollupTruth(queryUrl, "query-key", traffic, {
      lookupExemplars: mongoExemplarLookup(events.collection, tenant),
    });
    console.log(`${label}: ${queries} queries, ${rows} rows checked in ${Date.now() - checked} ms`);
  }

  test(
    `Bun gateway (PUBLISHER=kafka): rollups of ${EVENTS} events are exact`,
    async () => {
      const { names, events, worker } = await pipeline("rt-bun");
      const gateway = await bunServer(names, "truth-bun", {
        PUBLISHER: "kafka",
        KAFKA_BROKERS: serviceEnv.KAFKA_BROKERS,
        KAFKA_TOPIC: names.topic,
      });
      await roundTrip("bun → kafka", gateway.url, gateway.url, names, events, "truth-bun", { worker, gateway });
    },
    TIMEOUT_MS,
  );

  test(
    `workerd gateway (PUBLISHER=upstash-kafka through the bridge): rollups of ${WORKERD_EVENTS} events are exact`,
    async () => {
      const { names, events, worker } = await pipeline("rt-workerd");
      const bridge = await startBridge();
      stops.push(() => bridge.stop("SIGKILL"));
      const tenant = "truth-workerd";
      const gateway = await startWorkerd({
        PUBLISHER: "upstash-kafka",
        UPSTASH_KAFKA_REST_URL: bridge.url,
        UPSTASH_KAFKA_REST_USERNAME: BRIDGE_USER,
        UPSTASH_KAFKA_REST_PASSWORD: BRIDGE_PASSWORD,
        KAFKA_TOPIC: names.topic,
        INGEST_API_KEYS: `ingest-key:${tenant}`,
        EVENT_STORE: "memory",
      });
      stops.push(() => gateway.stop());
      // workerd cannot reach MongoDB: a Bun server on the same database answers the queries.
      const reader = await bunServer(names, tenant);
      // Keyed batches: workerd now and then resets a kept-alive socket before answering (a dozen
      // times in 100,000 events on a loaded machine), and only a keyed batch can be posted again
      // without counting twice. The isolate's 429s (too many records still publishing) pace the lanes.
      await roundTrip(
        "workerd → bridge → kafka",
        gateway.url,
        reader.url,
        names,
        events,
        tenant,
        { worker, bridge, reader, gateway },
        true,
        WORKERD_EVENTS,
        gateway.output,
      );
    },
    TIMEOUT_MS,
  );
});
