// What every HTTP benchmark needs of the gateway: a real edge/bun-server.ts in its own process, and
// the CPU time it has used (so a run on a shared machine can compare CPU per event, not only rates).
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface BenchServer {
  url: string;
  proc: ReturnType<typeof Bun.spawn>;
}

/**
 * Starts the gateway of the checkout at `root` on a free port with a fresh DATA_DIR and the env
 * given (on top of PATH, PORT, HOST); resolves once it says where it listens. With `profileDir` the
 * server writes its CPU profile (markdown) there on exit.
 */
export async function startBenchServer(root: string, env: Record<string, string>, profileDir?: string): Promise<BenchServer> {
  const profile = profileDir ? ["--cpu-prof-md", `--cpu-prof-dir=${profileDir}`] : [];
  const proc = Bun.spawn([process.execPath, ...profile, join(root, "edge/bun-server.ts")], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? "",
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: mkdtempSync(join(tmpdir(), "widegate-bench-data-")),
      ...env,
    },
    stdout: "pipe",
    stderr: "inherit",
  });
  let url = "";
  const reader = proc.stdout.getReader();
  let printed = "";
  while (!url) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${root} server exited: ${printed}`);
    printed += new TextDecoder().decode(value);
    url = printed.match(/listening on (http:\/\/\S+)/)?.[1]?.replace(/\/$/, "") ?? "";
  }
  // Keep draining its output so the server never blocks on a full pipe.
  void (async () => {
    for (;;) if ((await reader.read()).done) return;
  })();
  return { url, proc };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds a process's JIT compiler threads (JSC's `JITWorker`) have used so far: how much compiling is still going on. */
export function jitCpuSeconds(pid: number): number {
  let ticks = 0;
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        if (readFileSync(`/proc/${pid}/task/${task}/comm`, "utf8").trim() !== "JITWorker") continue;
        const fields = readFileSync(`/proc/${pid}/task/${task}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
        ticks += Number(fields[11]) + Number(fields[12]);
      } catch {
        // the thread ended between listing and reading
      }
    }
  } catch {
    return Number.NaN;
  }
  return ticks / 100;
}

/**
 * Loads a server in 2 s slices until one slice spends under 2 % of its time in JSC's compiler
 * threads (at least 4 s, at most `maxSeconds`), so rounds measure the steady state rather than the
 * JIT still compiling (which goes on for 10 s and more). Returns the seconds spent.
 */
export async function warmUntilJitSettles(pid: number, drive: (seconds: number) => unknown, maxSeconds: number): Promise<number> {
  const slice = Math.min(2, maxSeconds);
  let spent = 0;
  while (spent < maxSeconds) {
    const jitBefore = jitCpuSeconds(pid);
    await drive(slice);
    spent += slice;
    if (spent >= 4 && jitCpuSeconds(pid) - jitBefore < 0.02 * slice) break;
  }
  return spent;
}
