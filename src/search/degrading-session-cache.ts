import { defaultLogger, type Logger } from "../log/logger.ts";
import type { HealthStatus } from "../ports/health.ts";
import type { FailoverStats, SessionCache, SessionRef, SessionSummary, SessionTurn } from "../ports/session-cache.ts";

/**
 * Redis (or Upstash) first, process memory when it fails. Every turn is also mirrored in memory,
 * so when the primary goes away mid-conversation this instance still knows the recent turns.
 * While degraded, the primary is re-probed at most every `probeIntervalMs`, lazily on the next
 * call (no timers, so it behaves the same on Workers); turns written meanwhile are replayed to
 * the primary on recovery so its history has no gap.
 */

export interface DegradingSessionCacheOptions {
  /** A primary call slower than this counts as a failure. */
  opTimeoutMs?: number;
  probeIntervalMs?: number;
  /** Turns kept for replay while degraded; older ones are dropped (and counted). */
  maxBacklog?: number;
  now?: () => number;
  log?: Logger;
}

interface Down {
  since: number;
  reason: string;
  nextProbeAt: number;
}

export class DegradingSessionCache implements SessionCache {
  readonly name: string;
  private down: Down | undefined;
  private probing: Promise<boolean> | undefined;
  private backlog: { ref: SessionRef; turn: SessionTurn }[] = [];
  private readonly counters = { failovers: 0, recoveries: 0, fallbackCalls: 0, backlogDropped: 0 };
  private readonly opTimeoutMs: number;
  private readonly probeIntervalMs: number;
  private readonly maxBacklog: number;
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(
    private readonly primary: SessionCache,
    private readonly fallback: SessionCache,
    options: DegradingSessionCacheOptions = {},
  ) {
    this.name = primary.name;
    this.opTimeoutMs = options.opTimeoutMs ?? 1000;
    this.probeIntervalMs = options.probeIntervalMs ?? 5000;
    this.maxBacklog = options.maxBacklog ?? 1000;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? defaultLogger;
  }

  async append(ref: SessionRef, turn: SessionTurn): Promise<void> {
    await this.fallback.append(ref, turn);
    if (await this.primaryUsable()) {
      try {
        return await this.timed(this.primary.append(ref, turn));
      } catch (error) {
        this.fail(error);
      }
    }
    this.counters.fallbackCalls++;
    this.backlog.push({ ref, turn });
    if (this.backlog.length > this.maxBacklog) {
      this.backlog.shift();
      this.counters.backlogDropped++;
    }
  }

  history(ref: SessionRef): Promise<SessionTurn[]> {
    return this.either((cache) => cache.history(ref));
  }

  listSessions(userId: string, limit?: number): Promise<SessionSummary[]> {
    return this.either((cache) => cache.listSessions(userId, limit));
  }

  degraded(): boolean {
    return this.down !== undefined;
  }

  failoverStats(): FailoverStats {
    return { degraded: this.degraded(), backlog: this.backlog.length, ...this.counters };
  }

  async health(): Promise<HealthStatus> {
    // Degraded is still serving: report it without failing readiness over a cache.
    if (this.down)
      return { ok: true, detail: `DEGRADED since ${new Date(this.down.since).toISOString()}: ${this.down.reason}; serving from memory` };
    return this.primary.health();
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.primary.close(), this.fallback.close()]);
  }

  private async either<T>(call: (cache: SessionCache) => Promise<T>): Promise<T> {
    if (await this.primaryUsable()) {
      try {
        return await this.timed(call(this.primary));
      } catch (error) {
        this.fail(error);
      }
    }
    this.counters.fallbackCalls++;
    return call(this.fallback);
  }

  private async primaryUsable(): Promise<boolean> {
    if (!this.down) return true;
    if (this.now() < this.down.nextProbeAt) return false;
    this.probing ??= this.probe().finally(() => {
      this.probing = undefined;
    });
    return this.probing;
  }

  /** Health, then the backlog replayed in order; any failure keeps us degraded until the next probe. */
  private async probe(): Promise<boolean> {
    const down = this.down;
    if (!down) return true;
    try {
      const health = await this.timed(this.primary.health());
      if (!health.ok) throw new Error(health.detail ?? "unhealthy");
      while (this.backlog.length > 0) {
        const next = this.backlog[0];
        if (next) await this.timed(this.primary.append(next.ref, next.turn));
        this.backlog.shift();
      }
    } catch (error) {
      down.nextProbeAt = this.now() + this.probeIntervalMs;
      down.reason = reasonOf(error);
      return false;
    }
    this.down = undefined;
    this.counters.recoveries++;
    this.log.info(`${this.name}: reachable again after ${Math.round((this.now() - down.since) / 1000)} s; sessions back on it`);
    return true;
  }

  private fail(error: unknown): void {
    if (this.down) return;
    const reason = reasonOf(error);
    this.down = { since: this.now(), reason, nextProbeAt: this.now() + this.probeIntervalMs };
    this.counters.failovers++;
    this.log.warn(`!!! ${this.name} unreachable (${reason}); serving sessions from memory, re-probing every ${this.probeIntervalMs} ms`);
  }

  private timed<T>(promise: Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.opTimeoutMs} ms`)), this.opTimeoutMs);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}

function reasonOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 200);
}
