import { join } from "node:path";
import type { Subprocess } from "bun";
import { serviceEnv, waitForPort } from "../support/services.ts";
import { cleanEnv } from "../support/spawn-server.ts";
import { freePort } from "../support/workerd.ts";

const ROOT = join(import.meta.dir, "../..");

export interface PrivateUpstashRedis {
  url: string;
  token: string;
  stop: () => Promise<void>;
}

/**
 * The Upstash Redis REST API on a private port in front of the shared Redis, run as
 * scripts/services/upstash-redis.sh runs it: a suite never depends on (or stops) the shared one.
 */
export async function startPrivateUpstashRedis(token = "edge-test-token"): Promise<PrivateUpstashRedis> {
  const port = await freePort();
  const proc: Subprocess = Bun.spawn(["node", join(ROOT, "scripts/services/upstash-redis-server.mjs")], {
    cwd: ROOT,
    env: cleanEnv({ PORT: String(port), URS_TOKEN: token, REDIS_URL: serviceEnv.REDIS_URL }),
    stdout: "ignore",
    stderr: "inherit",
  });
  await waitForPort(`127.0.0.1:${port}`, 20_000, "upstash-redis-server");
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    stop: async () => {
      proc.kill();
      await proc.exited;
    },
  };
}
