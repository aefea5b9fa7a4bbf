import { describe, expect, test } from "bun:test";
import { MemorySessionCache } from "../adapters/memory/memory-session-cache.ts";
import { capturingLogger } from "../log/logger.ts";
import type { HealthStatus } from "../ports/health.ts";
import type { SessionRef, SessionTurn } from "../ports/session-cache.ts";
import { DegradingSessionCache } from "./degrading-session-cache.ts";

/** A primary we can switch off or slow down (the real-Redis outage is tests/session/redis-outage.test.ts). */
class SwitchablePrimary extends MemorySessionCache {
  override readonly name = "session-cache:test-primary";
  down = false;
  delayMs = 0;
  private async gate(): Promise<void> {
    if (this.delayMs) await Bun.sleep(this.delayMs);
    if (this.down) throw new Error("connection refused");
  }
  override async append(ref: SessionRef, turn: SessionTurn): Promise<void> {
    await this.gate();
    return super.append(ref, turn);
  }
  override async history(ref: SessionRef): Promise<SessionTurn[]> {
    await this.gate();
    return super.history(ref);
  }
  override async health(): Promise<HealthStatus> {
    await this.gate();
    return { ok: true };
  }
}

const ref = { userId: "acme", sessionId: "session-1" };
const turn = (question: string): SessionTurn => ({ at: new Date().toISOString(), question, intent: "SEARCH", answer: "a" });

function setup(opTimeoutMs = 200) {
  let now = 1_000_000;
  const primary = new SwitchablePrimary();
  const log = capturingLogger();
  const cache = new DegradingSessionCache(primary, new MemorySessionCache(), {
    now: () => now,
    probeIntervalMs: 5000,
    opTimeoutMs,
    log,
  });
  return { primary, cache, log, advance: (ms: number) => (now += ms) };
}

const questions = async (cache: DegradingSessionCache) => (await cache.history(ref)).map((t) => t.question);

describe("DegradingSessionCache", () => {
  test("a failing primary degrades to the memory mirror, which already holds the earlier turns", async () => {
    const { primary, cache, log } = setup();
    await cache.append(ref, turn("q1"));
    primary.down = true;
    await cache.append(ref, turn("q2"));
    expect(cache.degraded()).toBe(true);
    expect(await questions(cache)).toEqual(["q1", "q2"]);
    expect(cache.failoverStats()).toMatchObject({ degraded: true, failovers: 1, fallbackCalls: 2, backlog: 1 });
    expect(log.lines[0]?.line).toContain("unreachable (connection refused)");
    expect((await cache.health()).detail).toContain("DEGRADED");
  });

  test("re-probes only after the interval, then replays the backlog and recovers", async () => {
    const { primary, cache, advance } = setup();
    await cache.append(ref, turn("q1"));
    primary.down = true;
    await cache.append(ref, turn("q2"));
    primary.down = false;
    advance(1000);
    await cache.append(ref, turn("q3")); // too early to probe: still memory
    expect(cache.degraded()).toBe(true);
    advance(5000);
    expect(await questions(cache)).toEqual(["q1", "q2", "q3"]); // from the primary, after replay
    expect(cache.degraded()).toBe(false);
    expect(await primary.history(ref)).toHaveLength(3);
    expect(cache.failoverStats()).toMatchObject({ failovers: 1, recoveries: 1, backlog: 0 });
  });

  test("a probe that fails keeps it degraded until the next interval", async () => {
    const { primary, cache, advance } = setup();
    primary.down = true;
    await cache.append(ref, turn("q1"));
    advance(6000);
    await cache.history(ref);
    expect(cache.degraded()).toBe(true);
    expect(cache.failoverStats().failovers).toBe(1);
  });

  test("a primary slower than the op timeout counts as down", async () => {
    const { primary, cache } = setup(50);
    primary.delayMs = 300;
    const started = Date.now();
    expect(await cache.history(ref)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(250);
    expect(cache.degraded()).toBe(true);
  });
});
