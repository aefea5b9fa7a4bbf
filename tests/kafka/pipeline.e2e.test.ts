import { afterAll, beforeAll, expect, test } from "bun:test";
import {
  BRIDGE_PASSWORD,
  BRIDGE_USER,
  createTopic,
  deleteTopics,
  metric,
  openEvents,
  pipelineNames,
  startBridge,
  startWorker,
  waitFor,
} from "../support/kafka-pipeline.ts";
import { describeWithServices, serviceEnv, uniqueName } from "../support/services.ts";
import { type RunningServer, spawnServer } from "../support/spawn-server.ts";
import { type RunningWorker, startWorkerd } from "../support/workerd.ts";

const DUPLICATE = 'widegate_worker_messages_total{result="duplicate"}';
const AUTH = { authorization: "Bearer e2e-key", "content-type": "application/json" };

interface Decision {
  eventId: string;
  kept: boolean;
  reason: string;
  rate: number;
}

/** A batch with stable eventIds (requestId + timestamp given), errors, slow calls and normal traffic. */
function batch(label: string, count = 200): string {
  return JSON.stringify(
    Array.from({ length: count }, (_, i) => ({
      requestId: `${label}-req-${i}`,
      timestamp: new Date(Date.UTC(2026, 10, 26, 3, 0, 0, i)).toISOString(),
      service: i % 2 ? "payment" : "search",
      route: "/api/payments",
      method: "POST",
      statusCode: i % 10 === 0 ? 502 : 200,
      durationMs: i % 25 === 0 ? 3000 : 20,
      user: { id: `u_${i}` },
    })),
  );
}

await describeWithServices(["kafka", "ferretdb"], "pipeline end to end: gateway → Kafka → worker → MongoDB", () => {
  const names = pipelineNames("e2e");
  let bridge: RunningServer;
  let worker: RunningServer;
  const gateways: Array<{ stop: () => Promise<unknown> }> = [];
  let events: Awaited<ReturnType<typeof openEvents>>;

  const gatewayEnv = {
    KAFKA_BROKERS: serviceEnv.KAFKA_BROKERS,
    KAFKA_TOPIC: names.topic,
    INGEST_API_KEYS: "e2e-key:acme",
    EVENT_STORE: "memory",
    SAMPLING_NORMAL_RATE: "0.5",
  };

  beforeAll(async () => {
    await createTopic(names.topic);
    events = await openEvents(names.db);
    [bridge, worker] = await Promise.all([startBridge(), startWorker(names)]);
  }, 60_000);

  afterAll(async () => {
    for (const gateway of gateways) await gateway.stop().catch(() => {});
    await Promise.all([bridge?.stop("SIGKILL"), worker?.stop("SIGKILL")]);
    await events?.drop();
    await deleteTopics([names.topic, names.dlq]);
  });

  /** Posts a batch, checks every kept event lands once with its sampling, re-posts it and checks nothing is added. */
  async function roundTrip(baseUrl: string, label: string): Promise<void> {
    const body = batch(label);
    const post = () => fetch(`${baseUrl}/v1/events?explain=1`, { method: "POST", headers: AUTH, body });
    const first = await post();
    expect(first.status).toBe(202);
    const answer = (await first.json()) as { accepted: number; kept: number; dropped: number; decisions: Decision[] };
    const kept = answer.decisions.filter((d) => d.kept);
    expect(kept.length).toBe(answer.kept);
    expect(answer.dropped).toBeGreaterThan(0); // sampling really ran: some normal traffic was dropped
    const ids = answer.decisions.map((d) => d.eventId);
    const stored = async () => events.collection.countDocuments({ eventId: { $in: ids } });

    await waitFor(`${kept.length} kept events from ${label} in MongoDB`, async () => (await stored()) === kept.length, 60_000);
    const docs = await events.collection.find({ eventId: { $in: ids } }).toArray();
    const byId = new Map(docs.map((d) => [d.eventId, d]));
    for (const decision of kept) {
      expect(byId.get(decision.eventId)?.sampling).toEqual({ reason: decision.reason, rate: decision.rate });
      expect(byId.get(decision.eventId)?.tenant).toBe("acme");
    }

    // The same batch again: the same eventIds, so the worker only finds duplicates.
    const duplicatesBefore = await metric(worker.url, DUPLICATE);
    const again = await post();
    expect(again.status).toBe(202);
    const keptAgain = ((await again.json()) as { kept: number }).kept;
    // An EXEMPLAR is kept only while its group and minute has no stored event: not again on a re-post.
    const exemplars = kept.filter((d) => d.reason === "EXEMPLAR").length;
    expect(keptAgain).toBe(kept.length - exemplars);
    await waitFor(
      "the re-posted batch seen as duplicates",
      async () => (await metric(worker.url, DUPLICATE)) >= duplicatesBefore + keptAgain,
      60_000,
    );
    expect(await stored()).toBe(kept.length);
  }

  test("Bun gateway with PUBLISHER=kafka (native)", async () => {
    const gateway = await spawnServer("edge/bun-server.ts", { ...gatewayEnv, PUBLISHER: "kafka" });
    gateways.push(gateway);
    await roundTrip(gateway.url, uniqueName("bun-native"));
  }, 90_000);

  test("Bun gateway with PUBLISHER=upstash-kafka through the bridge", async () => {
    const gateway = await spawnServer("edge/bun-server.ts", {
      ...gatewayEnv,
      PUBLISHER: "upstash-kafka",
      UPSTASH_KAFKA_REST_URL: bridge.url,
      UPSTASH_KAFKA_REST_USERNAME: BRIDGE_USER,
      UPSTASH_KAFKA_REST_PASSWORD: BRIDGE_PASSWORD,
    });
    gateways.push(gateway);
    await roundTrip(gateway.url, uniqueName("bun-upstash"));
  }, 90_000);

  test("workerd gateway with PUBLISHER=upstash-kafka through the bridge", async () => {
    const gateway: RunningWorker = await startWorkerd({
      ...gatewayEnv,
      PUBLISHER: "upstash-kafka",
      UPSTASH_KAFKA_REST_URL: bridge.url,
      UPSTASH_KAFKA_REST_USERNAME: BRIDGE_USER,
      UPSTASH_KAFKA_REST_PASSWORD: BRIDGE_PASSWORD,
    });
    gateways.push(gateway);
    await roundTrip(gateway.url, uniqueName("workerd-upstash"));
  }, 150_000);
});
