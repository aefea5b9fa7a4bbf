import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");
const SDK = join(ROOT, "src/sdk");

/** Every module specifier an SDK file imports, type-only imports included. */
const importsOf = (text: string) => [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"/gm)].map((m) => m[1] as string);

describe("wide-gate/sdk runs on Workers, Bun and Node", () => {
  test("it imports only its own modules and hono: no node:, bun or other runtime module", () => {
    const outside: string[] = [];
    for (const file of readdirSync(SDK).filter((f) => f.endsWith(".ts"))) {
      for (const spec of importsOf(readFileSync(join(SDK, file), "utf8"))) {
        if (!spec.startsWith("./") && spec !== "hono" && spec !== "hono/route") outside.push(`${file} → ${spec}`);
      }
    }
    expect(outside).toEqual([]);
  });

  test("it is the package's ./sdk export", async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { exports: Record<string, string> };
    expect(pkg.exports["./sdk"]).toBe("./src/sdk/index.ts");
    const sdk = await import("wide-gate/sdk");
    expect(typeof sdk.HttpTransport).toBe("function");
    expect(typeof sdk.wideEvents).toBe("function");
  });

  test("it bundles for a browser-like runtime without Node or Bun built-ins", async () => {
    const built = await Bun.build({ entrypoints: [join(SDK, "index.ts")], target: "browser", format: "esm" });
    expect(built.success).toBe(true);
    const code = await (built.outputs[0] as Blob).text();
    expect(code).not.toMatch(/from\s*"(node:|bun)/);
  });
});
