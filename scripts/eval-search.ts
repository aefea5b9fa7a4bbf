/**
 * eval:search — the natural-language evaluation set (tests/search/eval-set.ts) and the held-out set
 * (tests/search/held-out-set.ts) through POST /v1/search on the demo's payment-shop hour, with the
 * rules parser and then with LLM_PROVIDER=openai against the scripted OpenAI-compatible server;
 * prints accuracy per category and overall for each, and each miss. Exits 1 when the evaluation
 * set is below 95% overall or 90% in any category on either; the held-out set is printed, not gated.
 *
 *   npm run eval:search [-- --verbose] [-- --provider=rules|openai] [-- --set=eval|held-out]
 */
import { type EvalReport, runEval } from "../tests/search/eval-run.ts";
import { ALL_CASES, type EvalCase } from "../tests/search/eval-set.ts";
import { HELD_OUT, HELD_OUT_2 } from "../tests/search/held-out-set.ts";

const OVERALL = 0.95;
const PER_CATEGORY = 0.9;
const verbose = process.argv.includes("--verbose");

const only = process.argv.find((a) => a.startsWith("--provider="))?.slice("--provider=".length);
const providers = (only ? [only] : ["rules", "openai"]) as ("rules" | "openai")[];
const pct = (p: number, t: number) => (t ? ((100 * p) / t).toFixed(1) : "—");

function print(report: EvalReport, set: string, gated: boolean): boolean {
  let failed = gated && report.passed / report.total < OVERALL;
  const title = report.provider === "rules" ? "rules parser" : "LLM_PROVIDER=openai, scripted OpenAI-compatible server";
  console.log(`\n${set} — ${title}\ncategory     passed / total   accuracy`);
  for (const [category, { passed, total }] of Object.entries(report.byCategory)) {
    if (total === 0) continue;
    const low = gated && passed / total < PER_CATEGORY;
    failed ||= low;
    console.log(
      `${category.padEnd(12)} ${String(passed).padStart(6)} / ${String(total).padEnd(6)} ${pct(passed, total).padStart(6)}%${low ? "  (below 90%)" : ""}`,
    );
  }
  const korean = report.results.filter((r) => /[가-힣]/.test(r.case.question)).length;
  console.log(
    `${"overall".padEnd(12)} ${String(report.passed).padStart(6)} / ${String(report.total).padEnd(6)} ${pct(report.passed, report.total).padStart(6)}%  (${korean} of ${report.total} questions in Korean${report.provider === "openai" ? `; ${report.fallbacks} fell back to the rules parser` : ""})`,
  );
  const misses = report.results.filter((r) => !r.ok);
  if (misses.length) console.log(`misses (${misses.length}):`);
  for (const miss of misses) {
    console.log(`- [${miss.case.category}] ${miss.case.before ? `${miss.case.before.join(" → ")} → ` : ""}${miss.case.question}`);
    if (verbose || misses.length <= 30) {
      console.log(`    expected ${JSON.stringify(miss.case.expect)}`);
      console.log(`    got      ${JSON.stringify(miss.got)}`);
    }
  }
  return failed;
}

const sets: Array<{ name: string; cases: EvalCase[]; gated: boolean }> = [
  { name: "evaluation set", cases: ALL_CASES, gated: true },
  { name: "held-out set", cases: HELD_OUT, gated: false },
  { name: "held-out set, batch 2", cases: HELD_OUT_2, gated: false },
];
const onlySet = process.argv.find((a) => a.startsWith("--set="))?.slice("--set=".length);
let failed = false;
for (const provider of providers) {
  for (const set of sets) {
    if (onlySet && (onlySet === "held-out") !== set.name.startsWith("held-out")) continue;
    failed = print(await runEval({ provider, cases: set.cases }), set.name, set.gated) || failed;
  }
}
process.exit(failed ? 1 : 0);
