/**
 * deploy:check — builds the Worker exactly as `wrangler deploy --env production` would upload it
 * (`--dry-run --outdir`, minified because wrangler.toml says `minify = true`), reports wrangler's
 * own "Total Upload" figures, checks that the modules written to the outdir are that upload, then
 * enforces the size budget and checks that no Bun-only or native client was bundled.
 *
 *   npm run deploy:check [-- --budget-kib=1024] [-- --env=dev]
 */
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "..");
const OUT = join(ROOT, ".wrangler/deploy-check");
const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const BUDGET_KIB = Number(arg("budget-kib") ?? 1024); // gzip; Workers allow 3 MiB (free) / 10 MiB (paid)
const ENV = arg("env") ?? "production";
// Modules that must never reach the Workers bundle: they need TCP sockets, Bun or Node-only APIs,
// or serve only the read side a Worker forwards (the OpenAI client).
const FORBIDDEN = [
  "node_modules/mongodb/",
  "node_modules/@platformatic/kafka/",
  "node_modules/kafkajs/",
  "node_modules/ioredis/",
  "bun:sqlite",
  "src/adapters/sqlite/",
  "node_modules/openai/",
];

rmSync(OUT, { recursive: true, force: true });
const proc = Bun.spawn(
  ["node", join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--env", ENV, "--outdir", OUT, "--metafile"],
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

// What wrangler itself reports as the upload (the modules it would send), e.g. "Total Upload: 887.08 KiB / gzip: 221.58 KiB".
const reported = out.match(/Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/);
if (!reported) {
  console.error(`FAIL: no "Total Upload" line in wrangler's output:\n${out}`);
  process.exit(1);
}
const [uploadKib, uploadGzipKib] = [Number(reported[1]), Number(reported[2])];
// The outdir's modules (not the source map, not wrangler's README) must be that upload, byte for byte in size.
const modules = readdirSync(OUT).filter((f) => /\.(m?js|cjs|wasm)$/.test(f));
const bytes = modules.reduce((sum, f) => sum + readFileSync(join(OUT, f)).byteLength, 0);
const mismatch = Math.abs(bytes / 1024 - uploadKib) > 0.01;
// Minified, the bundle has a line per few KiB (template literals keep theirs); unminified, one per ~40 bytes.
const main = readFileSync(join(OUT, "cloudflare-worker.js"), "utf8"); // named after wrangler.toml main
const minified = main.split("\n").length < main.length / 1000;
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
  `Worker upload (--env ${ENV}): ${uploadKib.toFixed(2)} KiB, ${uploadGzipKib.toFixed(2)} KiB gzip as wrangler reports it; ` +
    `${modules.join(", ")} in the outdir: ${(bytes / 1024).toFixed(2)} KiB (budget ${BUDGET_KIB} KiB gzip)`,
);
for (const [pkg, bytes] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 8))
  console.log(`  ${pkg.padEnd(28)} ${(bytes / 1024).toFixed(0).padStart(6)} KiB source`);
if (found.length > 0) console.error(`FAIL: the Workers bundle contains ${found.join(", ")}`);
if (mismatch) console.error(`FAIL: the outdir holds ${(bytes / 1024).toFixed(2)} KiB, wrangler reports ${uploadKib} KiB uploaded`);
if (!minified) console.error("FAIL: the bundle is not minified (wrangler.toml must say minify = true)");
if (uploadGzipKib > BUDGET_KIB) console.error(`FAIL: ${uploadGzipKib.toFixed(2)} KiB gzip is over the ${BUDGET_KIB} KiB budget`);
process.exit(found.length > 0 || mismatch || !minified || uploadGzipKib > BUDGET_KIB ? 1 : 0);
