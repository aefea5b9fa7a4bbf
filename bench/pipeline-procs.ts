// Child processes for bench:pipeline: a Bun entry started on a free port, and a metric read from it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export interface Proc {
  url: string;
  kill: () => void;
}

/**
 * A Bun gateway (edge/bun-server.ts) with a DATA_DIR of its own, removed when it is killed. With the
 * default DATA_DIR (.data) every gateway the bench starts shares one disk buffer: a SIGKILLed
 * gateway leaves its segment there (the last one is never sealed, so never deleted), and the next
 * gateway replays it, by design, into its own topic, i.e. into the next round's fresh database,
 * where an earlier round's rollup deltas (ids unknown there) count a second time.
 */
export async function spawnGateway(env: Record<string, string>): Promise<Proc> {
  const dataDir = mkdtempSync(join(tmpdir(), "wg-bench-gateway-"));
  try {
    const proc = await spawnEntry("edge/bun-server.ts", { ...env, DATA_DIR: dataDir });
    return {
      url: proc.url,
      kill: () => {
        proc.kill();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

export async function spawnEntry(entry: string, env: Record<string, string>): Promise<Proc> {
  const proc = Bun.spawn([process.execPath, resolve(import.meta.dir, "..", entry)], {
    cwd: resolve(import.meta.dir, ".."),
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", HOST: "127.0.0.1", ...env },
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = proc.stdout.getReader();
  let printed = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${entry} exited: ${printed}`);
    printed += new TextDecoder().decode(value);
    const url = printed.match(/listening on (http:\/\/\S+)/)?.[1];
    if (url) {
      // Keep draining its output so the child never blocks on a full pipe.
      void (async () => {
        for (;;) if ((await reader.read()).done) return;
      })();
      return { url, kill: () => proc.kill("SIGKILL") };
    }
  }
}

export async function workerMetric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : 0;
}
