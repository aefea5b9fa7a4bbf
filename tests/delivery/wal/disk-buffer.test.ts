import { describe, expect, test } from "bun:test";
import { readdirSync, statSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { type DiskBufferOptions, DiskBufferSink } from "../../../src/delivery/wal/disk-buffer-sink.ts";
import { MetricsRegistry } from "../../../src/metrics/registry.ts";
import type { Publisher } from "../../../src/ports/publisher.ts";
import { captureLog, events, idsOf, SwitchPublisher, tempDir, until } from "./helpers.ts";

const fast = { maxDelayMs: 1, minBackoffMs: 5, maxBackoffMs: 20 };

function open(publisher: Publisher, dir: string, extra: Partial<DiskBufferOptions> = {}) {
  const log = captureLog();
  const metrics = new MetricsRegistry();
  return DiskBufferSink.open(publisher, { dir, maxBytes: 64 << 20, log, metrics, ...fast, ...extra }).then((sink) => ({
    sink,
    log,
    metrics,
  }));
}

const metric = (metrics: MetricsRegistry, name: string): number => {
  const line = metrics
    .render()
    .split("\n")
    .find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.split(" ").at(-1)) : 0;
};

const segmentFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".wal"))
    .sort();

/** Leaves a buffer on disk the way a killed process does: written, never published. */
async function leaveBuffer(dir: string, batches: number, perBatch: number, extra: Partial<DiskBufferOptions> = {}): Promise<void> {
  const down = new SwitchPublisher();
  down.up = false;
  const { sink } = await open(down, dir, extra);
  for (let b = 0; b < batches; b++) expect(await sink.submit(events(perBatch, b * perBatch))).toEqual({ ok: true });
  await sink.drain(50);
}

describe("disk buffer: append, group commit, read back", () => {
  test("concurrent submits share one fsync", async () => {
    const down = new SwitchPublisher();
    down.up = false;
    const { sink, metrics } = await open(down, tempDir());
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => sink.submit(events(2, i * 2))));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(metric(metrics, "widegate_buffer_appends_total")).toBe(50);
    expect(metric(metrics, "widegate_buffer_fsyncs_total")).toBe(1);
    await sink.drain(10);
  });

  test("a submitted batch is on disk when submit resolves", async () => {
    const down = new SwitchPublisher();
    down.up = false;
    const dir = tempDir();
    const { sink } = await open(down, dir);
    await sink.submit(events(3));
    const size = segmentFiles(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
    expect(size).toBeGreaterThan(16 * 1);
    await sink.drain(10);
  });

  test("the publisher receives every record once, in submit order", async () => {
    const publisher = new SwitchPublisher();
    const { sink } = await open(publisher, tempDir(), { maxBatch: 7 });
    for (let i = 0; i < 20; i++) await sink.submit(events(5, i * 5));
    await until(() => publisher.acknowledged.length === 100);
    expect(idsOf(publisher.acknowledged)).toEqual(idsOf(events(100)));
    await sink.drain(1000);
  });

  test("each record reaches the publisher with its own JSON from the frame, across batch and frame cuts", async () => {
    const publisher = new SwitchPublisher();
    const { sink } = await open(publisher, tempDir(), { maxBatch: 7 });
    const submitted = [];
    for (let i = 0; i < 12; i++) {
      const delta = { kind: "rollup" as const, id: `d${i}`, tenant: "t", rows: [] };
      const batch = i % 3 === 0 ? [delta, ...events(4, i * 4)] : [...events(4, i * 4), delta];
      submitted.push(...batch);
      await sink.submit(batch);
    }
    await until(() => publisher.acknowledged.length === submitted.length);
    expect(publisher.texts).toEqual(submitted.map((r) => JSON.stringify(r)));
    await sink.drain(1000);
  });

  test("records read back from disk come without texts: the publisher serialises them itself", async () => {
    const dir = tempDir();
    await leaveBuffer(dir, 3, 4);
    const publisher = new SwitchPublisher();
    const { sink } = await open(publisher, dir);
    await until(() => publisher.acknowledged.length === 12);
    expect(idsOf(publisher.acknowledged)).toEqual(idsOf(events(12)));
    expect(publisher.texts).toEqual(Array.from({ length: 12 }, () => undefined));
    await sink.drain(1000);
  });

  test("a publisher outage is retried until acknowledged, and then the segments are deleted", async () => {
    const publisher = new SwitchPublisher();
    publisher.up = false;
    const dir = tempDir();
    const { sink } = await open(publisher, dir, { segmentBytes: 2048 });
    for (let i = 0; i < 30; i++) await sink.submit(events(4, i * 4));
    expect(segmentFiles(dir).length).toBeGreaterThan(1);
    publisher.up = true;
    await until(() => publisher.acknowledged.length === 120);
    await until(() => segmentFiles(dir).length <= 1);
    expect(idsOf(publisher.acknowledged)).toEqual(idsOf(events(120)));
    await sink.drain(1000);
    expect(segmentFiles(dir)).toEqual([]);
  });

  test("a publisher further behind than the memory cache reads back from disk, in order", async () => {
    const publisher = new SwitchPublisher();
    publisher.up = false;
    const { sink } = await open(publisher, tempDir(), { cacheBytes: 1024, segmentBytes: 4096 });
    for (let i = 0; i < 40; i++) await sink.submit(events(3, i * 3));
    publisher.up = true;
    for (let i = 40; i < 50; i++) await sink.submit(events(3, i * 3));
    await until(() => publisher.acknowledged.length === 150);
    expect(idsOf(publisher.acknowledged)).toEqual(idsOf(events(150)));
    await sink.drain(1000);
  });
});

describe("disk buffer: restart", () => {
  test("shutdown with the publisher down keeps the events and says how many", async () => {
    const down = new SwitchPublisher();
    down.up = false;
    const dir = tempDir();
    const { sink, log } = await open(down, dir);
    await sink.submit(events(12));
    await sink.drain(50);
    expect(log.lines.join("\n")).toContain("12 events and 0 rollup deltas not yet acknowledged");
    expect(segmentFiles(dir).length).toBe(1);
  });

  test("the next start publishes what an earlier run left, before new events", async () => {
    const dir = tempDir();
    await leaveBuffer(dir, 5, 10);
    const publisher = new SwitchPublisher();
    publisher.up = false;
    const { sink, log, metrics } = await open(publisher, dir);
    expect(log.lines.join("\n")).toContain("replaying 50 events");
    expect(metric(metrics, "widegate_buffer_replay_remaining_events")).toBe(50);
    await sink.submit(events(5, 50));
    publisher.up = true;
    await until(() => publisher.acknowledged.length === 55);
    expect(idsOf(publisher.acknowledged)).toEqual(idsOf(events(55)));
    await until(() => log.lines.some((l) => l.includes("replay done")));
    expect(metric(metrics, "widegate_buffer_replay_remaining_events")).toBe(0);
    await sink.drain(1000);
  });

  test("rollup deltas are replayed with their ids", async () => {
    const dir = tempDir();
    const down = new SwitchPublisher();
    down.up = false;
    const first = await open(down, dir);
    const delta = { kind: "rollup" as const, id: "delta-1", tenant: "t", rows: [] };
    await first.sink.submit([...events(2), delta]);
    await first.sink.drain(20);
    const publisher = new SwitchPublisher();
    const second = await open(publisher, dir);
    await until(() => publisher.acknowledged.length === 3);
    expect(idsOf(publisher.acknowledged)).toEqual(["e0", "e1", "delta:delta-1"]);
    await second.sink.drain(1000);
  });
});

describe("disk buffer: torn and corrupt segments", () => {
  test("a segment cut mid-frame keeps its whole frames and reports the rest", async () => {
    const dir = tempDir();
    await leaveBuffer(dir, 4, 10);
    const [file] = segmentFiles(dir);
    const path = join(dir, file as string);
    truncateSync(path, statSync(path).size - 7);
    const publisher = new SwitchPublisher();
    const { sink, log, metrics } = await open(publisher, dir);
    await until(() => publisher.acknowledged.length === 30 && segmentFiles(dir).length === 0);
    expect(idsOf(publisher.acknowledged)).toEqual(idsOf(events(30)));
    expect(metric(metrics, "widegate_buffer_corrupt_bytes_total")).toBeGreaterThan(0);
    expect(log.lines.join("\n")).toContain("torn write");
    await sink.drain(1000);
  });

  test("a flipped byte in one frame skips that frame only", async () => {
    const dir = tempDir();
    await leaveBuffer(dir, 3, 10);
    const [file] = segmentFiles(dir);
    const path = join(dir, file as string);
    const bytes = new Uint8Array(await Bun.file(path).arrayBuffer());
    const view = new DataView(bytes.buffer);
    const second = 16 + view.getUint32(0, true); // where the second frame starts
    const frameBytes = 16 + view.getUint32(second, true);
    bytes[second + 40] = (bytes[second + 40] as number) ^ 0xff;
    await Bun.write(path, bytes);
    const publisher = new SwitchPublisher();
    const { sink, log, metrics } = await open(publisher, dir);
    await until(() => publisher.acknowledged.length === 20 && segmentFiles(dir).length === 0);
    expect(idsOf(publisher.acknowledged)).toEqual([...idsOf(events(10)), ...idsOf(events(10, 20))]);
    expect(metric(metrics, "widegate_buffer_corrupt_bytes_total")).toBe(frameBytes);
    expect(log.lines.join("\n")).toContain("checksum mismatch, 10 events by its header");
    await sink.drain(1000);
  });

  test("a segment of garbage does not stop start-up", async () => {
    const dir = tempDir();
    await leaveBuffer(dir, 1, 5);
    await Bun.write(join(dir, "000000000099.wal"), new Uint8Array(100).fill(0xab));
    const publisher = new SwitchPublisher();
    const { sink } = await open(publisher, dir);
    await until(() => publisher.acknowledged.length === 5 && segmentFiles(dir).length === 0);
    await sink.submit(events(1, 5));
    await until(() => publisher.acknowledged.length === 6);
    await sink.drain(1000);
  });
});

describe("disk buffer: BUFFER_MAX_BYTES", () => {
  test("a full buffer refuses with a retry delay", async () => {
    const down = new SwitchPublisher();
    down.up = false;
    const { sink } = await open(down, tempDir(), { maxBytes: 4096 });
    let refused: unknown;
    for (let i = 0; i < 100 && refused === undefined; i++) {
      const result = await sink.submit(events(10, i * 10));
      if (!result.ok) refused = result;
    }
    expect(refused).toMatchObject({ ok: false, reason: expect.stringContaining("BUFFER_MAX_BYTES") });
    expect((refused as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(sink.room(1).ok).toBe(false);
    await sink.drain(10);
  });

  test("room comes back once the publisher catches up", async () => {
    const publisher = new SwitchPublisher();
    publisher.up = false;
    const { sink } = await open(publisher, tempDir(), { maxBytes: 4096, segmentBytes: 1024 });
    while ((await sink.submit(events(10))).ok) {}
    publisher.up = true;
    await until(() => sink.room(1).ok);
    await sink.drain(1000);
  });
});

describe("disk buffer: leftovers", () => {
  test("an empty segment left by a run that died before its first append is removed at start", async () => {
    const dir = tempDir();
    await leaveBuffer(dir, 1, 3);
    await Bun.write(join(dir, "000000000007.wal"), "");
    const publisher = new SwitchPublisher();
    const { sink, log } = await open(publisher, dir);
    await until(() => publisher.acknowledged.length === 3);
    await until(() => log.lines.some((l) => l.includes("replay done")));
    expect(segmentFiles(dir)).toEqual([]);
    await sink.drain(1000);
  });
});
