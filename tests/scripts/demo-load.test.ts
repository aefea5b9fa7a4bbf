import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { spawnServer } from "../support/spawn-server.ts";

const ROOT = resolve(import.meta.dir, "../..");
const run = async (args: string[]) => {
  const proc = Bun.spawn([process.execPath, ...args], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const [code, out] = await Promise.all([proc.exited, new Response(proc.stdout).text()]);
  return { code, out };
};

describe("operations scripts", () => {
  test("demo tells the incident story against its own server and exits", async () => {
    const { code, out } = await run(["scripts/demo.ts", "port=0", "events=4000", "exit"]);
    expect(code).toBe(0);
    expect(out).toContain("sent 4000 events");
    expect(out).toContain("[STATISTICAL]");
    expect(out).toContain("GATEWAY_TIMEOUT");
    expect(out).toContain("[CONVERSATIONAL]");
  }, 60_000);

  test("load reports exact counts of all events and errors, from rollups", async () => {
    const server = await spawnServer("edge/bun-server.ts", { ROLLUP_FLUSH_MS: "200" });
    try {
      const { code, out } = await run([
        "scripts/load.ts",
        `url=${server.url}`,
        "rate=4000",
        "seconds=2",
        "batch=100",
        "settle=10000",
        "seed=3",
      ]);
      expect(code).toBe(0);
      expect(out).toContain("80 × 202");
      const errors = out.match(/errors\s+truth\s+(\d+)\s+store says\s+(\d+)/);
      if (!errors) throw new Error(`no errors line in the load report:\n${out}`);
      expect(Number(errors[1])).toBeGreaterThan(0);
      expect(errors[2]).toBe(errors[1] as string);
      const events = out.match(/events\s+truth\s+(\d+)\s+store says\s+(\d+)/);
      if (!events) throw new Error(`no events line in the load report:\n${out}`);
      expect(events[1]).toBe("8000");
      expect(events[2]).toBe("8000");
      expect(out).toContain("from rollups, exact");
    } finally {
      await server.stop("SIGKILL");
    }
  }, 60_000);
});
