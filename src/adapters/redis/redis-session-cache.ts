import { decodeTurn } from "../../domain/question/session-turn.ts";
import type { HealthStatus } from "../../ports/health.ts";
import {
  DEFAULT_SESSION_LIMITS,
  type SessionCache,
  type SessionLimits,
  type SessionRef,
  type SessionSummary,
  type SessionTurn,
} from "../../ports/session-cache.ts";

/**
 * Sessions on Redis, the same for the TCP client (Bun) and Upstash's REST client (Workers):
 * both only need EVAL. Per session a list of JSON turns (RPUSH + LTRIM + EXPIRE); per user a
 * sorted set of sessionIds scored by last activity, so listing is one ZREVRANGE, never a SCAN.
 * Each operation is one Lua script: atomic, and one round trip even over HTTP. Both keys carry
 * the user in a {hash tag}, so they share a slot on Redis Cluster.
 */

/** The one thing the cache needs from a client. Rejects when Redis cannot be reached. */
export interface RedisEval {
  eval(script: string, keys: string[], args: string[]): Promise<unknown>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

const APPEND = `
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[6])
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[7]) + 1))
redis.call('EXPIRE', KEYS[2], ARGV[3])
return 1`;

const HISTORY = `return redis.call('LRANGE', KEYS[1], 0, -1)`;

const LIST = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
return redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1, 'WITHSCORES')`;

export interface RedisSessionCacheOptions extends Partial<SessionLimits> {
  /** Key prefix, so several deployments can share one Redis. */
  prefix?: string;
  now?: () => number;
}

export class RedisSessionCache implements SessionCache {
  private readonly limits: SessionLimits;
  private readonly prefix: string;
  private readonly now: () => number;

  constructor(
    readonly name: string,
    private readonly redis: RedisEval,
    options: RedisSessionCacheOptions = {},
  ) {
    this.limits = { ...DEFAULT_SESSION_LIMITS, ...options };
    this.prefix = options.prefix ?? "widegate:search";
    this.now = options.now ?? Date.now;
  }

  private userKey(userId: string): string {
    return `${this.prefix}:{${encodeURIComponent(userId)}}`;
  }

  private sessionKey(ref: SessionRef): string {
    return `${this.userKey(ref.userId)}:s:${encodeURIComponent(ref.sessionId)}`;
  }

  private cutoff(now: number): string {
    return String(now - this.limits.ttlSeconds * 1000);
  }

  async append(ref: SessionRef, turn: SessionTurn): Promise<void> {
    const now = this.now();
    const { maxTurns, ttlSeconds, maxSessionsPerUser } = this.limits;
    await this.redis.eval(
      APPEND,
      [this.sessionKey(ref), `${this.userKey(ref.userId)}:sessions`],
      [
        JSON.stringify(turn),
        String(maxTurns),
        String(ttlSeconds),
        String(now),
        ref.sessionId,
        this.cutoff(now),
        String(maxSessionsPerUser),
      ],
    );
  }

  async history(ref: SessionRef): Promise<SessionTurn[]> {
    const raw = await this.redis.eval(HISTORY, [this.sessionKey(ref)], []);
    if (!Array.isArray(raw)) return [];
    return raw.flatMap((item) => {
      const turn = typeof item === "string" ? decodeTurn(item) : undefined;
      return turn ? [turn] : [];
    });
  }

  async listSessions(userId: string, limit = 50): Promise<SessionSummary[]> {
    const raw = await this.redis.eval(LIST, [`${this.userKey(userId)}:sessions`], [this.cutoff(this.now()), String(limit)]);
    if (!Array.isArray(raw)) return [];
    const out: SessionSummary[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const score = Number(raw[i + 1]);
      if (typeof raw[i] === "string" && Number.isFinite(score)) out.push({ sessionId: raw[i], updatedAt: new Date(score).toISOString() });
    }
    return out;
  }

  async health(): Promise<HealthStatus> {
    const started = Date.now();
    try {
      await this.redis.ping();
      return { ok: true, detail: `ping ${Date.now() - started} ms` };
    } catch (error) {
      return { ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
  }

  async close(): Promise<void> {
    await this.redis.close();
  }
}
