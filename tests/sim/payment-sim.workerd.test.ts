import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { OUTCOME_HEADER } from "../../examples/payment-sim/app.ts";
import { PaymentStatus } from "../../examples/payment-sim/payment-status.ts";
// Imported (not only bundled) so the type checker covers the Worker entry too.
import simWorker from "../../examples/payment-sim/worker.ts";
import { type RunningServer, spawnServer } from "../support/spawn-server.ts";
import { freePort } from "../support/workerd.ts";

const ROOT = resolve(import.meta.dir, "../..");

/** The simulation Worker bundled for workerd and run by Miniflare, as tests/support/workerd.ts runs the gateway. */
async function startSimWorker(gatewayUrl: string) {
  const dir = mkdtempSync(join(tmpdir(), "widegate-sim-worker-"));
  const built = await Bun.build({ entrypoints: [join(ROOT, "examples/payment-sim/worker.ts")], target: "browser", format: "esm" });
  if (!built.success) throw new Error(`bundling the sim worker failed: ${built.logs.join("\n")}`);
  await Bun.write(join(dir, "cloudflare-worker.js"), (built.outputs[0] as Blob).stream());
  const toml = Bun.TOML.parse(readFileSync(join(ROOT, "wrangler.toml"), "utf8")) as {
    compatibility_date: string;
    compatibility_flags?: string[];
  };
  const port = await freePort();
  const options = {
    compatibilityDate: toml.compatibility_date,
    compatibilityFlags: toml.compatibility_flags ?? [],
    bindings: { GATEWAY_URL: gatewayUrl },
  };
  const proc = Bun.spawn(["node", join(ROOT, "tests/support/miniflare-runner.mjs"), dir, String(port), JSON.stringify(options)], {
    cwd: ROOT,
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    stdout: "pipe",
    stderr: "pipe",
  });
  let out = "";
  const decoder = new TextDecoder();
  for await (const chunk of proc.stdout) {
    out += decoder.decode(chunk);
    if (out.includes("workerd ready")) break;
  }
  if (!out.includes("workerd ready")) throw new Error(`the sim worker did not start: ${out}${await new Response(proc.stderr).text()}`);
  return { url: `http://127.0.0.1:${port}`, stop: () => proc.kill("SIGTERM") };
}

let gateway: RunningServer;
let worker: Awaited<ReturnType<typeof startSimWorker>>;

beforeAll(async () => {
  gateway = await spawnServer("edge/bun-server.ts", { SAMPLING_NORMAL_RATE: "1" });
  worker = await startSimWorker(gateway.url);
}, 90_000);

afterAll(async () => {
  worker?.stop();
  await gateway?.stop("SIGKILL");
});

/** Stored events of these request ids, once the gateway's embedded pipeline has written them all. */
async function storedEvents(ids: string[]): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < 100 && found.size < ids.length; i++) {
    const response = await fetch(`${gateway.url}/v1/events?service=payment&limit=200`);
    for (const event of ((await response.json()) as { events: Array<Record<string, unknown>> }).events) {
      if (ids.includes(event.requestId as string)) found.set(event.requestId as string, event);
    }
    if (found.size < ids.length) await Bun.sleep(100);
  }
  return found;
}

describe("payment simulation on workerd → SDK (waitUntil) → Bun gateway", () => {
  test("the Worker entry is a module worker with a fetch handler", () => {
    expect(typeof simWorker.fetch).toBe("function");
  });

  test("every PaymentStatus outcome arrives with its status, steps, error code, _metadata and route pattern", async () => {
    const ids = PaymentStatus.ALL.map((s) => `wd-${s.code}`);
    for (const status of PaymentStatus.ALL) {
      const response = await fetch(`${worker.url}/api/payments`, {
        method: "POST",
        headers: { [OUTCOME_HEADER]: status.code, "x-request-id": `wd-${status.code}` },
      });
      expect(response.status).toBe(status.httpStatus);
      await response.text();
    }
    const stored = await storedEvents(ids);
    for (const status of PaymentStatus.ALL) {
      const event = stored.get(`wd-${status.code}`);
      expect(event).toMatchObject({
        route: "/api/payments",
        method: "POST",
        statusCode: status.httpStatus,
        _metadata: { simulation: { outcome: status.code } },
      });
      expect(((event?.steps ?? []) as Array<{ name: string }>).map((s) => s.name)).toEqual([...status.steps]);
      expect((event?.error as { code?: string } | undefined)?.code).toBe(status.error?.code);
    }
  }, 60_000);
});
