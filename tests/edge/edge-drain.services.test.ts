import { afterAll, beforeAll, expect, test } from "bun:test";
import { UpstashKafkaPublisher } from "../../src/adapters/kafka/upstash-kafka-publisher.ts";
import { MemoryPublisher } from "../../src/adapters/memory/memory-publisher.ts";
import { UpstashRedisFallback } from "../../src/adapters/redis/upstash-redis-fallback.ts";
import { UpstashRedisList } from "../../src/adapters/redis/upstash-redis-list.ts";
import { DrainLeaseHeld, FallbackDrainer } from "../../src/delivery/fallback-drainer.ts";
import { capturingLogger } from "../../src/log/logger.ts";
import { MetricsRegistry } from "../../src/metrics/registry.ts";
import type { OutboundEvent } from "../../src/ports/publisher.ts";
import { refusedUrl } from "../support/refused-port.ts";
import { describeWithServices, uniqueName } from "../support/services.ts";
import { type PrivateUpstashRedis, startPrivateUpstashRedis } from "./private-upstash-redis.ts";

/** The upstash-redis fallback list and its drainer against a real Redis behind the Upstash REST API. */

const record = (run: string, i: number): OutboundEvent => ({ eventId: `${run}-${i}`, requestId: `${run}-req-${i}`, service: "payment" });
const ids = (records: readonly object[]) => records.map((r) => (r as { eventId?: unknown }).eventId);

await describeWithServices(["redis"], "the upstash-redis fallback list and its drainer", () => {
  let redis: PrivateUpstashRedis;
  const lists: UpstashRedisList[] = [];
  const listOf = (key = uniqueName("widegate:test-fallback")) => {
    const list = new UpstashRedisList({ url: redis.url, token: redis.token, key });
    lists.push(list);
    return list;
  };

  beforeAll(async () => {
    redis = await startPrivateUpstashRedis();
  }, 30_000);

  afterAll(async () => {
    // Trimming past the end deletes a list: nothing is left in the shared Redis.
    for (const list of lists) await list.dropHead(1_000_000_000);
    await redis?.stop();
  });

  test("concurrent pushers never take the list past its bound", async () => {
    const list = listOf();
    const run = uniqueName("bound");
    const appended = await Promise.all(
      Array.from({ length: 10 }, (_, p) =>
        list.pushBounded(
          Array.from({ length: 10 }, (_, i) => JSON.stringify(record(run, p * 10 + i))),
          55,
        ),
      ),
    );
    expect(appended.reduce((a, b) => a + b, 0)).toBe(55);
    expect(await list.length()).toBe(55);
  });

  test("the fallback publisher counts and logs what does not fit, and keeps the first records in order", async () => {
    const list = listOf();
    const metrics = new MetricsRegistry();
    const log = capturingLogger();
    const fallback = new UpstashRedisFallback(list, { maxRecords: 3, metrics, log });
    const run = uniqueName("full");
    await fallback.publish([0, 1, 2, 3, 4].map((i) => record(run, i)));
    expect(metrics.value("widegate_publish_lost_events_total", { publisher: "publisher:upstash-redis", reason: "fallback_full" })).toBe(2);
    expect(log.lines.some((l) => l.level === "error" && l.line.includes("2 events lost"))).toBe(true);
    expect((await list.head(10)).map((e) => JSON.parse(e).eventId)).toEqual([`${run}-0`, `${run}-1`, `${run}-2`]);
    expect((await fallback.health()).ok).toBe(false);
  });

  test("a wrong token fails the push with reason auth", async () => {
    const list = new UpstashRedisList({ url: redis.url, token: "wrong", key: uniqueName("widegate:test-fallback"), retries: 0 });
    const fallback = new UpstashRedisFallback(list, { maxRecords: 10, log: capturingLogger() });
    await expect(fallback.publish([record("auth", 0)])).rejects.toMatchObject({ reason: "auth" });
  });

  test("the drainer produces every record once, in order, and empties the list", async () => {
    const list = listOf();
    const run = uniqueName("drain");
    const records = Array.from({ length: 250 }, (_, i) => record(run, i));
    await list.pushBounded(
      records.map((r) => JSON.stringify(r)),
      1000,
    );
    const target = new MemoryPublisher();
    expect(await new FallbackDrainer(list, target, { batch: 100 }).drainAll()).toBe(250);
    expect(ids(target.take(1000))).toEqual(ids(records));
    expect(await list.length()).toBe(0);
  });

  test("records pushed while the drainer runs are all produced once", async () => {
    const list = listOf();
    const run = uniqueName("concurrent");
    const target = new MemoryPublisher();
    const drainer = new FallbackDrainer(list, target, { batch: 37 });
    const pushers = Array.from({ length: 5 }, async (_, p) => {
      for (let chunk = 0; chunk < 10; chunk++) {
        const values = Array.from({ length: 10 }, (_, i) => JSON.stringify(record(run, p * 100 + chunk * 10 + i)));
        await list.pushBounded(values, 100_000);
      }
    });
    let done = false;
    const draining = (async () => {
      while (!done) {
        await drainer.drainOnce();
      }
    })();
    await Promise.all(pushers);
    done = true;
    await draining;
    await drainer.drainAll();
    const produced = ids(target.take(10_000));
    expect(produced.length).toBe(500);
    expect(new Set(produced).size).toBe(500);
  });

  test("a second drainer on the same list is refused while the first holds it, and takes over once it is released", async () => {
    const list = listOf();
    const run = uniqueName("lease");
    await list.pushBounded(
      [0, 1, 2, 3].map((i) => JSON.stringify(record(run, i))),
      100,
    );
    const first = new FallbackDrainer(list, new MemoryPublisher(), { batch: 2 });
    const secondTarget = new MemoryPublisher();
    const second = new FallbackDrainer(list, secondTarget, { batch: 2 });
    expect(await first.drainOnce()).toBe(2);
    await expect(second.drainOnce()).rejects.toBeInstanceOf(DrainLeaseHeld);
    expect(await list.length()).toBe(2);
    await first.release();
    expect(await second.drainAll()).toBe(2);
    expect(ids(secondTarget.take(10))).toEqual([`${run}-2`, `${run}-3`]);
  });

  test("two drainers started together on one list produce every record, none lost", async () => {
    const list = listOf();
    const run = uniqueName("two");
    await list.pushBounded(
      Array.from({ length: 600 }, (_, i) => JSON.stringify(record(run, i))),
      10_000,
    );
    const targets = [new MemoryPublisher(), new MemoryPublisher()];
    const drainers = targets.map((t) => new FallbackDrainer(list, t, { batch: 50 }));
    const outcomes = await Promise.allSettled(drainers.map((d) => d.drainAll()));
    // One holds the lease and drains everything; the other is refused at its first round.
    expect(outcomes.filter((o) => o.status === "rejected")).toHaveLength(1);
    const produced = targets.flatMap((t) => ids(t.take(10_000)));
    expect(new Set(produced).size).toBe(600);
    expect(await list.length()).toBe(0);
  });

  test("entries that are not gateway records are dropped and counted, the rest produced", async () => {
    const list = listOf();
    const run = uniqueName("invalid");
    await list.pushBounded(
      [JSON.stringify(record(run, 0)), "not json", JSON.stringify({ hello: "world" }), JSON.stringify(record(run, 1))],
      100,
    );
    const target = new MemoryPublisher();
    const metrics = new MetricsRegistry();
    await new FallbackDrainer(list, target, { metrics, log: capturingLogger() }).drainAll();
    expect(ids(target.take(10))).toEqual([`${run}-0`, `${run}-1`]);
    expect(metrics.value("widegate_edge_drain_records_total", { result: "invalid" })).toBe(2);
    expect(await list.length()).toBe(0);
  });

  test("a produce that fails keeps the whole list for the next round", async () => {
    const list = listOf();
    const run = uniqueName("down");
    await list.pushBounded(
      [0, 1, 2].map((i) => JSON.stringify(record(run, i))),
      100,
    );
    const unreachable = new UpstashKafkaPublisher({
      url: refusedUrl(),
      username: "u",
      password: "p",
      topic: "nowhere",
      retries: 0,
      requestTimeoutMs: 2000,
    });
    await expect(new FallbackDrainer(list, unreachable).drainOnce()).rejects.toThrow();
    expect(await list.length()).toBe(3);
  });
});
