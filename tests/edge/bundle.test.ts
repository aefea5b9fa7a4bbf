import { expect, test } from "bun:test";
import { resolve } from "node:path";

test("deploy:check builds the Worker within budget with no Bun-only or native client inside", async () => {
  const proc = Bun.spawn([process.execPath, resolve(import.meta.dir, "../../scripts/deploy-check.ts")], { stdout: "pipe", stderr: "pipe" });
  const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  expect(err).not.toContain("FAIL");
  expect(out).toContain("KiB gzip");
  expect(code).toBe(0);
}, 120_000);
