/**
 * npm run fuzz: property-based fuzzing of every parser that reads outside input (targets in
 * tests/fuzz/targets.ts), printing the cases run per target. A failure prints the shrunk
 * counterexample and its seed, and the run exits 1.
 *
 *   npm run fuzz [-- runs=100000] [seed=N] [target=name,name]
 */
import fc from "fast-check";
import { FUZZ_TARGETS } from "../tests/fuzz/targets.ts";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split("=") as [string, string]));
const runs = Number(args.runs ?? 100_000);
const seed = args.seed === undefined ? Date.now() ^ (Math.random() * 0x7fffffff) : Number(args.seed);
const only = args.target?.split(",");
const targets = only ? FUZZ_TARGETS.filter((t) => only.includes(t.name)) : FUZZ_TARGETS;
if (targets.length === 0) {
  console.error(`no target named ${args.target}; targets: ${FUZZ_TARGETS.map((t) => t.name).join(", ")}`);
  process.exit(2);
}

console.log(`fuzzing ${targets.length} targets, ${runs} cases each, seed ${seed}`);
let failed = 0;
for (const target of targets) {
  const started = performance.now();
  const details = fc.check(target.property(), { numRuns: runs, seed, endOnFailure: false });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (details.failed) {
    failed++;
    console.log(`FAIL ${target.name}: after ${details.numRuns} cases (${seconds} s)`);
    console.log(fc.defaultReportMessage(details) ?? "");
  } else {
    console.log(`ok   ${target.name.padEnd(16)} ${details.numRuns} cases, ${details.numSkips} skipped (${seconds} s)`);
  }
}
if (failed > 0) {
  console.log(`${failed} of ${targets.length} targets failed (seed ${seed})`);
  process.exit(1);
}
console.log(`all ${targets.length} targets passed`);
