import { expect, test } from "bun:test";
import { runEval } from "./eval-run.ts";
import { CATEGORIES } from "./eval-set.ts";

/** The evaluation set (what `npm run eval:search` prints) as part of the suite, with the same bars. */
for (const provider of ["rules", "openai"] as const) {
  test(`the evaluation set scores at least 95% overall and 90% in every category (${provider})`, async () => {
    const report = await runEval({ provider });
    const misses = report.results.filter((r) => !r.ok).map((r) => r.case.question);
    expect(report.total).toBeGreaterThanOrEqual(150);
    expect(report.results.filter((r) => /[가-힣]/.test(r.case.question)).length * 2).toBeGreaterThanOrEqual(report.total);
    expect({ overallAtLeast95: report.passed / report.total >= 0.95, misses }).toMatchObject({ overallAtLeast95: true });
    for (const category of CATEGORIES) {
      const { passed, total } = report.byCategory[category];
      expect({ category, atLeast90: total > 0 && passed / total >= 0.9 }).toEqual({ category, atLeast90: true });
    }
    if (provider === "openai") expect(report.fallbacks).toBe(0);
  }, 60_000);
}
