/**
 * eval:search — the natural-language evaluation set (tests/search/eval-set.ts) through POST
 * /v1/search on the demo's payment-shop hour, with the rules parser and then with LLM_PROVIDER=openai
 * against the scripted OpenAI-compatible server; prints accuracy per category and overall for each,
 * and each miss. Exits 1 below 95% overall or 90% in any category on either.
 *
 *   npm run eval:search [-- --verbose] [-- --provider=rules|openai]
 */
import { type EvalReport, runEval } from "../tests/search/eval-run.ts";

const OVERALL = 0.95;
const PER_CATEGORY = 0.9;
const verbose = process.argv.includes("--verbose");

const only = process.argv.find((a) => a.startsWith("--provider="))?.slice("--provider=".length);
const providers = (only ? [only] : ["rules", "openai"]) as ("rules" | "openai")[];
const pct = (p: number, t: number) => (t ? ((100 * p) / t).toFixed(1) : "—");

function print(report: EvalReport): boolean {
  let failed = report.passed / report.total < OVERALL;
  const title = report.provider === "rules" ? "rules parser" : "LLM_PROVIDER=openai, scripted OpenAI-compatible server";
  console.log(`\n${title}\ncategory     passed / total   accuracy`);
  for (const [category, { passed, total }] of Object.entries(report.byCategory)) {
    const low = total > 0 && passed / total < PER_CATEGORY;
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

let failed = false;
for (const provider of providers) failed = print(await runEval({ provider })) || failed;
process.exit(failed ? 1 : 0);
