/**
 * bench:pipeline — sustained events/s from HTTP ingest to documents in MongoDB (gateway on Bun →
 * Kafka → worker → FerretDB/MongoDB), against the same run's ceiling: raw insertMany of the very
 * documents the pipeline stored, into a fresh collection with the same indexes in the same database,
 * in batches of the worker's size, one batch at a time as the worker writes.
 *
 *   npm run bench:pipeline [-- events=20000 rounds=3 publisher=kafka|upstash-kafka batch=1000 concurrency=4 rollupFlushMs=5000 keep=1]
 *
 * Each round starts fresh processes (the gateway with a DATA_DIR of its own), topic and database,
 * runs the pipeline, then the ceiling right after it; medians over the rounds are reported, so load
 * on a shared machine hits both sides alike. keep=1 leaves a failing round's database and topic.
 *
 * The gateway counts every event into rollups and publishes them as the Bun gateway does: one delta
 * per tenant per ROLLUP_FLUSH_MS (default 5 s; rollupFlushMs=N changes it), rows = groups touched,
 * on the same topic as the events. The worker applies them with the events, so the pipeline is only
 * done when the last event is a document AND the rollup rows in MongoDB count every posted event.
 * Needs Kafka and MongoDB/FerretDB (npm run services:up -- kafka ferretdb); cleans up after itself.
 */
import { Admin } from "@platformatic/kafka";
import { MongoEventStore } from "../src/adapters/mongo/mongo-event-store.ts";
import { makeBatch } from "./fixtures.ts";
import { type Proc, spawnEntry, spawnGateway, workerMetric } from "./pipeline-procs.ts";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split("=") as [string, string]));
const EVENTS = Number(args.events ?? 20_000);
const ROUNDS = Number(args.rounds ?? 3);
const PER_REQUEST = 1000;
const CONCURRENCY = Number(args.concurrency ?? 4);
const BATCH = Number(args.batch ?? 1000);
const PUBLISHER = args.publisher ?? "kafka";
const ROLLUP_FLUSH_MS = args.rollupFlushMs ?? "5000";
/** keep=1: a failing round leaves its database and topic in place, to be inspected. */
const KEEP = args.keep === "1";
const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? "127.0.0.1:9092";
const MONGODB_URI = process.env.MONGODB_URI ?? "mongodb://127.0.0.1:27017";
const STORED = 'widegate_worker_messages_total{result="stored"}';
const DELTAS_APPLIED = 'widegate_rollup_deltas_total{path="worker",result="applied"}';
const DELTAS_DUPLICATE = 'widegate_rollup_deltas_total{path="worker",result="duplicate"}';
const ROLLUP_FROM = Date.UTC(2026, 10, 26, 0, 0, 0); // the fixtures' events start at 03:00 that day
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const bodies = Array.from({ length: Math.ceil(EVENTS / PER_REQUEST) }, (_, b) =>
  new TextEncoder().encode(makeBatch(PER_REQUEST, b * PER_REQUEST)),
);

interface Round {
  /** Events/s until the last event is stored and the rollups count every event. */
  pipeline: number;
  /** Events/s until the last event is stored (events alone). */
  eventsOnly: number;
  deltas: number;
  rollupRows: number;
  rollupLagSeconds: number;
  steady: number;
  ceiling: number;
  ingestSeconds: number;
  bytes: number;
}

async function startPipeline(topic: string, db: string): Promise<{ worker: Proc; gateway: Proc; procs: Proc[] }> {
  const common = { KAFKA_BROKERS, KAFKA_TOPIC: topic, KAFKA_DLQ_TOPIC: `${topic}-dlq` };
  const worker = await spawnEntry("worker/consumer.ts", {
    ...common,
    WORKER_PORT: "0",
    WORKER_GROUP_ID: `${topic}-workers`,
    WORKER_BATCH_SIZE: String(BATCH),
    EVENT_STORE: "mongo",
    MONGODB_URI,
    MONGODB_DB: db,
    MONGODB_COLLECTION: "events",
    MONGODB_ROLLUP_COLLECTION: "rollups",
  });
  const procs = [worker];
  const credentials = { UPSTASH_KAFKA_REST_USERNAME: "bench", UPSTASH_KAFKA_REST_PASSWORD: "bench-secret" };
  let publisherEnv: Record<string, string> = { PUBLISHER: "kafka" };
  if (PUBLISHER === "upstash-kafka") {
    const bridge = await spawnEntry("worker/bridge.ts", { KAFKA_BROKERS, BRIDGE_PORT: "0", ...credentials });
    procs.push(bridge);
    publisherEnv = { PUBLISHER: "upstash-kafka", UPSTASH_KAFKA_REST_URL: bridge.url, ...credentials };
  }
  // Every event kept (rate 1), so every posted event must become a document. Its own disk buffer:
  // a shared one would replay the previous round's deltas into this round's database.
  const gateway = await spawnGateway({
    ...common,
    ...publisherEnv,
    PORT: "0",
    EVENT_STORE: "memory",
    SAMPLING_NORMAL_RATE: "1",
    ROLLUP_FLUSH_MS,
  });
  procs.push(gateway);
  return { worker, gateway, procs };
}

async function round(index: number, admin: Admin): Promise<Round> {
  const topic = `bench-${Date.now().toString(36)}-${index}`;
  const db = topic.replace(/-/g, "_");
  await admin.createTopics({ topics: [topic], partitions: 3, replicas: 1 });
  const { worker, gateway, procs } = await startPipeline(topic, db);
  // The worker's collections (MONGODB_COLLECTION, MONGODB_ROLLUP_COLLECTION above).
  const store = new MongoEventStore({
    uri: MONGODB_URI,
    db,
    collection: "events",
    rollupCollection: "rollups",
    retentionDays: 30,
    pruneIntervalMs: 0,
  });
  const ceilingStore = new MongoEventStore({ uri: MONGODB_URI, db, collection: "ceiling", retentionDays: 30 });
  let failed = false;
  try {
    // 1. The pipeline: post every event from CONCURRENCY clients; time until the last one is a document.
    const marks: Array<[number, number]> = [];
    let next = 0;
    let ingestDone = 0;
    const started = performance.now();
    const post = async () => {
      while (next < bodies.length) {
        const res = await fetch(`${gateway.url}/v1/events`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: bodies[next++],
        });
        if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
      }
    };
    const posting = Promise.all(Array.from({ length: CONCURRENCY }, post)).then(() => {
      ingestDone = performance.now();
    });
    for (;;) {
      const stored = await workerMetric(worker.url, STORED);
      marks.push([performance.now(), stored]);
      if (stored >= EVENTS) break;
      if (performance.now() - started > 600_000) throw new Error(`only ${stored}/${EVENTS} stored after 10 minutes`);
      await Bun.sleep(25);
    }
    await posting;
    const eventsDone = performance.now();
    // The rollups: done when the minute rows and the hour rows (the store's last step) both count
    // every posted event (the last delta leaves the gateway at its next flush, at most
    // ROLLUP_FLUSH_MS after the last POST).
    await store.init();
    let counted = 0;
    let rollupRows = 0;
    const read = (resolution: "minute" | "hour") =>
      store.readRollups({ tenant: "default", resolution, from: ROLLUP_FROM, to: ROLLUP_FROM + 86_400_000 });
    for (;;) {
      const [minutes, hours] = await Promise.all([read("minute"), read("hour")]);
      counted = Math.min(
        minutes.reduce((n, r) => n + r.count, 0),
        hours.reduce((n, r) => n + r.count, 0),
      );
      rollupRows = minutes.length;
      if (counted >= EVENTS) break;
      if (performance.now() - started > 600_000) throw new Error(`rollups count ${counted}/${EVENTS} after 10 minutes`);
      await Bun.sleep(25);
    }
    if (counted !== EVENTS) {
      failed = true;
      throw new Error(`rollups count ${counted}, not ${EVENTS} (database ${db}, topic ${topic})`);
    }
    const finished = performance.now();
    const deltas = await workerMetric(worker.url, DELTAS_APPLIED);
    const at = (fraction: number) => marks.find(([, n]) => n >= EVENTS * fraction)?.[0] ?? finished;

    // 2. The ceiling, right after: the same documents, raw insertMany, same batch size, database and indexes.
    await ceilingStore.init();
    const docs = await store.collection.find({}).toArray();
    if (docs.length !== EVENTS) throw new Error(`expected ${EVENTS} documents, found ${docs.length}`);
    const ceilingStarted = performance.now();
    for (let i = 0; i < docs.length; i += BATCH) await ceilingStore.collection.insertMany(docs.slice(i, i + BATCH), { ordered: false });
    const ceiling = EVENTS / ((performance.now() - ceilingStarted) / 1000);

    // 3. Still exact later (not timed): the wait above stops at the first exact count, so a delta
    // counted twice could land after it. Read again once the gateway's last flush (at most
    // ROLLUP_FLUSH_MS after the last POST) is in and the worker has handled no new delta for 1 s.
    const handled = async () => (await workerMetric(worker.url, DELTAS_APPLIED)) + (await workerMetric(worker.url, DELTAS_DUPLICATE));
    while (performance.now() - ingestDone < 2 * Number(ROLLUP_FLUSH_MS)) await Bun.sleep(100);
    for (let before = -1, now = await handled(); now !== before; now = await handled()) {
      before = now;
      await Bun.sleep(1000);
    }
    const [minutes, hours] = await Promise.all([read("minute"), read("hour")]);
    const later = [minutes, hours].map((rows) => rows.reduce((n, r) => n + r.count, 0));
    if (later.some((n) => n !== EVENTS)) {
      failed = true;
      throw new Error(
        `rollups count ${later.join(" (minutes), ")} (hours) after the last flush, not ${EVENTS} (database ${db}, topic ${topic})`,
      );
    }
    return {
      pipeline: EVENTS / ((finished - started) / 1000),
      eventsOnly: EVENTS / ((eventsDone - started) / 1000),
      deltas,
      rollupRows,
      rollupLagSeconds: (finished - eventsDone) / 1000,
      steady: (EVENTS * 0.8) / ((at(0.9) - at(0.1)) / 1000),
      ceiling,
      ingestSeconds: (ingestDone - started) / 1000,
      bytes: docs.reduce((n, d) => n + JSON.stringify(d).length, 0) / docs.length,
    };
  } finally {
    for (const p of procs) p.kill();
    if (KEEP && failed) console.log(`  kept database ${db} and topic ${topic} (keep=1)`);
    else {
      await store.client
        .db(db)
        .dropDatabase()
        .catch(() => {});
      await admin.deleteTopics({ topics: [topic, `${topic}-dlq`] }).catch(() => {});
    }
    await Promise.all([store.close(), ceilingStore.close()]);
  }
}

const admin = new Admin({ clientId: "bench", bootstrapBrokers: KAFKA_BROKERS.split(",") });
const rounds: Round[] = [];
try {
  for (let i = 0; i < ROUNDS; i++) {
    const r = await round(i, admin);
    rounds.push(r);
    console.log(
      `  round ${i + 1}: pipeline ${fmt(r.pipeline)} events/s (steady ${fmt(r.steady)}; events alone ${fmt(r.eventsOnly)}), ceiling ${fmt(r.ceiling)} docs/s, ` +
        `ratio ${((100 * r.pipeline) / r.ceiling).toFixed(1)}%, HTTP ingest done in ${r.ingestSeconds.toFixed(2)} s; ` +
        `${r.deltas} rollup deltas applied, ${r.rollupRows} minute rows counting all ${fmt(EVENTS)} events ${r.rollupLagSeconds.toFixed(2)} s after the last event was stored`,
    );
  }
} finally {
  await admin.close().catch(() => {});
}

const ceiling = median(rounds.map((r) => r.ceiling));
const pipeline = median(rounds.map((r) => r.pipeline));
const steady = median(rounds.map((r) => r.steady));
const eventsOnly = median(rounds.map((r) => r.eventsOnly));
const pct = (n: number) => `${((100 * n) / ceiling).toFixed(1)}% of ceiling`;
console.log(
  `bench:pipeline — Bun ${Bun.version}, ${navigator.hardwareConcurrency} cores, ${ROUNDS} rounds × ${fmt(EVENTS)} events ` +
    `(~${fmt(median(rounds.map((r) => r.bytes)))} bytes as stored), publisher=${PUBLISHER}, worker batch ${BATCH}, ` +
    `${CONCURRENCY} HTTP clients × ${PER_REQUEST} events/request, ROLLUP_FLUSH_MS=${ROLLUP_FLUSH_MS}; medians:`,
);
console.log(`  ceiling   raw insertMany, same docs/db/indexes, batches of ${BATCH}  ${fmt(ceiling).padStart(9)} docs/s`);
console.log(
  `  pipeline  first POST → last document and rollups exact   ${fmt(pipeline).padStart(9)} events/s  = ${pct(pipeline)} (target ≥ 70%)`,
);
console.log(`  pipeline  first POST → last document (events alone)      ${fmt(eventsOnly).padStart(9)} events/s  = ${pct(eventsOnly)}`);
console.log(`  pipeline  steady state (10% → 90% of documents stored)   ${fmt(steady).padStart(9)} events/s  = ${pct(steady)}`);
process.exit(0);
