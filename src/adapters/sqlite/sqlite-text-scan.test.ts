import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OutboundEvent } from "../../ports/publisher.ts";
import { SqliteEventStore } from "./sqlite-event-store.ts";

const dir = mkdtempSync(join(tmpdir(), "widegate-text-scan-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2026, 10, 26);
// 2,000 events of tenant acme, newest first by index; every 100th says "needle".
const events: OutboundEvent[] = Array.from({ length: 2000 }, (_, i) => ({
  eventId: `ev-${String(i).padStart(5, "0")}`,
  requestId: `r${i}`,
  tenant: "acme",
  service: "api",
  timestamp: new Date(T0 - i * 1000).toISOString(),
  receivedAt: new Date(T0).toISOString(),
  message: i % 100 === 0 ? `found the needle ${i}` : `haystack ${i}`,
  sampling: { reason: "SAMPLED_NORMAL", rate: 1 },
}));

describe("q search on the embedded store", async () => {
  const store = new SqliteEventStore(dir, { textScan: { chunkRows: 100, maxRows: 500 } });
  await store.insertMany(events);
  const scope = { tenant: "acme" };

  test("a scan past its row budget answers what it found, a cursor and a SCAN_LIMIT warning", async () => {
    const page = await store.find({ q: "needle", limit: 50 }, scope);
    expect(page.events.map((e) => e.message)).toEqual([
      "found the needle 0",
      "found the needle 100",
      "found the needle 200",
      "found the needle 300",
      "found the needle 400",
    ]);
    expect(page.nextCursor).not.toBeNull();
    expect(page.warnings?.[0]?.code).toBe("SCAN_LIMIT");
  });

  test("following the cursors finds every match once, in order", async () => {
    const found: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 20; i++) {
      const page = await store.find({ q: "needle", limit: 50, ...(cursor ? { cursor } : {}) }, scope);
      found.push(...page.events.map((e) => String(e.eventId)));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(found).toEqual(events.filter((e) => String(e.message).includes("needle")).map((e) => e.eventId));
  });

  test("a full page within the budget has no warning", async () => {
    const page = await store.find({ q: "haystack", limit: 10 }, scope);
    expect(page.events).toHaveLength(10);
    expect(page.warnings).toBeUndefined();
    expect(page.nextCursor).not.toBeNull();
  });

  test("other work runs between chunks of a scan", async () => {
    let scanDone = false;
    let ranDuringScan = false;
    const scan = store.find({ q: "nothing matches this", limit: 10 }, scope).then(() => {
      scanDone = true;
    });
    setImmediate(() => {
      ranDuringScan = !scanDone;
    });
    await scan;
    expect(ranDuringScan).toBe(true);
  });

  test("with a zero turn budget, concurrent scans each still finish with the answer of a lone scan", async () => {
    const tight = new SqliteEventStore(dir, { textScan: { chunkRows: 100, maxRows: 5000, turnBudgetMs: 0 } });
    const lone = await tight.find({ q: "needle", limit: 50 }, scope);
    const together = await Promise.all(Array.from({ length: 5 }, () => tight.find({ q: "needle", limit: 50 }, scope)));
    for (const page of together) expect(page.events.map((e) => e.eventId)).toEqual(lone.events.map((e) => e.eventId));
    expect(lone.events).toHaveLength(20);
  });

  test("with scans running, a turn of the event loop never runs more than one chunk of each scan", async () => {
    // Two scans of 10 chunks each and a ticker counting turns: if a turn ran several chunks of one
    // scan, both would end in fewer turns than they have chunks.
    const paced = new SqliteEventStore(dir, { textScan: { chunkRows: 100, maxRows: 1000, turnBudgetMs: 1e9 } });
    let turns = 0;
    let running = true;
    const tick = () => {
      turns++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    await Promise.all([paced.find({ q: "nothing matches this", limit: 10 }, scope), paced.find({ q: "nothing at all", limit: 10 }, scope)]);
    running = false;
    expect(turns).toBeGreaterThanOrEqual(9);
  });
});
