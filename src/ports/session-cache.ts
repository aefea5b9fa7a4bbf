import type { SessionTurn } from "../domain/question/session-turn.ts";
import type { Lifecycle } from "./health.ts";

export type { SessionTurn };

/** A session belongs to one user (the API key's tenant); the same id under another user is another session. */
export interface SessionRef {
  userId: string;
  sessionId: string;
}

export interface SessionSummary {
  sessionId: string;
  /** ISO time of the last turn. */
  updatedAt: string;
}

/**
 * Recent conversation turns per session, bounded in length and expiring after a TTL (renewed by
 * each turn). Listing a user's sessions reads a per-user index (a sorted set on Redis), never a
 * key scan. Implementations reject when their backend fails; the degrading wrapper decides what then.
 */
export interface SessionCache extends Lifecycle {
  append(ref: SessionRef, turn: SessionTurn): Promise<void>;
  /** Oldest first; at most the configured number of turns. */
  history(ref: SessionRef): Promise<SessionTurn[]>;
  /** Most recently active first. */
  listSessions(userId: string, limit?: number): Promise<SessionSummary[]>;
  /** True while a fallback serves instead of the selected backend; the search API tells the caller. */
  degraded?(): boolean;
  /** Failover counters, for /metrics; only caches that can fail over have them. */
  failoverStats?(): FailoverStats;
}

export interface FailoverStats {
  degraded: boolean;
  /** Times the selected backend was given up on. */
  failovers: number;
  recoveries: number;
  /** Calls answered by the fallback. */
  fallbackCalls: number;
  backlog: number;
  backlogDropped: number;
}

/** The settings every adapter shares (SESSION_TTL_SECONDS, SESSION_MAX_TURNS). */
export interface SessionLimits {
  ttlSeconds: number;
  maxTurns: number;
  /** Per user, in the listing index; the least recently active drop out first. */
  maxSessionsPerUser: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { ttlSeconds: 86_400, maxTurns: 20, maxSessionsPerUser: 200 };
