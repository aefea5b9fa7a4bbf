import type { HealthStatus } from "../../ports/health.ts";
import type { SessionCache, SessionTurn } from "../../ports/session-cache.ts";

export interface MemorySessionCacheOptions {
  ttlMs?: number;
  maxTurns?: number;
  /** Sessions kept at most; the least recently used goes first. */
  maxSessions?: number;
  now?: () => number;
}

interface Entry {
  turns: SessionTurn[];
  expiresAt: number;
}

export class MemorySessionCache implements SessionCache {
  readonly name = "session-cache:memory";
  private readonly sessions = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly maxTurns: number;
  private readonly maxSessions: number;
  private readonly now: () => number;

  constructor(options: MemorySessionCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 24 * 3600_000;
    this.maxTurns = options.maxTurns ?? 20;
    this.maxSessions = options.maxSessions ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  async append(sessionId: string, turn: SessionTurn): Promise<void> {
    const turns = [...(this.live(sessionId)?.turns ?? []), turn].slice(-this.maxTurns);
    this.sessions.delete(sessionId); // re-insert so Map order is recency order
    this.sessions.set(sessionId, { turns, expiresAt: this.now() + this.ttlMs });
    if (this.sessions.size > this.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
  }

  async history(sessionId: string): Promise<SessionTurn[]> {
    return [...(this.live(sessionId)?.turns ?? [])];
  }

  private live(sessionId: string): Entry | undefined {
    const entry = this.sessions.get(sessionId);
    if (entry && entry.expiresAt <= this.now()) {
      this.sessions.delete(sessionId);
      return undefined;
    }
    return entry;
  }

  async health(): Promise<HealthStatus> {
    return { ok: true, detail: `${this.sessions.size} sessions` };
  }

  async close(): Promise<void> {
    this.sessions.clear();
  }
}
