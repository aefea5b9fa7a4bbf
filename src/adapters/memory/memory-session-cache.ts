import type { HealthStatus } from "../../ports/health.ts";
import {
  DEFAULT_SESSION_LIMITS,
  type SessionCache,
  type SessionLimits,
  type SessionRef,
  type SessionSummary,
  type SessionTurn,
} from "../../ports/session-cache.ts";

export interface MemorySessionCacheOptions extends Partial<SessionLimits> {
  /** Sessions kept at most across all users; the least recently used goes first. */
  maxSessions?: number;
  now?: () => number;
}

interface Entry {
  ref: SessionRef;
  turns: SessionTurn[];
  updatedAt: number;
}

/** Sessions in process memory: the default, and the fallback while Redis is unreachable. */
export class MemorySessionCache implements SessionCache {
  readonly name: string = "session-cache:memory";
  private readonly sessions = new Map<string, Entry>();
  /** userId → sessionIds, the listing index (what the sorted set is on Redis). */
  private readonly byUser = new Map<string, Set<string>>();
  private readonly limits: SessionLimits;
  private readonly maxSessions: number;
  private readonly now: () => number;

  constructor(options: MemorySessionCacheOptions = {}) {
    this.limits = { ...DEFAULT_SESSION_LIMITS, ...options };
    this.maxSessions = options.maxSessions ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  async append(ref: SessionRef, turn: SessionTurn): Promise<void> {
    const key = keyOf(ref);
    const turns = [...(this.live(key)?.turns ?? []), turn].slice(-this.limits.maxTurns);
    this.sessions.delete(key); // re-insert so Map order is recency order
    this.sessions.set(key, { ref, turns, updatedAt: this.now() });
    const ids = this.byUser.get(ref.userId) ?? new Set<string>();
    ids.add(ref.sessionId);
    this.byUser.set(ref.userId, ids);
    if (ids.size > this.limits.maxSessionsPerUser) this.dropOldestOf(ref.userId);
    if (this.sessions.size > this.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.drop(oldest);
    }
  }

  async history(ref: SessionRef): Promise<SessionTurn[]> {
    return [...(this.live(keyOf(ref))?.turns ?? [])];
  }

  async listSessions(userId: string, limit = 50): Promise<SessionSummary[]> {
    const entries: Entry[] = [];
    for (const sessionId of this.byUser.get(userId) ?? []) {
      const entry = this.live(keyOf({ userId, sessionId }));
      if (entry) entries.push(entry);
    }
    return entries
      .sort((a, b) => b.updatedAt - a.updatedAt)
      .slice(0, limit)
      .map((e) => ({ sessionId: e.ref.sessionId, updatedAt: new Date(e.updatedAt).toISOString() }));
  }

  private live(key: string): Entry | undefined {
    const entry = this.sessions.get(key);
    if (entry && entry.updatedAt + this.limits.ttlSeconds * 1000 <= this.now()) {
      this.drop(key);
      return undefined;
    }
    return entry;
  }

  private drop(key: string): void {
    const entry = this.sessions.get(key);
    this.sessions.delete(key);
    if (!entry) return;
    const ids = this.byUser.get(entry.ref.userId);
    ids?.delete(entry.ref.sessionId);
    if (ids?.size === 0) this.byUser.delete(entry.ref.userId);
  }

  private dropOldestOf(userId: string): void {
    let oldest: Entry | undefined;
    for (const sessionId of this.byUser.get(userId) ?? []) {
      const entry = this.sessions.get(keyOf({ userId, sessionId }));
      if (entry && (!oldest || entry.updatedAt < oldest.updatedAt)) oldest = entry;
    }
    if (oldest) this.drop(keyOf(oldest.ref));
  }

  async health(): Promise<HealthStatus> {
    return { ok: true, detail: `${this.sessions.size} sessions` };
  }

  async close(): Promise<void> {
    this.sessions.clear();
    this.byUser.clear();
  }
}

const keyOf = (ref: SessionRef) => `${ref.userId}\u0000${ref.sessionId}`;
