/**
 * deploy:check — builds the Worker exactly as `wrangler deploy` would (--dry-run, minified), then
 * enforces the size budget and checks that no Bun-only or native client was bundled.
 *
 *   npm run deploy:check [-- --budget-kib=1024] [-- --var PUBLISHER:upstash-kafka]
 */
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "..");
const OUT = join(ROOT, ".wrangler/deploy-check");
const budgetArg = process.argv.find((a) => a.startsWith("--budget-kib="));
const BUDGET_KIB = Number(budgetArg?.split("=")[1] ?? 1024); // gzip; Workers allow 3 MiB (free) / 10 MiB (paid)
// Modules that must never reach the Workers bundle: they need TCP sockets, Bun or Node-only APIs.
const FORBIDDEN = [
  "node_modules/mongodb/",
  "node_modules/@platformatic/kafka/",
  "node_modules/kafkajs/",
  "node_modules/ioredis/",
  "bun:sqlite",
  "src/adapters/sqlite/",
];

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const proc = Bun.spawn(
  ["node", join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--minify", "--outdir", OUT, "--metafile"],
  {
    cwd: ROOT,
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
    stdout: "pipe",
    stderr: "pipe",
  },
);
const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
if (code !== 0) {
  console.error(`wrangler deploy --dry-run failed (${code}):\n${out}${err}`);
  process.exit(1);
}

const bundle = readFileSync(join(OUT, "cloudflare-worker.js") /* named after wrangler.toml main */);
const gzipKib = Bun.gzipSync(bundle).byteLength / 1024;
const meta = JSON.parse(readFileSync(join(OUT, "bundle-meta.json"), "utf8")) as { inputs: Record<string, { bytes: number }> };
const inputs = Object.keys(meta.inputs);
const found = FORBIDDEN.filter((needle) => inputs.some((input) => input.includes(needle)));

const byPackage = new Map<string, number>();
for (const [input, { bytes }] of Object.entries(meta.inputs)) {
  const pkg =
    input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ??
    (input.startsWith("src/") || input.startsWith("edge/") ? "(wide-gate)" : input);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytes);
}
console.log(
  `Worker bundle: ${(bundle.byteLength / 1024).toFixed(0)} KiB minified, ${gzipKib.toFixed(0)} KiB gzip (budget ${BUDGET_KIB} KiB gzip)`,
);
for (const [pkg, bytes] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 8))
  console.log(`  ${pkg.padEnd(28)} ${(bytes / 1024).toFixed(0).padStart(6)} KiB source`);
if (found.length > 0) console.error(`FAIL: the Workers bundle contains ${found.join(", ")}`);
if (gzipKib > BUDGET_KIB) console.error(`FAIL: ${gzipKib.toFixed(0)} KiB gzip is over the ${BUDGET_KIB} KiB budget`);
process.exit(found.length > 0 || gzipKib > BUDGET_KIB ? 1 : 0);
