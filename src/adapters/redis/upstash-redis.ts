import { Redis } from "@upstash/redis";
import { type RedisEval, RedisSessionCache, type RedisSessionCacheOptions } from "./redis-session-cache.ts";

/**
 * Upstash's REST client: plain fetch, so it runs on Workers. Responses are asked for as plain
 * JSON (not base64) and not auto-deserialised: turns are JSON text we validate ourselves, and a
 * base64 guess on a plain string could garble it. One retry only: the degrading wrapper, not the
 * client, decides how long to wait for a backend that is away.
 */
export class UpstashEval implements RedisEval {
  private readonly redis: Redis;

  constructor(url: string, token: string) {
    this.redis = new Redis({
      url,
      token,
      responseEncoding: false,
      automaticDeserialization: false,
      retry: { retries: 1, backoff: () => 50 },
    });
  }

  async eval(script: string, keys: string[], args: string[]): Promise<unknown> {
    const reply: unknown = await this.redis.eval(script, keys, args);
    return reply;
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {}
}

export function createUpstashSessionCache(url: string, token: string, options: RedisSessionCacheOptions = {}): RedisSessionCache {
  return new RedisSessionCache("session-cache:upstash", new UpstashEval(url, token), options);
}
