import { resolve } from "node:path";
import { cleanEnv } from "../support/spawn-server.ts";

const ROOT = resolve(import.meta.dir, "../..");
const BIN = resolve(ROOT, "bin/wide-gate");

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the package's bin as a real subprocess, with nothing from the caller's env but PATH/HOME. */
export async function cli(args: string[], env: Record<string, string> = {}, stdin?: string): Promise<CliRun> {
  const proc = Bun.spawn([process.execPath, BIN, ...args], {
    cwd: ROOT,
    env: cleanEnv(env),
    stdin: stdin === undefined ? "ignore" : new Blob([stdin]),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  return { code, stdout, stderr };
}

/** Starts the CLI and hands back its live output, for commands that keep running (tail, top). */
export function startCli(args: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawn([process.execPath, BIN, ...args], {
    cwd: ROOT,
    env: cleanEnv(env),
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const out: string[] = [];
  const err: string[] = [];
  const pump = async (stream: ReadableStream<Uint8Array>, sink: string[]) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) sink.push(decoder.decode(chunk, { stream: true }));
  };
  void pump(proc.stdout, out);
  void pump(proc.stderr, err);
  return { proc, stdout: () => out.join(""), stderr: () => err.join("") };
}

/** Polls `check` until it holds; fails with `what` after `timeoutMs` (a bound, not a measurement). */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await Bun.sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}
