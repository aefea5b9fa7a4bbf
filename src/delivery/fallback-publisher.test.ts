import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileSpool } from "../adapters/file/file-spool.ts";
import { MemoryPublisher } from "../adapters/memory/memory-publisher.ts";
import { capturingLogger } from "../log/logger.ts";
import type { OutboundEvent } from "../ports/publisher.ts";
import { FallbackPublisher } from "./fallback-publisher.ts";

const events = (n: number, from = 0): OutboundEvent[] =>
  Array.from({ length: n }, (_, i) => ({ eventId: `e${from + i}`, requestId: `r${from + i}` }));
const tempDir = () => mkdtempSync(join(tmpdir(), "widegate-spool-"));

describe("FallbackPublisher with a file spool", () => {
  test("when the primary refuses, batches are spooled, and replayed once it accepts again", async () => {
    let now = 0;
    const primary = new MemoryPublisher({ capacity: 9 });
    const spool = new FileSpool(tempDir());
    const publisher = new FallbackPublisher(primary, [spool], { cooldownMs: 1000, now: () => now, log: capturingLogger() });

    await publisher.publish(events(3)); // primary
    await publisher.publish(events(7, 3)); // primary full → spool, circuit opens
    expect(publisher.circuitOpen).toBe(true);
    await publisher.publish(events(1, 10)); // circuit open → spool without trying the primary
    expect(primary.depth).toBe(3);

    const delivered = primary.take(100).map((e) => (e as OutboundEvent).eventId); // the consumer catches up
    now += 1001;
    await publisher.publish(events(1, 11)); // probe succeeds, replay starts
    await publisher.settle();
    delivered.push(...primary.take(100).map((e) => (e as OutboundEvent).eventId));
    expect(delivered.sort()).toEqual(
      events(12)
        .map((e) => (e as OutboundEvent).eventId)
        .sort(),
    );
    expect(spool.segments()).toHaveLength(0); // replayed segments are deleted
  });

  test("if the primary and every fallback fail, publish rejects so the caller keeps the batch", async () => {
    const primary = new MemoryPublisher({ capacity: 1 });
    const second = new MemoryPublisher({ capacity: 1 });
    const publisher = new FallbackPublisher(primary, [second], { log: capturingLogger() });
    await expect(publisher.publish(events(2))).rejects.toThrow("memory queue full");
  });

  test("health stays ok while a fallback carries the traffic", async () => {
    const primary = new MemoryPublisher();
    await primary.close();
    const publisher = new FallbackPublisher(primary, [new FileSpool(tempDir())], { log: capturingLogger() });
    const health = await publisher.health();
    expect(health.ok).toBe(true);
    expect(health.detail).toContain("falling back to publisher:file");
  });
});

describe("FileSpool", () => {
  test("spooled events survive a restart and are replayed by the next process", async () => {
    const dir = tempDir();
    const first = new FileSpool(dir);
    await first.publish(events(4));
    await first.publish(events(2, 4));
    // A new instance on the same directory, as after a crash.
    const target = new MemoryPublisher();
    const replayed = await new FileSpool(dir).replayInto(target);
    expect(replayed).toBe(6);
    expect(target.take(100).map((e) => (e as OutboundEvent).eventId)).toEqual(events(6).map((e) => (e as OutboundEvent).eventId));
  });

  test("a failed replay keeps the segment for the next attempt", async () => {
    const spool = new FileSpool(tempDir());
    await spool.publish(events(3));
    const full = new MemoryPublisher({ capacity: 1 });
    await expect(spool.replayInto(full)).rejects.toThrow();
    const target = new MemoryPublisher();
    expect(await spool.replayInto(target)).toBe(3);
  });
});
