import { describe, expect, test } from "bun:test";
import { capturingLogger } from "../log/logger.ts";
import { MetricsRegistry } from "../metrics/registry.ts";
import type { HealthStatus } from "../ports/health.ts";
import type { OutboundEvent, Publisher } from "../ports/publisher.ts";
import { BatchingSink } from "./batching-sink.ts";

/** A publisher that records batches and fails while `down` is set: a stand-in for a broker, not a client mock. */
class RecordingPublisher implements Publisher {
  readonly name = "publisher:recording";
  batches: OutboundEvent[][] = [];
  down = false;
  attempts = 0;
  async publish(events: readonly OutboundEvent[]): Promise<void> {
    this.attempts++;
    if (this.down) throw new Error("broker unavailable");
    this.batches.push([...events]);
  }
  async health(): Promise<HealthStatus> {
    return { ok: !this.down };
  }
  async close(): Promise<void> {}
  get published(): string[] {
    return this.batches.flat().map((e) => e.eventId);
  }
}

const events = (n: number, from = 0): OutboundEvent[] =>
  Array.from({ length: n }, (_, i) => ({ eventId: `e${from + i}`, requestId: `r${from + i}` }));

describe("BatchingSink", () => {
  test("submit returns before anything is published", () => {
    const publisher = new RecordingPublisher();
    const sink = new BatchingSink(publisher, { log: capturingLogger(), maxDelayMs: 1000 });
    expect(sink.submit(events(3))).toEqual({ ok: true });
    expect(publisher.attempts).toBe(0);
    expect(sink.depth).toBe(3);
  });

  test("a partial batch is flushed after maxDelayMs", async () => {
    const publisher = new RecordingPublisher();
    const sink = new BatchingSink(publisher, { log: capturingLogger(), maxDelayMs: 20 });
    sink.submit(events(3));
    await Bun.sleep(80);
    expect(publisher.batches).toHaveLength(1);
    expect(publisher.published).toEqual(["e0", "e1", "e2"]);
  });

  test("a full batch is flushed at once, in batches of maxBatch, in order", async () => {
    const publisher = new RecordingPublisher();
    const sink = new BatchingSink(publisher, { log: capturingLogger(), maxBatch: 10, maxDelayMs: 10_000 });
    sink.submit(events(25));
    await Bun.sleep(30);
    expect(publisher.batches.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(publisher.published).toEqual(events(25).map((e) => e.eventId));
  });

  test("a failed publish is retried with backoff and nothing is lost or reordered", async () => {
    const publisher = new RecordingPublisher();
    const log = capturingLogger();
    const sink = new BatchingSink(publisher, { log, maxBatch: 5, maxDelayMs: 5, minBackoffMs: 10, maxBackoffMs: 40 });
    publisher.down = true;
    sink.submit(events(12));
    await Bun.sleep(120);
    expect(publisher.attempts).toBeGreaterThan(2);
    expect(publisher.batches).toHaveLength(0);
    sink.submit(events(3, 12));
    publisher.down = false;
    await sink.drain();
    expect(publisher.published).toEqual(events(15).map((e) => e.eventId));
    // One line per backoff step (10, 20, 40 ms), not one per attempt at the longest, then one on recovery.
    expect(log.lines.filter((l) => l.level === "warn").map((l) => l.line.match(/retrying in (\d+) ms/)?.[1])).toEqual(["10", "20", "40"]);
    expect(log.lines.at(-1)?.line).toMatch(/recovered after \d+ failed attempts/);
  });

  test("a full queue answers with backpressure instead of growing", () => {
    const sink = new BatchingSink(new RecordingPublisher(), { log: capturingLogger(), maxQueued: 10, maxDelayMs: 10_000 });
    expect(sink.submit(events(8))).toEqual({ ok: true });
    const refused = sink.submit(events(5, 8));
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(sink.depth).toBe(8);
  });

  test("drain publishes everything queued, and fails loudly if the publisher stays down", async () => {
    const publisher = new RecordingPublisher();
    const sink = new BatchingSink(publisher, { log: capturingLogger(), maxDelayMs: 10_000, minBackoffMs: 5, maxBackoffMs: 10 });
    sink.submit(events(7));
    await sink.drain();
    expect(publisher.published).toHaveLength(7);
    publisher.down = true;
    sink.submit(events(2, 7));
    await expect(sink.drain(100)).rejects.toThrow("2 events still unpublished");
  });

  test("counts published events and failures, and reports queue depth", async () => {
    const metrics = new MetricsRegistry();
    const publisher = new RecordingPublisher();
    const sink = new BatchingSink(publisher, { log: capturingLogger(), metrics, maxDelayMs: 10_000 });
    sink.submit(events(4));
    expect(metrics.render()).toContain("widegate_publish_queue_depth 4");
    await sink.drain();
    expect(metrics.value("widegate_publish_events_total", { publisher: "publisher:recording", result: "ok" })).toBe(4);
  });
});
