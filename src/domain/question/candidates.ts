import { KO_ALIASES } from "./aliases.ts";
import { editDistance, normal } from "./fuzzy.ts";
import type { Vocabulary } from "./types.ts";
import { latinWords } from "./words.ts";

/**
 * The stored values an LLM planner is offered for one question: every value when a field has few,
 * else the ones the question's words point at (exact, stem, Korean alias, route segment, typo)
 * ahead of the rest, cut to `perField`. The model's reply is then validated against these same
 * candidates, so it can only name a value that was retrieved for the question.
 */
export const CANDIDATES_PER_FIELD = 40;

function questionTerms(question: string): string[] {
  const lower = question.toLowerCase();
  const terms = new Set(
    latinWords(lower)
      .flatMap((w) => [w, ...w.split(/[-_/]/)])
      .filter((w) => w.length >= 3),
  );
  for (const [word, stems] of KO_ALIASES) if (lower.includes(word)) for (const s of stems) terms.add(s);
  for (const code of question.match(/[A-Z][A-Z0-9_]{2,}/g) ?? []) terms.add(code.toLowerCase());
  for (const path of lower.match(/\/[a-z0-9_\-./:{}]+/g) ?? []) terms.add(normal(path));
  return [...terms];
}

function score(value: string, terms: readonly string[]): number {
  const v = normal(value);
  const parts = value
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  let best = 0;
  for (const t of terms) {
    const n = normal(t);
    if (!n) continue;
    if (v === n) best = Math.max(best, 100);
    else if (parts.includes(n) || parts.some((p) => p === `${n}s` || `${p}s` === n)) best = Math.max(best, 80);
    else if (v.includes(n) || (v.length >= 4 && n.includes(v))) best = Math.max(best, 60);
    else {
      const d = Math.min(...parts.map((p) => editDistance(p, n, 2)), editDistance(v, n, 2));
      if (d <= (n.length >= 6 ? 2 : n.length >= 4 ? 1 : 0)) best = Math.max(best, 40 - d);
    }
  }
  return best;
}

function pick(values: readonly string[], terms: readonly string[], perField: number): string[] {
  if (values.length <= perField) return [...values];
  return values
    .map((value, i) => ({ value, i, s: score(value, terms) }))
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .slice(0, perField)
    .map((x) => x.value);
}

export function retrieveCandidates(question: string, vocabulary: Vocabulary, perField = CANDIDATES_PER_FIELD): Vocabulary {
  const terms = questionTerms(question);
  return {
    services: pick(vocabulary.services, terms, perField),
    routes: pick(vocabulary.routes, terms, perField),
    errorCodes: pick(vocabulary.errorCodes, terms, perField),
    ...(vocabulary.fields ? { fields: vocabulary.fields.slice(0, perField) } : {}),
  };
}
