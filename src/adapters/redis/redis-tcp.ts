// Bun-only: Bun's built-in Redis client (TCP). Reached through the Bun runtime's module table, never from the Workers bundle.
import { RedisClient } from "bun";
import { type RedisEval, RedisSessionCache, type RedisSessionCacheOptions } from "./redis-session-cache.ts";

/**
 * Bun's own client is enough here (EVAL through `send`, no dependency). The offline queue is off
 * so a command fails at once while Redis is away instead of waiting for a reconnect; the
 * degrading wrapper then serves from memory. Bun stops reconnecting after `maxRetries`, so every
 * command reconnects first when the client is not connected: the wrapper's re-probe is what
 * brings it back.
 */
export class BunRedisEval implements RedisEval {
  private readonly client: RedisClient;
  private connecting: Promise<unknown> | undefined;

  constructor(url: string, connectTimeoutMs: number) {
    this.client = new RedisClient(url, {
      enableOfflineQueue: false,
      connectionTimeout: connectTimeoutMs,
      autoReconnect: true,
      maxRetries: 5,
    });
  }

  private async ready(): Promise<void> {
    if (this.client.connected) return;
    this.connecting ??= this.client.connect().finally(() => {
      this.connecting = undefined;
    });
    await this.connecting;
  }

  async eval(script: string, keys: string[], args: string[]): Promise<unknown> {
    await this.ready();
    const reply: unknown = await this.client.send("EVAL", [script, String(keys.length), ...keys, ...args]);
    return reply;
  }

  async ping(): Promise<void> {
    await this.ready();
    await this.client.send("PING", []);
  }

  async close(): Promise<void> {
    this.client.close();
  }
}

export interface RedisTcpOptions extends RedisSessionCacheOptions {
  connectTimeoutMs?: number;
}

export function createRedisTcpSessionCache(url: string, options: RedisTcpOptions = {}): RedisSessionCache {
  return new RedisSessionCache("session-cache:redis", new BunRedisEval(url, options.connectTimeoutMs ?? 2000), options);
}
