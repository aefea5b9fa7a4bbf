import { describe, expect, test } from "bun:test";
import type { BatchSource } from "../../src/consumer/batch-source.ts";
import { EventWorker } from "../../src/consumer/event-worker.ts";
import { MemoryDeadLetterSink } from "../../src/consumer/memory-dead-letter-sink.ts";
import type { CommitOffset, SourceMessage } from "../../src/consumer/messages.ts";
import { capturingLogger } from "../../src/log/logger.ts";
import { MetricsRegistry } from "../../src/metrics/registry.ts";
import { FlakyStore, makeEvent } from "../support/flaky-store.ts";

/** A partition log in memory behind the BatchSource port: what was handed out, and what was committed. */
class MemorySource implements BatchSource {
  readonly log: SourceMessage[] = [];
  readonly commits: CommitOffset[][] = [];
  private position = 0;
  private interrupted = false;
  closed = false;

  append(count: number): void {
    for (let i = 0; i < count; i++) {
      const offset = this.log.length;
      this.log.push({
        topic: "t",
        partition: 0,
        offset: BigInt(offset),
        key: `r${offset}`,
        value: new TextEncoder().encode(JSON.stringify(makeEvent(offset))),
        timestamp: 0n,
      });
    }
  }
  async start() {}
  async next(max: number, maxWaitMs: number): Promise<SourceMessage[]> {
    const deadline = Date.now() + maxWaitMs;
    while (!this.interrupted && this.position >= this.log.length && Date.now() < deadline) await Bun.sleep(2);
    if (this.interrupted) return [];
    const batch = this.log.slice(this.position, this.position + max);
    this.position += batch.length;
    return batch;
  }
  interrupt() {
    this.interrupted = true;
  }
  async commit(offsets: readonly CommitOffset[]) {
    this.commits.push([...offsets]);
  }
  async lag() {
    const committed = Number(this.commits.at(-1)?.[0]?.offset ?? 0n);
    return [{ topic: "t", partition: 0, lag: this.log.length - committed }];
  }
  assigned() {
    return 1;
  }
  async close() {
    this.closed = true;
  }
}

function setup(stopGraceMs = 1000) {
  const source = new MemorySource();
  const store = new FlakyStore();
  const metrics = new MetricsRegistry();
  const worker = new EventWorker({
    source,
    store,
    deadLetters: new MemoryDeadLetterSink(),
    metrics,
    batchSize: 10,
    batchMs: 5,
    stopGraceMs,
    lagIntervalMs: 10,
    minBackoffMs: 5,
    maxBackoffMs: 20,
    log: capturingLogger(),
  });
  return { source, store, metrics, worker };
}
const until = async (check: () => boolean | Promise<boolean>, ms = 3000) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await Bun.sleep(5);
  }
};

describe("EventWorker", () => {
  test("commits each batch after it is stored, and reports lag", async () => {
    const { source, store, metrics, worker } = setup();
    source.append(25);
    await worker.start();
    await until(async () => (await store.count()) === 25 && source.commits.at(-1)?.[0]?.offset === 25n);
    expect(source.commits.map((c) => c[0]?.offset)).toEqual([10n, 20n, 25n]);
    await until(() => metrics.value("widegate_worker_consumer_lag_sum") === 0);
    expect(metrics.value("widegate_worker_messages_total", { result: "stored" })).toBe(25);
    await worker.stop();
    expect(source.closed).toBe(true);
  });

  test("while the store is down it pauses and commits nothing; then it catches up", async () => {
    const { source, store, metrics, worker } = setup();
    store.down = true;
    source.append(15);
    await worker.start();
    await until(() => metrics.value("widegate_worker_paused") === 1);
    await Bun.sleep(50);
    expect(source.commits).toEqual([]);
    store.down = false;
    await until(async () => (await store.count()) === 15 && source.commits.length === 2);
    expect(metrics.value("widegate_worker_paused")).toBe(0);
    await worker.stop();
  });

  test("stop finishes the batch in hand and commits it, or gives it up uncommitted after the grace period", async () => {
    const graceful = setup();
    graceful.source.append(5);
    await graceful.worker.start();
    await until(() => graceful.source.commits.length === 1);
    await graceful.worker.stop();
    expect(graceful.worker.state).toBe("stopped");

    const stuck = setup(30);
    stuck.store.down = true;
    stuck.source.append(5);
    await stuck.worker.start();
    await until(() => stuck.metrics.value("widegate_worker_paused") === 1);
    await stuck.worker.stop();
    expect(stuck.source.commits).toEqual([]);
    expect(stuck.worker.state).toBe("stopped");
  });
});
