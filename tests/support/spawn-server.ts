import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";

const ROOT = resolve(import.meta.dir, "../..");

export interface RunningServer {
  url: string;
  /** The server's DATA_DIR (a fresh temp folder unless the caller set one). */
  dataDir: string;
  proc: Subprocess<"ignore", "pipe", "pipe">;
  /** Everything the process has printed so far (stdout and stderr). */
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number>;
}

/** Env with nothing from the caller's shell but PATH/HOME, so a developer's exports cannot leak in. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...extra };
}

async function collect(stream: ReadableStream<Uint8Array>, sink: string[]): Promise<void> {
  const decoder = new TextDecoder();
  for await (const chunk of stream) sink.push(decoder.decode(chunk, { stream: true }));
}

/** Starts a Bun entry on a free port and resolves once it prints where it listens. */
export async function spawnServer(entry: string, env: Record<string, string> = {}, timeoutMs = 15_000): Promise<RunningServer> {
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), "widegate-"));
  const proc = Bun.spawn([process.execPath, join(ROOT, entry)], {
    cwd: ROOT,
    env: cleanEnv({ PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, ...env }),
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const chunks: string[] = [];
  void collect(proc.stdout, chunks);
  void collect(proc.stderr, chunks);
  const output = () => chunks.join("");
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = output().match(/listening on (http:\/\/[^\s]+)/);
    if (match?.[1]) {
      const url = match[1].replace(/\/$/, "");
      return {
        url,
        dataDir,
        proc,
        output,
        stop: async (signal = "SIGTERM") => {
          proc.kill(signal);
          return proc.exited;
        },
      };
    }
    if (proc.exitCode !== null) throw new Error(`${entry} exited with ${proc.exitCode}: ${output()}`);
    await Bun.sleep(50);
  }
  proc.kill("SIGKILL");
  throw new Error(`${entry} did not start within ${timeoutMs} ms: ${output()}`);
}

/** Runs a Bun entry to completion and returns its exit code and output. */
export async function runToExit(entry: string, env: Record<string, string>): Promise<{ code: number; stderr: string; stdout: string }> {
  const proc = Bun.spawn([process.execPath, join(ROOT, entry)], { cwd: ROOT, env: cleanEnv(env), stdout: "pipe", stderr: "pipe" });
  const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  return { code, stdout, stderr };
}
