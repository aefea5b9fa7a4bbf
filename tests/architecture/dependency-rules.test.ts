import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

/**
 * The layering, checked on every run. Each folder of src/ is a layer that may import only the
 * layers and packages listed for it; pure domain code imports no runtime and no client; each
 * adapter folder talks to its own backend only; src/ never reaches tests/, bench/, scripts/ or
 * the entries; the Workers entry never reaches a Bun-only module. CONTRIBUTING.md explains the layers.
 */
const ROOT = resolve(import.meta.dir, "../..");

interface Layer {
  /** Other layers (src/ folders, or adapters/<name>) this one may import. Its own folder is always allowed. */
  layers: string[];
  /** Packages (exact names or prefixes ending in "/" or ":") it may import. */
  packages: string[];
}

const HONO = ["hono", "hono/"];
const NODE_FILES = ["node:fs", "node:fs/promises", "node:path", "node:os"];
/** Interfaces other layers define for adapters to implement (the consumer's source and dead letters, the bridge's backend). */
const PLUG_IN_POINTS = [
  "src/consumer/messages.ts",
  "src/consumer/batch-source.ts",
  "src/consumer/dead-letter-record.ts",
  "src/bridge/backend.ts",
  "src/bridge/produce-request.ts",
];
const ADAPTER_BASE = ["domain", "ports", "log", "metrics"];

const LAYERS: Record<string, Layer> = {
  domain: { layers: ["ports"], packages: ["zod"] },
  ports: { layers: ["domain"], packages: [] },
  log: { layers: [], packages: [] },
  metrics: { layers: [], packages: [] },
  config: { layers: ["domain"], packages: ["zod"] },
  "adapters/memory": { layers: ADAPTER_BASE, packages: [] },
  "adapters/rules": { layers: ADAPTER_BASE, packages: [] },
  "adapters/discard": { layers: ADAPTER_BASE, packages: [] },
  "adapters/refused": { layers: ADAPTER_BASE, packages: [] },
  "adapters/file": { layers: ADAPTER_BASE, packages: NODE_FILES },
  "adapters/sqlite": { layers: ADAPTER_BASE, packages: ["bun:sqlite", ...NODE_FILES] },
  "adapters/mongo": { layers: ADAPTER_BASE, packages: ["mongodb"] },
  "adapters/redis": { layers: ADAPTER_BASE, packages: ["bun", "@upstash/redis"] },
  "adapters/openai": { layers: ADAPTER_BASE, packages: ["openai", "openai/"] },
  "adapters/kafka": { layers: ADAPTER_BASE, packages: ["@platformatic/kafka", "@upstash/kafka"] },
  delivery: { layers: ["domain", "ports", "log", "metrics"], packages: [] },
  /** The Bun gateway's disk buffer: node:fs, so only Bun entries import it. */
  "delivery/wal": { layers: ["domain", "ports", "config", "delivery", "log", "metrics"], packages: NODE_FILES },
  /** OTLP protobuf is read by the gateway's own wire reader (src/ingest/protobuf-wire.ts): no codec package. */
  ingest: { layers: ["domain", "ports", "config", "metrics"], packages: [] },
  consumer: { layers: ["domain", "ports", "delivery", "log", "metrics"], packages: HONO },
  stats: { layers: ["domain", "ports"], packages: [] },
  search: { layers: ["domain", "ports", "stats", "log", "metrics"], packages: [] },
  bridge: { layers: ["domain", "ports", "log", "metrics"], packages: HONO },
  http: { layers: ["domain", "ports", "config", "ingest", "delivery", "search", "stats", "log", "metrics"], packages: [...HONO, "zod"] },
  factory: {
    layers: ["config", "domain", "ports", "delivery", "search", "log", "metrics", "adapters/"],
    packages: [],
  },
  sdk: { layers: [], packages: HONO },
  "runtime/bun": { layers: ["config", "factory", "adapters/"], packages: [] },
  // The operator CLI (Bun): the HTTP API through fetch; Kafka and the spool through the adapters, like the entries.
  cli: {
    layers: ["config", "ports", "consumer", "factory", "runtime/bun", "adapters/kafka", "adapters/file"],
    packages: ["commander", "cli-table3", ...NODE_FILES],
  },
};

function files(dir: string, tests = false): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => /\.(ts|mjs)$/.test(f) && f.endsWith(".test.ts") === tests)
    .map((f) => join(dir, f));
}

/**
 * Every module specifier a file imports or re-exports, static or dynamic. With `runtimeOnly`,
 * type-only imports (`import type`, `typeof import(…)`) are left out: they are erased before bundling.
 */
function importsOf(text: string, runtimeOnly = false): string[] {
  const statics = [...text.matchAll(/^\s*(import|export)(\s+type)?\b[^;]*?\bfrom\s+"([^"]+)"/gm)]
    .filter((m) => !(runtimeOnly && m[2]))
    .map((m) => m[3] as string);
  const bare = [...text.matchAll(/^\s*import\s+"([^"]+)"/gm)].map((m) => m[1] as string);
  const dynamics = [...text.matchAll(/(typeof\s+)?\bimport\(\s*"([^"]+)"\s*\)/g)]
    .filter((m) => !(runtimeOnly && m[1]))
    .map((m) => m[2] as string);
  return [...statics, ...bare, ...dynamics];
}

/** The layer a src/ file belongs to: its longest matching key in LAYERS. */
function layerOf(file: string): string | undefined {
  const inSrc = file.replace(/^src\//, "");
  return Object.keys(LAYERS)
    .filter((layer) => inSrc.startsWith(`${layer}/`))
    .sort((a, b) => b.length - a.length)[0];
}

const allowedPackage = (spec: string, packages: string[]) =>
  packages.some((p) => (p.endsWith("/") || p.endsWith(":") ? spec.startsWith(p) || spec === p.slice(0, -1) : spec === p));

/** Why `spec`, imported by `file` (a src/ path), breaks the layering; undefined when it is allowed. */
function violation(file: string, spec: string): string | undefined {
  const layer = layerOf(file);
  if (!layer) return `${file} is in no layer: add its folder to LAYERS (and to CONTRIBUTING.md)`;
  const rule = LAYERS[layer] as Layer;
  if (!spec.startsWith(".")) return allowedPackage(spec, rule.packages) ? undefined : `${layer} may not import the package ${spec}`;
  const target = relative(ROOT, resolve(ROOT, file, "..", spec));
  if (!target.startsWith("src/")) return `src/ may not import ${target}`;
  const targetLayer = layerOf(target);
  if (targetLayer === layer) return undefined;
  if (layer.startsWith("adapters/") && PLUG_IN_POINTS.includes(target)) return undefined;
  const ok = rule.layers.some((l) => (l.endsWith("/") ? targetLayer?.startsWith(l) : targetLayer === l));
  return ok ? undefined : `${layer} may not import ${targetLayer ?? target}`;
}

function offenders(): string[] {
  const out: string[] = [];
  for (const file of files("src")) {
    for (const spec of importsOf(readFileSync(join(ROOT, file), "utf8"))) {
      const why = violation(file, spec);
      if (why) out.push(`${file} → ${spec}: ${why}`);
    }
  }
  return out;
}

describe("dependency rules", () => {
  test("every src/ module imports only what its layer allows", () => {
    expect(offenders()).toEqual([]);
  });

  test("every folder of src/ is a layer", () => {
    const unplaced = files("src").filter((f) => layerOf(f) === undefined);
    expect(unplaced).toEqual([]);
  });

  test("the check catches planted wrong imports", () => {
    expect(violation("src/domain/event/normalize.ts", "../../adapters/mongo/mongo-event-store.ts")).toContain(
      "domain may not import adapters/mongo",
    );
    expect(violation("src/domain/event/normalize.ts", "mongodb")).toContain("may not import the package mongodb");
    expect(violation("src/http/routes/search.ts", "../../adapters/redis/redis-tcp.ts")).toContain("http may not import adapters/redis");
    expect(violation("src/delivery/batching-sink.ts", "../factory/create-adapters.ts")).toContain("delivery may not import factory");
    expect(violation("src/adapters/mongo/mongo-event-store.ts", "@platformatic/kafka")).toContain("adapters/mongo may not import");
    expect(violation("src/adapters/memory/memory-publisher.ts", "../kafka/kafka-record.ts")).toContain(
      "adapters/memory may not import adapters/kafka",
    );
    expect(violation("src/search/run-plan.ts", "../../tests/support/fake-openai.ts")).toContain("src/ may not import tests/");
    expect(violation("src/http/create-app.ts", "../../edge/bun-server.ts")).toContain("src/ may not import edge/");
    expect(violation("src/adapters/kafka/kafka-dead-letter-sink.ts", "../../consumer/messages.ts")).toBeUndefined();
  });

  test("unit tests beside the code import only from src/, never from tests/", () => {
    const out: string[] = [];
    for (const file of files("src", true)) {
      for (const spec of importsOf(readFileSync(join(ROOT, file), "utf8"))) {
        if (!spec.startsWith(".")) continue;
        const target = relative(ROOT, resolve(ROOT, file, "..", spec));
        if (!target.startsWith("src/")) out.push(`${file} → ${target}`);
      }
    }
    expect(out).toEqual([]);
  });

  test("entries only wire: edge/ and worker/ import src/, never each other, tests or scripts", () => {
    const out: string[] = [];
    for (const dir of ["edge", "worker"]) {
      for (const file of files(dir)) {
        for (const spec of importsOf(readFileSync(join(ROOT, file), "utf8"))) {
          if (!spec.startsWith(".")) continue;
          const target = relative(ROOT, resolve(ROOT, file, "..", spec));
          if (!target.startsWith("src/")) out.push(`${file} → ${target}`);
        }
      }
    }
    expect(out).toEqual([]);
  });

  test("nothing reachable from the Workers entry imports a Bun-only module or a TCP client", () => {
    const forbidden = /^(bun|bun:.*|node:fs|node:net|node:fs\/promises|mongodb|@platformatic\/kafka)$/;
    const seen = new Set<string>();
    const out: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of importsOf(readFileSync(join(ROOT, file), "utf8"), true)) {
        if (forbidden.test(spec)) out.push(`${file} → ${spec}`);
        if (spec.startsWith(".")) visit(relative(ROOT, resolve(ROOT, file, "..", spec)));
      }
    };
    visit("edge/cloudflare-worker.ts");
    expect(seen.size).toBeGreaterThan(20);
    expect(out).toEqual([]);
  });
});
