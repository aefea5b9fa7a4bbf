import { mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");
const WRANGLER = join(ROOT, "node_modules/wrangler/bin/wrangler.js");

export interface RunningWorker {
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

let bundleDir: Promise<string> | undefined;

/**
 * Builds the Worker once per test process, exactly as `wrangler deploy` would, into a temp folder.
 * Serving that bundle (not the sources) means no file watcher restarts the Worker mid-run.
 */
export function buildWorkerBundle(): Promise<string> {
  bundleDir ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "widegate-bundle-"));
    const proc = Bun.spawn(["node", WRANGLER, "deploy", "--dry-run", "--outdir", dir], {
      cwd: ROOT,
      env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
    if (code !== 0) throw new Error(`wrangler deploy --dry-run failed (${code}): ${out}${err}`);
    return dir;
  })();
  return bundleDir;
}

interface WranglerToml {
  compatibility_date: string;
  compatibility_flags?: string[];
  vars?: Record<string, string>;
  env?: Record<string, { vars?: Record<string, string> }>;
}

/**
 * The real Workers runtime: the bundle `wrangler deploy` would upload, run by workerd through
 * Miniflare on a free loopback port. `vars` are merged over wrangler.toml's [vars] (or, with
 * `wranglerEnv`, its [env.<name>.vars], as `wrangler dev --env <name>` would), as the Worker's env.
 */
export async function startWorkerd(vars: Record<string, string> = {}, timeoutMs = 60_000, wranglerEnv?: string): Promise<RunningWorker> {
  const bundle = await buildWorkerBundle();
  const port = await freePort();
  const toml = Bun.TOML.parse(readFileSync(join(ROOT, "wrangler.toml"), "utf8")) as WranglerToml;
  const options = {
    compatibilityDate: toml.compatibility_date,
    compatibilityFlags: toml.compatibility_flags ?? [],
    bindings: { ...(wranglerEnv === undefined ? toml.vars : toml.env?.[wranglerEnv]?.vars), ...vars },
  };
  const args = [join(ROOT, "tests/support/miniflare-runner.mjs"), bundle, String(port), JSON.stringify(options)];
  const proc = Bun.spawn(["node", ...args], {
    cwd: ROOT,
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const chunks: string[] = [];
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) chunks.push(decoder.decode(chunk, { stream: true }));
  };
  void collect(proc.stdout);
  void collect(proc.stderr);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    proc.kill("SIGTERM");
    const killer = setTimeout(() => proc.kill("SIGKILL"), 5000);
    await proc.exited;
    clearTimeout(killer);
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`workerd exited with ${proc.exitCode}: ${chunks.join("")}`);
    // Any HTTP answer means workerd is serving (a misconfigured Worker answers 500 by design).
    const ok = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
      () => true,
      () => undefined,
    );
    if (ok !== undefined) return { url, output: () => chunks.join(""), stop };
    await Bun.sleep(200);
  }
  await stop();
  throw new Error(`workerd did not answer within ${timeoutMs} ms: ${chunks.join("")}`);
}
