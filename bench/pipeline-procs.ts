// Child processes for bench:pipeline: a Bun entry started on a free port, and a metric read from it.
import { resolve } from "node:path";

export interface Proc {
  url: string;
  kill: () => void;
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
