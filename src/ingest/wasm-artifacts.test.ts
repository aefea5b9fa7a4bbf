import { expect, test } from "bun:test";
import { resolve } from "node:path";

// The committed .wasm files and their base64 modules are built from wasm/otlp-json and wasm/events-json: a stale binary fails here.
test("the committed WebAssembly modules are what their sources compile to", () => {
  const root = resolve(import.meta.dir, "../..");
  const run = Bun.spawnSync([process.execPath, "scripts/build-wasm.ts", "check=1"], { cwd: root, stdout: "pipe", stderr: "pipe" });
  expect(`${run.stdout}${run.stderr}`).toContain("wasm artifacts match the source");
  expect(run.exitCode).toBe(0);
}, 60_000);
