import { isDeepStrictEqual } from "node:util";
import { seedDemo } from "./demo-data.ts";
import { ALL_CASES, CATEGORIES, type Category, EVAL_NOW, type EvalCase } from "./eval-set.ts";
import { type SearchHarness, startSearchApp } from "./harness.ts";
import { startScriptedOpenAi } from "./scripted-openai.ts";

/** Runs the evaluation set through POST /v1/search on the demo data and scores each answer. */

export interface CaseResult {
  case: EvalCase;
  ok: boolean;
  got: { intent?: unknown; query?: unknown; kind?: unknown; rate?: unknown; clarification?: unknown; warnings?: unknown };
}

export interface EvalReport {
  provider: "rules" | "openai";
  /** Answers where the gateway fell back from the model to the rules parser (openai only). */
  fallbacks: number;
  results: CaseResult[];
  byCategory: Record<Category, { passed: number; total: number }>;
  passed: number;
  total: number;
}

type Body = Record<string, unknown>;

export function score(c: EvalCase, body: Body): boolean {
  const e = c.expect;
  const warnings = (body.warnings as { code: string }[] | undefined) ?? [];
  if ("reported" in e)
    return body.clarification !== undefined || warnings.some((w) => w.code === "UNRESOLVED" || w.code === "CLARIFICATION_NEEDED");
  if (body.clarification !== undefined || body.intent !== e.intent) return false;
  const data = (body.data ?? {}) as Body;
  if (e.intent === "STATISTICAL") {
    const rate = (data.rate as { unit?: string } | undefined)?.unit;
    return isDeepStrictEqual(body.query, e.query) && rate === e.rate;
  }
  if (e.intent === "SEARCH") return isDeepStrictEqual(body.query, e.search);
  const query = (body.query ?? {}) as { filter?: unknown; timeRange?: unknown };
  if (data.kind !== e.kind || !isDeepStrictEqual(query.filter ?? {}, e.filter ?? {})) return false;
  return e.timeRange === undefined || isDeepStrictEqual(query.timeRange, e.timeRange);
}

/**
 * `provider: "openai"` runs the same set with LLM_PROVIDER=openai against the scripted
 * OpenAI-compatible server (tests/search/scripted-openai.ts).
 */
export async function runEval(options: { provider?: "rules" | "openai"; cases?: EvalCase[] } = {}): Promise<EvalReport> {
  const provider = options.provider ?? "rules";
  const model = provider === "openai" ? startScriptedOpenAi() : undefined;
  const env = model
    ? {
        LLM_PROVIDER: "openai",
        OPENAI_API_KEY: "sk-eval",
        OPENAI_BASE_URL: model.baseURL,
        OPENAI_MODEL: "scripted",
        LLM_TIMEOUT_MS: "5000",
      }
    : undefined;
  const h: SearchHarness = await startSearchApp({ clock: () => EVAL_NOW, env });
  let fallbacks = 0;
  try {
    await seedDemo(h.store, EVAL_NOW);
    const results: CaseResult[] = [];
    let n = 0;
    for (const c of options.cases ?? ALL_CASES) {
      const sessionId = `eval-session-${String(n++).padStart(4, "0")}`;
      for (const earlier of c.before ?? []) await h.ask(earlier, sessionId);
      const { body } = await h.ask(c.question, sessionId);
      const data = (body.data ?? {}) as Body;
      if (((body.warnings as { code: string }[] | undefined) ?? []).some((w) => w.code === "LLM_FALLBACK")) fallbacks++;
      results.push({
        case: c,
        ok: score(c, body),
        got: {
          intent: body.intent,
          query: body.query,
          kind: data.kind,
          rate: data.rate,
          clarification: body.clarification,
          warnings: body.warnings,
        },
      });
    }
    const byCategory = Object.fromEntries(CATEGORIES.map((k) => [k, { passed: 0, total: 0 }])) as EvalReport["byCategory"];
    for (const r of results) {
      byCategory[r.case.category].total++;
      if (r.ok) byCategory[r.case.category].passed++;
    }
    const passed = results.filter((r) => r.ok).length;
    return { provider, fallbacks, results, byCategory, passed, total: results.length };
  } finally {
    await h.close();
    await model?.stop();
  }
}
