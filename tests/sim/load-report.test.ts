import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { SIM_CRITICAL_ROUTES } from "../../examples/payment-sim/routes.ts";
import { deadUrl } from "../sdk/gateway.ts";
import { spawnServer } from "../support/spawn-server.ts";

const ROOT = resolve(import.meta.dir, "../..");
const run = async (args: string[]) => {
  const proc = Bun.spawn([process.execPath, "scripts/load.ts", ...args], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  return { code, out, err };
};
const number = (out: string, pattern: RegExp): number => {
  const match = out.match(pattern);
  if (!match?.[1]) throw new Error(`${pattern} not in the load report:\n${out}`);
  return Number(match[1]);
};

describe("npm run load -- mode=sim", () => {
  test("reports the truth, the stored fraction and every valuable event kept, with exact totals", async () => {
    const server = await spawnServer("edge/bun-server.ts", {
      ROLLUP_FLUSH_MS: "200",
      SAMPLING_CRITICAL_ROUTES: SIM_CRITICAL_ROUTES.join(","),
    });
    try {
      const { code, out } = await run([`url=${server.url}`, "mode=sim", "requests=4000", "seed=5", "settle=15000"]);
      expect(code).toBe(0);
      expect(out).toContain("4000 events built, 4000 delivered");
      expect(out).toMatch(/payment\s+\/api\/payments\s+\d+\s+\d+\s+\d+\s+0\s+\d+/);
      expect(out).toContain("valuable events kept: 100.0%");
      expect(number(out, /stored fraction: ([\d.]+)%/)).toBeLessThanOrEqual(15);
      expect(number(out, /events generated: (\d+)/)).toBe(4000);
      expect(number(out, /events stored: (\d+)/)).toBe(number(out, /kept (\d+): /));
      expect(number(out, /events\s+truth\s+\d+\s+store says\s+(\d+)/)).toBe(4000);
      expect(number(out, /errors\s+truth\s+\d+\s+store says\s+(\d+)/)).toBe(number(out, /errors\s+truth\s+(\d+)/));
      expect(out).not.toContain("differs from the truth");
    } finally {
      await server.stop("SIGKILL");
    }
  }, 60_000);

  test("against a stopped gateway it prints one line and exits 1", async () => {
    const url = await deadUrl();
    const { code, out, err } = await run([`url=${url}`, "mode=sim"]);
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err.trim().split("\n")).toHaveLength(1);
    expect(err).toContain(`cannot reach the gateway at ${url}`);
  });
});
