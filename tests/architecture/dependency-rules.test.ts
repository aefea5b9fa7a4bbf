import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

/**
 * The layering of STYLE.md, checked on every run: pure domain code imports no runtime and no client
 * library; the Workers entry never reaches Bun-only modules.
 */
const ROOT = resolve(import.meta.dir, "../..");

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
    .map((f) => join(dir, f));
}

/**
 * Every module specifier a file imports or re-exports, static or dynamic. With `runtimeOnly`,
 * type-only imports (`import type`, `typeof import(…)`) are left out: they are erased before bundling.
 */
function importsOf(file: string, runtimeOnly = false): string[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const statics = [...text.matchAll(/^\s*(import|export)(\s+type)?\b[^;]*?\bfrom\s+"([^"]+)"/gm)]
    .filter((m) => !(runtimeOnly && m[2]))
    .map((m) => m[3] as string);
  const dynamics = [...text.matchAll(/(typeof\s+)?\bimport\(\s*"([^"]+)"\s*\)/g)]
    .filter((m) => !(runtimeOnly && m[1]))
    .map((m) => m[2] as string);
  return [...statics, ...dynamics];
}

describe("dependency rules", () => {
  test("src/domain imports only other domain code and zod (types from src/ports are allowed)", () => {
    const offenders: string[] = [];
    for (const file of sources("src/domain")) {
      for (const spec of importsOf(file)) {
        if (spec === "zod") continue;
        if (spec.startsWith(".")) {
          const target = relative(ROOT, resolve(ROOT, file, "..", spec));
          if (target.startsWith("src/domain/") || target.startsWith("src/ports/")) continue;
        }
        offenders.push(`${file} → ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  test("src/ports declare interfaces only: they import no adapter and no runtime", () => {
    const offenders = sources("src/ports").flatMap((file) =>
      importsOf(file)
        .filter((spec) => !spec.startsWith(".") || spec.includes("adapters/") || spec.includes("runtime/"))
        .map((spec) => `${file} → ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  test("nothing reachable from the Workers entry imports a Bun-only module or a TCP client", () => {
    const forbidden = /^(bun|bun:.*|node:fs|node:net|node:fs\/promises|mongodb|@platformatic\/kafka)$/;
    const seen = new Set<string>();
    const offenders: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of importsOf(file, true)) {
        if (forbidden.test(spec)) offenders.push(`${file} → ${spec}`);
        if (spec.startsWith(".")) visit(relative(ROOT, resolve(ROOT, file, "..", spec)));
      }
    };
    visit("edge/cloudflare-worker.ts");
    expect(seen.size).toBeGreaterThan(20);
    expect(offenders).toEqual([]);
  });
});
